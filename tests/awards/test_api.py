"""The award through the API: decision, what each bidder sees, objections, standstill, contract."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.awards.models import AwardDecision, DecisionStatus, Objection
from app.challenges.models import Challenge
from app.clock import AMSTERDAM
from app.contracts.models import Contract
from app.organisations.models import User
from tests.api_world import assert_refused
from tests.evaluation.test_api import Api
from tests.evaluation.test_consensus_api import complete, everyone_submits, passes, path
from tests.evaluation.world import AFTER, build

REASONS = {"reasons": "Het voorstel van Samen scoort op elk kwaliteitscriterium het hoogst."}


@pytest.fixture
async def api(make, client, clock):
    world = await build(make)
    await world.form()
    for index, coalition in enumerate(world.proposals):
        # The leads of the three bidders: "provider" leads the first (the winner-to-be).
        world.users.setdefault(f"bidder{index}", await make.db.get(User, coalition.created_by_id))
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    clock.at = clock.at + timedelta(days=AFTER)
    return Api(world, client, tokens)


async def evaluated(api, scores=(8, 6, 4)):
    await everyone_submits(api)
    await complete(api, scores=scores)


async def decided(api):
    await evaluated(api)
    response = await api.call("officer", "POST", "/award", json=REASONS)
    assert response.status_code == 201, response.text
    return response.json()


async def counts(api) -> tuple:
    db = api.world.make.db
    return tuple(
        [
            await db.scalar(select(func.count()).select_from(model))
            for model in (AwardDecision, Objection, Contract, AuditEvent)
        ]
    )


async def test_no_award_while_the_evaluation_is_unfinished(api):
    await everyone_submits(api)
    before = await counts(api)
    response = await api.call("officer", "POST", "/award", json=REASONS)
    assert_refused(response, 409, "evaluation_incomplete")
    assert "consensus" in response.json()["detail"]
    assert await counts(api) == before


async def test_the_decision_goes_to_the_best_ranked_valid_proposal_with_a_standstill(api, clock):
    body = await decided(api)
    winner = api.world.proposals[0]
    assert body["status"] == "standstill"
    assert body["winner_proposal_id"] == str(winner.public_id)
    assert body["winner"] == winner.name
    assert body["reasons"] == REASONS["reasons"]
    decided_day = clock.now().astimezone(AMSTERDAM).date()
    assert date.fromisoformat(body["standstill_last_day"]) == decided_day + timedelta(days=20)
    places = {r["proposal_id"]: r["place"] for r in body["results"]}
    assert places == {str(api.world.pid(i)): i + 1 for i in range(3)}
    first = next(r for r in body["results"] if r["place"] == 1)
    assert all(c["score"] is not None and c["rationale"] for c in first["criteria"])
    assert "award.decided" in await api.world.actions()


async def test_a_bidder_sees_its_own_result_and_the_winners_never_a_third(api):
    await decided(api)
    for who, index in (("bidder1", 1), ("bidder2", 2)):
        response = await api.call(who, "GET", "/award")
        assert response.status_code == 200, response.text
        body = response.json()
        seen = {r["proposal_id"] for r in body["results"]}
        assert seen == {str(api.world.pid(0)), str(api.world.pid(index))}
        assert body["reasons"] == REASONS["reasons"]
        assert body["standstill_last_day"]
    winner = (await api.call("bidder0", "GET", "/award")).json()
    assert [r["proposal_id"] for r in winner["results"]] == [str(api.world.pid(0))]
    for who in ("officer", "auditor"):
        body = (await api.call(who, "GET", "/award")).json()
        assert len(body["results"]) == 3


async def test_before_the_contract_outsiders_do_not_see_the_decision(api):
    await decided(api)
    for who in (None, "other_officer", "other_auditor", "eva", "spare", "admin"):
        response = await api.call(who, "GET", "/award")
        assert_refused(response, 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("other_officer", 403), ("auditor", 403), ("chair", 403), ("bidder1", 403)],
)
async def test_only_the_owners_officers_decide(api, who, status):
    await evaluated(api)
    before = await counts(api)
    response = await api.call(who, "POST", "/award", json=REASONS)
    assert_refused(response, status)
    assert await counts(api) == before


async def test_short_reasons_are_refused_naming_the_field(api):
    await evaluated(api)
    before = await counts(api)
    response = await api.call("officer", "POST", "/award", json={"reasons": ""})
    assert_refused(response, 422)
    assert "reasons" in response.json()["errors"]
    assert await counts(api) == before


async def test_scores_and_consensus_do_not_change_while_a_decision_stands(api):
    await decided(api)
    body = api.full_scores(9)
    response = await api.call("chair", "PUT", path(api, 1, "consensus"), json=body)
    assert_refused(response, 409, "award_in_force")
    response = await api.call("chair", "PUT", path(api, 1, "requirements"), json=passes(api))
    assert_refused(response, 409, "award_in_force")
    again = await api.call("officer", "POST", "/award", json=REASONS)
    assert_refused(again, 409, "award_in_force")


async def test_one_decision_in_force_even_if_two_are_written_at_once(api):
    """The partial unique index is what settles two officers deciding at the same moment."""
    await decided(api)
    db = api.world.make.db
    first = await db.scalar(select(AwardDecision))
    copy = {
        column.key: getattr(first, column.key)
        for column in AwardDecision.__table__.columns
        if column.key != "id"
    }
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            db.add(AwardDecision(**copy))
            await db.flush()


async def test_an_objection_blocks_the_contract_until_it_is_resolved(api, clock):
    await decided(api)
    objection = {"reasons": "De score op het tweede criterium negeert onze bijlage over nazorg."}
    response = await api.call("bidder1", "POST", "/objections", json=objection)
    assert response.status_code == 201, response.text
    lodged = response.json()
    assert lodged["status"] == "open"
    again = await api.call("bidder1", "POST", "/objections", json=objection)
    assert_refused(again, 409, "objection_exists")
    own = await api.call("bidder0", "POST", "/objections", json=objection)
    assert_refused(own, 409, "own_award")
    # The bidder sees its own objection, another bidder not; the municipality all.
    assert len((await api.call("bidder1", "GET", "/objections")).json()) == 1
    assert (await api.call("bidder2", "GET", "/objections")).json() == []
    assert len((await api.call("auditor", "GET", "/objections")).json()) == 1

    clock.at = clock.at + timedelta(days=21)
    late = await api.call("bidder2", "POST", "/objections", json=objection)
    assert_refused(late, 409, "standstill_over")
    before = await counts(api)
    blocked = await api.call("officer", "POST", "/contract", json={})
    assert_refused(blocked, 409, "objection_open")
    assert await counts(api) == before

    resolution = {"outcome": "rejected", "reasons": "De bijlage is gelezen en meegewogen."}
    url = f"/objections/{lodged['id']}/resolution"
    refused = await api.call("bidder1", "POST", url, json=resolution)
    assert_refused(refused, 403)
    done = await api.call("officer", "POST", url, json=resolution)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "rejected"
    twice = await api.call("officer", "POST", url, json=resolution)
    assert_refused(twice, 409, "objection_resolved")

    made = await api.call("officer", "POST", "/contract", json={"fixed_share_bp": 8000})
    assert made.status_code == 201, made.text
    contract = made.json()
    assert contract["coalition"] == api.world.proposals[0].name
    assert contract["payment_model"]["fixed_share_bp"] == 8000
    award = (await api.call(None, "GET", "/award")).json()
    assert award["status"] == "contracted"
    assert award["winner"] == api.world.proposals[0].name
    assert award["reasons"] is None and award["results"] == [] and award["objections"] == []


async def test_no_contract_during_the_standstill(api):
    await decided(api)
    before = await counts(api)
    response = await api.call("officer", "POST", "/contract", json={})
    assert_refused(response, 409, "standstill_running")
    assert await counts(api) == before


async def test_an_upheld_objection_withdraws_the_decision_and_the_committee_evaluates_again(api):
    await decided(api)
    objection = {
        "reasons": "Ons voorstel voldoet wel aan de eis van een Verklaring Omtrent Gedrag."
    }
    lodged = (await api.call("bidder1", "POST", "/objections", json=objection)).json()
    resolution = {"outcome": "upheld", "reasons": "De commissie beoordeelt opnieuw."}
    url = f"/objections/{lodged['id']}/resolution"
    assert (await api.call("officer", "POST", url, json=resolution)).status_code == 200
    award = (await api.call("officer", "GET", "/award")).json()
    assert award["status"] == "withdrawn"
    assert award["withdraw_reason"] == resolution["reasons"]
    # The chair may now change the consensus; the new ranking has a new winner.
    body = api.full_scores(10)
    ok = await api.call("chair", "PUT", path(api, 1, "consensus"), json=body)
    assert ok.status_code == 200, ok.text
    again = await api.call("officer", "POST", "/award", json=REASONS)
    assert again.status_code == 201, again.text
    assert again.json()["winner_proposal_id"] == str(api.world.pid(1))
    decisions = list(await api.world.make.db.scalars(select(AwardDecision.status)))
    assert sorted(decisions) == [DecisionStatus.standstill, DecisionStatus.withdrawn]


async def test_the_officer_may_withdraw_the_decision_with_a_reason(api):
    await decided(api)
    refused = await api.call("bidder1", "POST", "/award/withdraw", json={"reason": "Zomaar."})
    assert_refused(refused, 403)
    short = await api.call("officer", "POST", "/award/withdraw", json={"reason": ""})
    assert_refused(short, 422)
    response = await api.call("officer", "POST", "/award/withdraw", json={"reason": "Rekenfout."})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    twice = await api.call("officer", "POST", "/award/withdraw", json={"reason": "Rekenfout."})
    assert_refused(twice, 409, "no_award")
    assert "award.withdrawn" in await api.world.actions()


async def test_no_valid_proposal_ends_the_challenge_unsuccessful(api):
    await everyone_submits(api)
    fail = passes(api, passed=False, reason="Geen Verklaring Omtrent Gedrag.")
    for index in range(3):
        ok = await api.call("chair", "PUT", path(api, index, "requirements"), json=fail)
        assert ok.status_code == 200, ok.text
    refused = await api.call("officer", "POST", "/award", json=REASONS)
    assert_refused(refused, 409, "no_valid_proposal")
    reason = {"reason": "Geen enkel voorstel voldoet aan de minimumeisen."}
    response = await api.call("officer", "POST", "/unsuccessful", json=reason)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "unsuccessful"
    challenge = await api.world.make.db.get(Challenge, api.world.challenge.id)
    await api.world.make.db.refresh(challenge)
    assert challenge.unsuccessful_reason == reason["reason"]
    after = await api.call("officer", "POST", "/award", json=REASONS)
    assert_refused(after, 409, "not_in_evaluation")


async def test_a_challenge_with_a_valid_proposal_is_not_unsuccessful(api):
    await evaluated(api)
    before = await counts(api)
    response = await api.call("officer", "POST", "/unsuccessful", json={"reason": "Te duur."})
    assert_refused(response, 409, "valid_proposal_exists")
    assert await counts(api) == before
