"""Once the chair has recorded a consensus, the people who reached it stay the committee:
nobody joins (a newcomer would count for a consensus they never saw) and nobody leaves, with a
clear 409; roles may still change, so a chair recused from a proposal hands over."""

import pytest
from sqlalchemy import func, select

from app.evaluation.models import CommitteeChange, CommitteeMember
from tests.api_world import assert_refused
from tests.conftest import post_form, sign_in
from tests.evaluation.test_consensus_api import api as api  # noqa: F401  (the scored world)
from tests.evaluation.test_consensus_api import everyone_submits, passes, path


def committee(api, chair="chair", evaluators=("eva", "expert"), reason="Herindeling.") -> dict:
    users = api.world.users
    return {
        "chair_user_id": users[chair].id,
        "evaluator_user_ids": [users[e].id for e in evaluators],
        "reason": reason,
    }


async def seated(api) -> list[tuple[int, str]]:
    rows = await api.world.make.db.execute(
        select(CommitteeMember.user_id, CommitteeMember.role)
        .where(CommitteeMember.removed_at.is_(None))
        .order_by(CommitteeMember.user_id)
    )
    return [(user_id, role.value) for user_id, role in rows]


async def changes(api) -> int:
    return await api.world.make.db.scalar(select(func.count()).select_from(CommitteeChange))


async def consensus_on_the_first(api, chair="chair") -> None:
    ok = await api.call(chair, "PUT", path(api, 0, "requirements"), json=passes(api))
    assert ok.status_code == 200, ok.text
    ok = await api.call(chair, "PUT", path(api, 0, "consensus"), json=api.full_scores())
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    "evaluators",
    [("eva", "expert", "spare"), ("eva", "spare"), ("eva",)],
    ids=["one-joins", "one-is-replaced", "one-leaves"],
)
async def test_nobody_joins_or_leaves_once_a_consensus_is_recorded(api, evaluators):
    await everyone_submits(api)
    await consensus_on_the_first(api)
    before = (await seated(api), await changes(api), await api.state())
    response = await api.call(
        "officer", "PUT", "/committee", json=committee(api, "chair", evaluators)
    )
    assert_refused(response, 409, "consensus_recorded")
    assert "voorzitter" in response.json()["detail"]
    assert (await seated(api), await changes(api), await api.state()) == before


async def test_before_any_consensus_a_member_may_still_join(api):
    await everyone_submits(api)
    response = await api.call(
        "officer", "PUT", "/committee", json=committee(api, "chair", ("eva", "expert", "spare"))
    )
    assert response.status_code == 200, response.text


async def test_a_recused_chair_hands_over_to_a_member_after_a_consensus(api):
    await everyone_submits(api, conflicts={"chair": (1,)})
    await consensus_on_the_first(api)
    refused = await api.call("chair", "PUT", path(api, 1, "consensus"), json=api.full_scores())
    assert_refused(refused, 409, "chair_recused")
    users = api.world.users
    swap = committee(api, "eva", ("chair", "expert"), reason="De voorzitter is teruggetrokken.")
    response = await api.call("officer", "PUT", "/committee", json=swap)
    assert response.status_code == 200, response.text
    assert await seated(api) == sorted(
        [
            (users["eva"].id, "chair"),
            (users["chair"].id, "evaluator"),
            (users["expert"].id, "evaluator"),
        ]
    )
    ok = await api.call("eva", "PUT", path(api, 1, "requirements"), json=passes(api))
    assert ok.status_code == 200, ok.text
    ok = await api.call("eva", "PUT", path(api, 1, "consensus"), json=api.full_scores())
    assert ok.status_code == 200, ok.text


async def test_the_committee_page_says_the_members_are_fixed(client, api):
    await everyone_submits(api)
    await consensus_on_the_first(api)
    page = f"/challenges/{api.world.challenge.id}/committee"
    client.cookies.clear()
    await sign_in(client, api.world.users["officer"].email)
    shown = await client.get(page)
    assert shown.status_code == 200 and 'id="members-fixed"' in shown.text
    before = (await seated(api), await changes(api))
    users = api.world.users
    response = await post_form(
        client,
        page,
        {
            "chair_user_id": str(users["chair"].id),
            "evaluator_user_ids": [str(users["eva"].id), str(users["spare"].id)],
            "reason": "De expert vertrekt.",
        },
        page=page,
    )
    assert response.status_code == 409
    assert "leden die haar bereikten" in response.text
    assert (await seated(api), await changes(api)) == before
