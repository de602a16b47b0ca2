"""The chair's requirements and consensus, the report and the final ranking, through the API."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import Forbidden
from app.evaluation import committee, report
from app.evaluation.models import LotSeed
from app.evaluation.schemas import CommitteeIn
from tests.api_world import assert_refused
from tests.evaluation.test_api import Api
from tests.evaluation.world import AFTER, build

MEMBERS = ("chair", "eva", "expert")


@pytest.fixture
async def api(make, client, clock):
    world = await build(make)
    await world.form()
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    clock.at = clock.at + timedelta(days=AFTER)
    return Api(world, client, tokens)


def path(api, index, what):
    return f"/evaluation/proposals/{api.world.pid(index)}/{what}"


def passes(api, passed=True, reason=""):
    return {
        "verdicts": [
            {"requirement_id": r.id, "passed": passed, "reason": reason}
            for r in api.world.challenge.requirements
        ]
    }


async def everyone_submits(api, conflicts=None, who=MEMBERS):
    conflicts = conflicts or {}
    for member in who:
        await api.declare(member, conflicts=conflicts.get(member, ()))
        await api.score_all(member, skip=conflicts.get(member, ()))
        response = await api.call(member, "POST", "/evaluation/submit")
        assert response.status_code == 200, response.text


async def complete(api, scores=(8, 6, 4), skip=()):
    for index, score in enumerate(scores):
        if index in skip:
            continue
        ok = await api.call("chair", "PUT", path(api, index, "requirements"), json=passes(api))
        assert ok.status_code == 200, ok.text
        body = api.full_scores(score)
        ok = await api.call("chair", "PUT", path(api, index, "consensus"), json=body)
        assert ok.status_code == 200, ok.text


async def test_consensus_waits_for_every_member_who_judges_and_says_how_many(api):
    await everyone_submits(api, who=("chair", "eva"))
    await api.declare("expert")
    before = await api.state()
    response = await api.call("chair", "PUT", path(api, 0, "consensus"), json=api.full_scores())
    assert_refused(response, 409, "not_all_submitted")
    assert "1" in response.json()["detail"]
    assert await api.state() == before


async def test_only_the_chair_records_requirements_and_consensus(api):
    await everyone_submits(api)
    for who in ("eva", "expert"):
        for what, body in (("requirements", passes(api)), ("consensus", api.full_scores())):
            response = await api.call(who, "PUT", path(api, 0, what), json=body)
            assert_refused(response, 403, "not_chair")
    for who in ("officer", "auditor", "spare", "provider"):
        response = await api.call(who, "PUT", path(api, 0, "consensus"), json=api.full_scores())
        assert_refused(response, 403)
    ok = await api.call("chair", "PUT", path(api, 0, "consensus"), json=api.full_scores())
    assert ok.status_code == 200, ok.text
    criteria = ok.json()["criteria"]
    assert [c["consensus"] for c in criteria] == [7] * len(api.quality())
    # Side by side: the three members' scores, no large spread (all 7).
    assert all(len(c["individual"]) == 3 and not c["spread"]["large"] for c in criteria)


async def test_a_recused_chair_is_told_the_officer_must_change_the_committee(api):
    await everyone_submits(api, conflicts={"chair": (1,)})
    before = await api.state()
    for what, body in (("requirements", passes(api)), ("consensus", api.full_scores())):
        response = await api.call("chair", "PUT", path(api, 1, what), json=body)
        assert_refused(response, 409, "chair_recused")
    assert await api.state() == before


async def test_a_large_spread_is_highlighted(api):
    for member, score in (("chair", 2), ("eva", 9), ("expert", 5)):
        await api.declare(member)
        for index in range(3):
            await api.call(member, "PUT", path(api, index, "scores"), json=api.full_scores(score))
        await api.call(member, "POST", "/evaluation/submit")
    body = (await api.call("chair", "GET", path(api, 0, "consensus"))).json()
    spread = body["criteria"][0]["spread"]
    assert (spread["lowest"], spread["highest"], spread["large"]) == ("2", "9", True)


@pytest.mark.parametrize(
    ("verdict", "field"),
    [
        ({"passed": False, "reason": ""}, "verdicts.0.reason"),
        ({"passed": True, "requirement_id": 999_999}, "verdicts.0.requirement_id"),
    ],
)
async def test_bad_verdicts_are_refused_naming_the_field(api, verdict, field):
    await everyone_submits(api)
    before = await api.state()
    body = {"verdicts": [{"requirement_id": api.world.challenge.requirements[0].id, **verdict}]}
    response = await api.call("chair", "PUT", path(api, 0, "requirements"), json=body)
    assert_refused(response, 422)
    assert field in response.json()["errors"]
    assert await api.state() == before


async def test_bad_consensus_is_refused_and_nothing_changes(api):
    await everyone_submits(api)
    before = await api.state()
    body = {"scores": [{"criterion_id": api.quality()[0].id, "score": 42, "rationale": ""}]}
    response = await api.call("chair", "PUT", path(api, 0, "consensus"), json=body)
    assert_refused(response, 422)
    assert {"scores.0.score", "scores.0.rationale"} <= set(response.json()["errors"])
    assert await api.state() == before


async def test_the_report_ranks_with_totals_exclusions_and_the_tie_break(api):
    await everyone_submits(api)
    await complete(api, scores=(8, 6, 4), skip=(2,))
    fail = passes(api, passed=False, reason="Geen AVG-verklaring.")
    await api.call("chair", "PUT", path(api, 2, "requirements"), json=fail)
    response = await api.call("officer", "GET", "/evaluation/report")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["complete"] is True and body["missing"] == []
    ranking = body["ranking"]
    assert [p["proposal_id"] for p in ranking["places"]] == [
        str(api.world.pid(0)),
        str(api.world.pid(1)),
    ]
    assert ranking["excluded"] == [str(api.world.pid(2))]
    assert ranking["seed"] is None  # no lot was needed, so none was drawn
    # Aanpak (60) and Onderbouwing (25) at 8 of 10 give 68; the formula criterion (15): targets
    # 40 and 50 over a baseline of 22, the excluded 60 no longer the best, so 10 × 18/28 = 6.43
    # as shown, and 15 × 0.643 = 9.645: 77.645, rounded half up once to 77.65.
    first = ranking["places"][0]
    assert first["total"] == "77.65"
    assert ranking["places"][1]["total"] == "66.00"  # 51 at 6 of 10, and 15: the best valid

    assert len(body["declarations"]) == 9
    assert body["proposals"][2]["excluded"] is True
    assert await api.world.make.db.scalar(select(LotSeed.seed)) is None


async def test_a_tie_that_remains_is_decided_by_a_lot_drawn_once_and_audited(make, client, clock):
    # Equal targets and equal consensus: equal totals, equal on every criterion, so a lot.
    world = await build(make, step=0)
    await world.form()
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    clock.at = clock.at + timedelta(days=AFTER)
    api = Api(world, client, tokens)
    await everyone_submits(api)
    await complete(api, scores=(6, 6, 6))
    assert await make.db.scalar(select(LotSeed.seed)) is None  # not drawn before it is needed
    first = (await api.call("officer", "GET", "/evaluation/report")).json()["ranking"]
    second = (await api.call("auditor", "GET", "/evaluation/report")).json()["ranking"]
    assert first == second  # drawn once, then read back
    assert first["seed"] and len(first["lots"]) == 1
    assert {p["decided_by"] for p in first["places"]} == {"lot"}
    assert [str(p) for p in first["lots"][0]["proposals"]] == [
        p["proposal_id"] for p in first["places"]
    ]
    assert list(await make.db.scalars(select(LotSeed.seed))) == [first["seed"]]
    drawn = await make.db.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "evaluation.lot_seed_drawn")
    )
    assert list(drawn) == ["evaluation.lot_seed_drawn"]


async def test_while_incomplete_there_is_no_ranking(api):
    await everyone_submits(api)
    body = (await api.call("officer", "GET", "/evaluation/report")).json()
    assert body["complete"] is False and body["ranking"] is None
    assert body["missing"]
    assert await report.final_ranking(api.world.ctx("officer"), api.world.challenge.id) is None


async def test_final_ranking_for_the_award(api):
    await everyone_submits(api)
    await complete(api)
    ranking = await report.final_ranking(api.world.ctx("officer"), api.world.challenge.id)
    assert ranking.winner.proposal == str(api.world.pid(0))
    with pytest.raises(Forbidden):
        await report.final_ranking(api.world.ctx("provider"), api.world.challenge.id)


@pytest.mark.parametrize("who", ["officer", "auditor", "chair", "eva"])
async def test_who_reads_the_report(api, who):
    await everyone_submits(api)
    assert (await api.call(who, "GET", "/evaluation/report")).status_code == 200


@pytest.mark.parametrize("who", ["other_officer", "other_auditor", "admin", "provider", "spare"])
async def test_who_does_not_read_the_report(api, who):
    assert_refused(await api.call(who, "GET", "/evaluation/report"), 403)


async def test_a_recused_member_finds_nothing_of_that_proposal_in_the_report(api):
    await everyone_submits(api, conflicts={"eva": (1,)})
    await complete(api)
    body = (await api.call("eva", "GET", "/evaluation/report")).json()
    hidden = str(api.world.pid(1))
    assert hidden not in [p["proposal_id"] for p in body["proposals"]]
    assert hidden not in [d["proposal_id"] for d in body["declarations"]]
    assert hidden not in [p["proposal_id"] for p in body["ranking"]["places"]]
    officer = (await api.call("officer", "GET", "/evaluation/report")).json()
    assert hidden in [p["proposal_id"] for p in officer["proposals"]]


async def test_what_is_missing_names_no_proposal_the_reader_is_recused_from(api):
    await everyone_submits(api, conflicts={"eva": (1,)})
    name = api.world.proposals[1].name
    officer = (await api.call("officer", "GET", "/evaluation/report")).json()
    assert any(name in line for line in officer["missing"])
    body = (await api.call("eva", "GET", "/evaluation/report")).json()
    assert body["missing"] and not any(name in line for line in body["missing"])
    await complete(api)  # every proposal agreed: nothing missing for anyone
    assert (await api.call("eva", "GET", "/evaluation/report")).json()["missing"] == []


async def test_a_member_who_has_not_submitted_sees_no_scores_in_the_report(api):
    await api.declare("eva")
    await api.score_all("eva")
    await everyone_submits(api, who=("chair", "expert"))
    body = (await api.call("eva", "GET", "/evaluation/report")).json()
    assert body["proposals"] == [] and body["declarations"] == []


async def test_the_seated_officer_reads_the_report_as_a_member(api):
    users = api.world.users
    data = CommitteeIn(
        chair_user_id=users["chair"].id,
        evaluator_user_ids=[users["eva"].id, users["colleague"].id],
    )
    await committee.set_committee(api.world.ctx("officer"), api.world.challenge.id, data)
    body = (await api.call("colleague", "GET", "/evaluation/report")).json()
    assert body["proposals"] == []  # not declared, not submitted: nothing of any proposal
    assert len((await api.call("officer", "GET", "/evaluation/report")).json()["proposals"]) == 3


async def test_before_the_deadline_the_report_is_sealed(make, client):
    world = await build(make, proposals_count=1)
    token = await make.token(world.users["officer"])
    response = await client.get(
        f"/api/v1/challenges/{world.challenge.id}/evaluation/report",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_refused(response, 409, "sealed")


async def test_on_a_cancelled_challenge_nothing_of_the_evaluation_changes(api):
    from app.challenges import lifecycle

    await api.declare("eva")
    await lifecycle.cancel(api.world.ctx("officer"), api.world.challenge.id, "Geen budget meer.")
    before = await api.state()
    response = await api.call("eva", "PUT", path(api, 0, "scores"), json=api.full_scores())
    assert_refused(response, 409, "cancelled")
    assert_refused(
        await api.call(
            "chair",
            "POST",
            "/evaluation/declarations",
            json={"declarations": [{"proposal_id": str(api.world.pid(0)), "conflict": False}]},
        ),
        409,
        "cancelled",
    )
    assert await api.state() == before


async def test_a_member_who_left_no_longer_counts_in_the_spread(api):
    await everyone_submits(api)
    users = api.world.users
    change = CommitteeIn(
        chair_user_id=users["chair"].id,
        evaluator_user_ids=[users["eva"].id, users["spare"].id],
        reason="De expert is vertrokken.",
    )
    await committee.set_committee(api.world.ctx("officer"), api.world.challenge.id, change)
    body = (await api.call("chair", "GET", path(api, 0, "consensus"))).json()
    people = {i["user_id"] for i in body["criteria"][0]["individual"]}
    assert people == {users["chair"].id, users["eva"].id}
    # The newcomer has not scored: the consensus waits for them.
    assert body["waiting_for"] == 1
    response = await api.call("chair", "PUT", path(api, 0, "consensus"), json=api.full_scores())
    assert_refused(response, 409, "not_all_submitted")


async def test_a_draft_past_its_deadline_has_no_report(api, make):
    from app.errors import Forbidden as Refused

    draft = await make.challenge(api.world.users["officer"])
    with pytest.raises(Refused):
        await report.final_ranking(api.world.ctx("officer", days=2 * AFTER), draft.id)
