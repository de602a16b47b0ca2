"""Minimum requirements exclude; a declared conflict recuses; no declaration, no access."""

import pytest

from app.evaluation.eligibility import (
    Declaration,
    RequirementVerdict,
    exclusions,
    missing_verdicts,
    recusals,
    scoring_tasks,
)
from app.evaluation.scores import Criterion


def test_a_failed_requirement_excludes_with_its_reason():
    """p1 fails requirement 2, p2 passes both: only p1 is excluded, with that verdict."""
    verdicts = [
        RequirementVerdict("p1", 1, True),
        RequirementVerdict("p1", 2, False, "No VOG for the mentors"),
        RequirementVerdict("p2", 1, True),
        RequirementVerdict("p2", 2, True),
    ]
    assert exclusions(verdicts) == {"p1": (verdicts[1],)}


def test_every_failed_requirement_is_listed():
    verdicts = [
        RequirementVerdict("p1", 2, False, "second"),
        RequirementVerdict("p1", 1, False, "first"),
    ]
    assert [v.reason for v in exclusions(verdicts)["p1"]] == ["second", "first"]


def test_a_fail_needs_a_reason_and_one_verdict_per_requirement():
    with pytest.raises(ValueError, match="needs a reason"):
        exclusions([RequirementVerdict("p1", 1, False, "  ")])
    with pytest.raises(ValueError, match="two verdicts"):
        exclusions([RequirementVerdict("p1", 1, True), RequirementVerdict("p1", 1, False, "x")])


def test_missing_verdicts_are_the_pairs_not_judged():
    verdicts = [RequirementVerdict("p1", 1, True)]
    assert missing_verdicts(["p1", "p2"], [1], verdicts) == {("p2", 1)}


def test_recusal_follows_the_declarations():
    """Ann declared no conflict on p1 and a conflict on p2; Bob declared nothing yet.
    Ann may judge p1 only; nobody may judge p2; Bob may judge nothing until he declares."""
    result = recusals(
        ["ann", "bob"],
        ["p1", "p2"],
        [
            Declaration("ann", "p1", conflict=False),
            Declaration("ann", "p2", conflict=True, explanation="I chair their board"),
        ],
    )
    assert result.may_judge("ann", "p1")
    assert not result.may_judge("ann", "p2")
    assert not result.may_judge("bob", "p1")
    assert result.recused == {("ann", "p2")}
    assert result.undeclared == {("bob", "p1"), ("bob", "p2")}
    assert result.judges("p1") == {"ann"}
    assert result.judges("p2") == set()
    assert result.proposals_for("ann") == {"p1"}


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (Declaration("eve", "p1", False), "not on the committee"),
        (Declaration("ann", "p9", False), "not a proposal"),
        (Declaration("ann", "p1", True, " "), "needs an explanation"),
    ],
)
def test_bad_declarations_are_refused(declaration, message):
    with pytest.raises(ValueError, match=message):
        recusals(["ann"], ["p1"], [declaration])


def test_a_member_declares_once_per_proposal():
    with pytest.raises(ValueError, match="declared twice"):
        recusals(["ann"], ["p1"], [Declaration("ann", "p1", False)] * 2)


def test_scoring_tasks_are_the_quality_criteria_of_the_proposals_one_may_judge():
    """Ann may judge p1 only; of criteria q (quality) and f (formula) she scores q on p1: 1 task."""
    result = recusals(["ann"], ["p1", "p2"], [Declaration("ann", "p1", False)])
    criteria = [Criterion("q", 60, 0), Criterion("f", 40, 1, kind="formula", indicator=0)]
    assert scoring_tasks(result, "ann", criteria) == {("p1", "q")}
    assert scoring_tasks(result, "bob", criteria) == set()
