"""The committee: who forms it, who may sit on it, and that every change is kept."""

import pytest
from sqlalchemy import func, select

from app.challenges import lifecycle
from app.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.evaluation import committee
from app.evaluation.models import CommitteeChange, CommitteeMember, Score
from app.evaluation.schemas import CommitteeIn
from tests.evaluation.world import build


@pytest.fixture
async def world(make):
    return await build(make, proposals_count=1)


def body(world, chair="chair", evaluators=("eva", "expert"), reason=None) -> CommitteeIn:
    return CommitteeIn(
        chair_user_id=world.users[chair].id,
        evaluator_user_ids=[world.users[e].id for e in evaluators],
        reason=reason,
    )


async def rows(world) -> tuple:
    db = world.make.db
    members = await db.execute(
        select(CommitteeMember.user_id, CommitteeMember.role, CommitteeMember.removed_at).order_by(
            CommitteeMember.id
        )
    )
    changes = await db.scalar(select(func.count()).select_from(CommitteeChange))
    return [tuple(m) for m in members], changes, len(await world.actions())


async def test_the_owners_officer_forms_the_committee_before_and_after_the_deadline(world):
    assert await world.form(days=1) is True
    _challenge, members = await committee.read_committee(world.ctx("officer"), world.challenge.id)
    assert [(m.user_id, m.role) for m in members] == [
        (world.users["chair"].id, "chair"),
        (world.users["eva"].id, "evaluator"),
        (world.users["expert"].id, "evaluator"),
    ]
    assert (await world.actions()).count("committee.changed") == 1
    # After the deadline it may still change (nothing was scored yet: no reason needed).
    changed = await committee.set_committee(
        world.ctx("officer"), world.challenge.id, body(world, evaluators=("eva", "spare"))
    )
    assert changed is True


async def test_the_same_composition_again_writes_nothing(world):
    await world.form()
    before = await rows(world)
    assert await world.form() is False
    # The order of the evaluators does not make it another committee.
    again = body(world, evaluators=("expert", "eva"))
    assert await committee.set_committee(world.ctx("officer"), world.challenge.id, again) is False
    assert await rows(world) == before


@pytest.mark.parametrize("who", ["colleague"])
async def test_any_officer_of_the_owner_may_manage_it(world, who):
    assert await world.form(who) is True


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("other_officer", Forbidden),
        ("auditor", Forbidden),
        ("admin", Forbidden),
        ("chair", Forbidden),
        ("provider", Forbidden),
    ],
)
async def test_nobody_else_manages_it(world, who, error):
    before = await rows(world)
    with pytest.raises(error):
        await world.form(who)
    assert await rows(world) == before


@pytest.mark.parametrize(
    ("chair", "evaluators", "field"),
    [
        ("chair", ("eva",), "evaluator_user_ids"),  # too few evaluators
        ("chair", ("eva", "eva"), "evaluator_user_ids"),  # a person twice
        ("chair", ("chair", "eva"), "evaluator_user_ids"),  # the chair twice
        ("provider", ("eva", "expert"), "chair_user_id"),  # providers' staff never
        ("chair", ("eva", "auditor"), "evaluator_user_ids.1"),  # auditors audit
        ("chair", ("eva", "admin"), "evaluator_user_ids.1"),
        ("chair", ("eva", "other_officer"), "evaluator_user_ids.1"),  # another municipality
    ],
)
async def test_a_committee_that_cannot_be_is_refused_naming_the_field(
    world, chair, evaluators, field
):
    before = await rows(world)
    with pytest.raises(ValidationFailed) as refused:
        await committee.set_committee(
            world.ctx("officer"), world.challenge.id, body(world, chair, evaluators)
        )
    assert field in refused.value.errors
    assert await rows(world) == before


async def test_a_policy_officer_of_the_owner_and_an_outside_expert_may_sit(world):
    assert await committee.set_committee(
        world.ctx("officer"), world.challenge.id, body(world, "colleague", ("expert", "spare"))
    )


async def test_an_unknown_user_is_refused(world):
    data = CommitteeIn(
        chair_user_id=world.users["chair"].id, evaluator_user_ids=[world.users["eva"].id, 999_999]
    )
    with pytest.raises(ValidationFailed) as refused:
        await committee.set_committee(world.ctx("officer"), world.challenge.id, data)
    assert "evaluator_user_ids.1" in refused.value.errors


async def test_a_change_after_scoring_began_needs_a_reason_and_keeps_the_history(world):
    await world.form()
    criterion = next(c for c in world.challenge.criteria if c.kind == "quality")
    world.make.db.add(
        Score(
            challenge_id=world.challenge.id,
            coalition_id=world.proposals[0].id,
            user_id=world.users["eva"].id,
            criterion_id=criterion.id,
            score=7,
            rationale="Sterk plan.",
            updated_at=world.ctx("eva").now,
        )
    )
    await world.make.db.flush()
    before = await rows(world)
    change = body(world, evaluators=("eva", "spare"))
    with pytest.raises(ValidationFailed) as refused:
        await committee.set_committee(world.ctx("officer"), world.challenge.id, change)
    assert "reason" in refused.value.errors
    assert await rows(world) == before
    change = body(world, evaluators=("eva", "spare"), reason="De expert is ziek geworden.")
    assert await committee.set_committee(world.ctx("officer"), world.challenge.id, change)
    changes = await committee.history(world.ctx("officer"), world.challenge.id)
    assert [c.number for c in changes] == [1, 2]
    last = changes[-1]
    assert last.reason == "De expert is ziek geworden."
    assert last.changed_by_id == world.users["officer"].id
    assert last.old["evaluator_user_ids"] == sorted(
        [world.users["eva"].id, world.users["expert"].id]
    )
    assert last.new["evaluator_user_ids"] == sorted(
        [world.users["eva"].id, world.users["spare"].id]
    )
    # Nothing deleted: the expert's seat is kept, ended.
    expert = await world.make.db.scalar(
        select(CommitteeMember).where(CommitteeMember.user_id == world.users["expert"].id)
    )
    assert expert.removed_at is not None


async def test_a_cancelled_challenge_keeps_its_committee(world):
    await world.form(days=1)
    await lifecycle.cancel(world.ctx("officer", days=1), world.challenge.id, "Geen budget meer.")
    with pytest.raises(InvalidTransition):
        await committee.set_committee(
            world.ctx("officer"), world.challenge.id, body(world, evaluators=("eva", "spare"))
        )


async def test_a_draft_has_no_committee_yet(world, make):
    draft = await make.challenge(world.users["officer"])
    with pytest.raises(InvalidTransition):
        await committee.set_committee(world.ctx("officer"), draft.id, body(world))
    with pytest.raises(NotFound):  # someone else's draft does not exist
        await committee.set_committee(world.ctx("other_officer"), draft.id, body(world))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer", True),
        ("auditor", True),
        ("chair", True),
        ("expert", True),
        ("spare", False),  # an evaluator not on this committee
        ("other_officer", False),
        ("other_auditor", False),
        ("admin", False),
        ("provider", False),
    ],
)
async def test_who_reads_the_committee(world, who, allowed):
    await world.form()
    if allowed:
        _challenge, members = await committee.read_committee(world.ctx(who), world.challenge.id)
        assert len(members) == 3
    else:
        with pytest.raises(Forbidden):
            await committee.read_committee(world.ctx(who), world.challenge.id)


async def test_the_committee_through_the_api(world, make, client):
    token = await make.token(world.users["officer"])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/challenges/{world.challenge.id}/committee"
    users = world.users
    body = {
        "chair_user_id": users["chair"].id,
        "evaluator_user_ids": [users["eva"].id, users["expert"].id],
    }
    first = await client.put(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["chair"]["user_id"] == users["chair"].id
    assert [e["user_id"] for e in answer["evaluators"]] == [users["eva"].id, users["expert"].id]
    assert [h["number"] for h in answer["history"]] == [1]
    again = await client.put(url, json=body, headers=headers)
    assert [h["number"] for h in again.json()["history"]] == [1]
    bad = await client.put(
        url, json={**body, "evaluator_user_ids": [users["eva"].id]}, headers=headers
    )
    assert bad.status_code == 422 and "evaluator_user_ids" in bad.json()["errors"]
    unknown = await client.put(url, json={**body, "members": []}, headers=headers)
    assert unknown.status_code == 422 and "members" in unknown.json()["errors"]
    read = await client.get(url, headers=headers)
    assert read.json() == again.json()
