"""Formula criteria: ambition over the baseline, relative to the most ambitious valid proposal."""

import contextvars
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evaluation.formula import FormulaIndicator, ambition, formula_scores
from app.evaluation.scores import Scale
from app.i18n import set_locale

BOUNDED = settings(max_examples=100, deadline=None)


def shown(message, locale: str = "en") -> str:
    """A message as a reader in `locale` sees it, without changing the test's own locale."""

    def render() -> str:
        set_locale(locale)
        return str(message)

    return contextvars.copy_context().run(render)


def test_increase_relative_to_the_best_valid_proposal():
    """Baseline 40, increase, scale 0..10. Ambitions: p1 50-40 = 10, p2 45-40 = 5,
    p3 38-40 = -2, p4 60-40 = 20 but excluded, p5 no target. Best valid = 10, so
    p1 = 10 × 10/10 = 10, p2 = 10 × 5/10 = 5, p3 and p5 = 0; p4 is not scored."""
    result = formula_scores(
        FormulaIndicator(40, "increase", "%"),
        Scale(0, 10),
        {"p1": 50, "p2": 45, "p3": 38, "p4": 60, "p5": None},
        excluded={"p4"},
    )
    assert result.best == Decimal(10)
    assert {k: s.score for k, s in result.scores.items()} == {
        "p1": Decimal("10.00"),
        "p2": Decimal("5.00"),
        "p3": Decimal("0.00"),
        "p5": Decimal("0.00"),
    }
    assert result.scores["p3"].ambition == Decimal(-2)
    assert result.scores["p5"].ambition is None
    assert shown(result.scores["p2"].explanation) == (
        "Improvement 5 % over the baseline 40 %, against 10 % for the most ambitious valid "
        "proposal: 0 + (10 − 0) × 5 / 10 = 5."
    )
    assert "no improvement" in shown(result.scores["p3"].explanation)
    assert "No committed target" in shown(result.scores["p5"].explanation)
    assert "most ambitious scores 10" in shown(result.rule)


def test_decrease_on_a_scale_from_one():
    """Baseline 120 days, decrease, scale 1..5. Ambitions: a 120-90 = 30, b 120-100 = 20,
    c 120-130 = -10. a = 5; b = 1 + 4 × 20/30 = 3.666… → 3.67; c = 1."""
    result = formula_scores(
        FormulaIndicator(120, "decrease", "days"),
        Scale(1, 5),
        {"a": 90, "b": 100, "c": 130},
    )
    assert [result.scores[k].score for k in "abc"] == [
        Decimal("5.00"),
        Decimal("3.67"),
        Decimal("1.00"),
    ]
    assert shown(result.scores["b"].explanation, "nl").endswith("= 3,67.")


def test_no_improvement_anywhere_gives_everyone_the_minimum():
    """Baseline 10, increase: targets 10 and 8 improve nothing, so both score the scale's 2."""
    result = formula_scores(FormulaIndicator(10, "increase"), Scale(2, 6), {"a": 10, "b": 8})
    assert result.best is None
    assert {s.score for s in result.scores.values()} == {Decimal("2.00")}
    assert "No valid proposal commits an improvement" in shown(result.scores["a"].explanation)


def test_only_excluded_proposals_improve():
    """The one improving proposal is excluded: nobody valid improves, so the minimum for all."""
    result = formula_scores(
        FormulaIndicator(10, "increase"), Scale(0, 10), {"a": 20, "b": 10}, excluded={"a"}
    )
    assert list(result.scores) == ["b"]
    assert result.scores["b"].score == Decimal("0.00")


def test_floats_from_the_database_are_read_as_written():
    """0.3 - 0.1 is 0.2 exactly, not 0.19999999999999998."""
    indicator = FormulaIndicator(0.1, "increase")
    result = formula_scores(indicator, Scale(0, 10), {"a": 0.3, "b": 0.2})
    assert result.scores["a"].ambition == Decimal("0.2")
    assert result.scores["b"].score == Decimal("5.00")


def test_bad_indicators_are_refused():
    with pytest.raises(ValueError, match="no baseline"):
        formula_scores(FormulaIndicator(None, "increase"), Scale(0, 10), {"a": 1})
    with pytest.raises(ValueError, match="unknown direction"):
        ambition(FormulaIndicator(1, "sideways"), 2)


values = st.integers(-1000, 1000)


@BOUNDED
@given(baseline=values, targets=st.dictionaries(st.text("abcdef", min_size=1), values, min_size=1))
def test_scores_stay_on_the_scale_and_follow_the_ambition(baseline, targets):
    scale = Scale(1, 5)
    result = formula_scores(FormulaIndicator(baseline, "increase"), scale, targets)
    scores = result.scores
    for score in scores.values():
        assert scale.minimum <= score.score <= scale.maximum
    ranked = sorted(scores.values(), key=lambda s: s.ambition)
    assert all(a.score <= b.score for a, b in zip(ranked, ranked[1:], strict=False))
    if any(target > baseline for target in targets.values()):
        assert max(s.score for s in scores.values()) == scale.maximum


@BOUNDED
@given(baseline=values, targets=st.dictionaries(st.text("abcdef", min_size=1), values, min_size=1))
def test_decrease_is_increase_mirrored(baseline, targets):
    """Lowering a figure by x is worth what raising its mirror image by x is worth."""
    scale = Scale(0, 10)
    down = formula_scores(FormulaIndicator(baseline, "decrease"), scale, targets)
    mirrored = {k: -v for k, v in targets.items()}
    up = formula_scores(FormulaIndicator(-baseline, "increase"), scale, mirrored)
    assert [s.score for s in down.scores.values()] == [s.score for s in up.scores.values()]


@BOUNDED
@given(baseline=values, target=values, step=st.integers(1, 100), best=st.integers(1, 500))
def test_a_more_ambitious_target_never_scores_lower(baseline, target, step, best):
    """In each direction, moving one's target further the desired way never lowers its score."""
    scale = Scale(0, 10)
    for direction, sign in (("increase", 1), ("decrease", -1)):
        leader = baseline + sign * (abs(target - baseline) + step + best)
        indicator = FormulaIndicator(baseline, direction)
        before = formula_scores(indicator, scale, {"me": target, "leader": leader})
        after = formula_scores(indicator, scale, {"me": target + sign * step, "leader": leader})
        assert after.scores["me"].score >= before.scores["me"].score
        assert before.scores["leader"].score == scale.maximum
