"""The committee page, from both sides: who reads it, who may change it, errors named and kept,
a change after scoring begins needs a reason, and every change shows in the history."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app.challenges import lifecycle
from app.evaluation import committee
from app.evaluation.models import CommitteeChange
from app.organisations.models import Organisation, Role, User
from tests.conftest import post_form, sign_in
from tests.evaluation.test_api import Api
from tests.evaluation.world import AFTER, build


@pytest.fixture
async def world(make):
    return await build(make, proposals_count=2)


async def as_page(client, world, who):
    client.cookies.clear()
    if who is not None:
        await sign_in(client, world.users[who].email)


def url(world) -> str:
    return f"/challenges/{world.challenge.id}/committee"


def chosen(world, chair="chair", evaluators=("eva", "expert"), reason=None) -> dict:
    data = {
        "chair_user_id": str(world.users[chair].id) if chair else "",
        "evaluator_user_ids": [str(world.users[e].id) for e in evaluators],
    }
    if reason is not None:
        data["reason"] = reason
    return data


async def changes(world) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(CommitteeChange))


async def organisation_name(world, who) -> str:
    user = world.users[who]
    return await world.make.db.scalar(
        select(Organisation.name).where(Organisation.id == user.organisation_id)
    )


@pytest.mark.parametrize("who", ["officer", "colleague", "auditor", "chair", "expert"])
async def test_readers_see_the_chair_and_evaluators_with_their_organisations(client, world, who):
    await world.form()
    await as_page(client, world, who)
    page = await client.get(url(world))
    assert page.status_code == 200, page.text
    for member in ("chair", "eva", "expert"):
        assert world.users[member].name in page.text
    assert await organisation_name(world, "expert") in page.text
    assert 'id="scoring-not-started"' in page.text
    managing = who in ("officer", "colleague")
    assert (f'action="{url(world)}"' in page.text) is managing


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_officer", 403), ("other_auditor", 403), ("spare", 403), ("provider", 403)],
)
async def test_outsiders_are_refused_as_the_api_refuses_them(client, world, who, status):
    await world.form()
    await as_page(client, world, who)
    page = await client.get(url(world))
    assert page.status_code == status
    assert world.users["chair"].name not in page.text


async def test_anonymous_is_sent_to_sign_in(client, world):
    page = await client.get(url(world))
    assert page.status_code in (302, 303, 307)
    assert page.headers["location"].startswith("/login")


async def test_the_choice_offers_only_who_may_sit_sorted_by_name(client, world, make):
    switched_off = await make.user(Role.evaluator)
    switched_off.is_active = False
    await make.db.flush()
    await as_page(client, world, "officer")
    page = await client.get(url(world))
    options = [u for u in world.users.values() if f'value="{u.id}"' in page.text]
    expected = {"officer", "colleague", "chair", "eva", "expert", "spare"}
    assert {u.id for u in options} == {world.users[w].id for w in expected}
    assert f'value="{switched_off.id}"' not in page.text
    # In the chair's select, by name.
    select_html = page.text.split('id="f-chair_user_id"')[1].split("</select>")[0]
    shown = [u.name for u in sorted(options, key=lambda u: select_html.index(f'"{u.id}"'))]
    assert shown == sorted(shown, key=lambda n: (n.lower(), n))
    assert await organisation_name(world, "spare") in select_html


async def test_the_officer_forms_the_committee_and_sees_it_confirmed(client, world):
    await as_page(client, world, "officer")
    saved = await post_form(client, url(world), chosen(world), page=url(world))
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == url(world) + "?saved=changed"
    page = await client.get(saved.headers["location"])
    assert 'role="status"' in page.text
    assert world.users["chair"].name in page.text
    assert await changes(world) == 1
    # The chair is chosen in the form, the evaluators ticked.
    assert f'value="{world.users["chair"].id}" selected' in page.text
    assert f'value="{world.users["eva"].id}" checked' in page.text
    again = await post_form(client, url(world), chosen(world), page=url(world))
    assert again.headers["location"] == url(world) + "?saved=same"
    assert await changes(world) == 1


async def test_every_error_is_named_at_once_and_the_choices_kept(client, world):
    await as_page(client, world, "officer")
    bad = await post_form(client, url(world), chosen(world, chair=None, evaluators=("eva",)))
    assert bad.status_code == 422
    summary = bad.text.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#f-chair_user_id"' in summary
    assert 'href="#f-evaluator_user_ids"' in summary
    assert 'id="f-evaluator_user_ids"' in bad.text  # the summary's links lead somewhere
    assert 'aria-invalid="true"' in bad.text
    assert f'value="{world.users["eva"].id}" checked' in bad.text
    assert await changes(world) == 0


async def test_the_same_person_twice_is_refused_on_the_evaluators(client, world):
    await as_page(client, world, "officer")
    bad = await post_form(client, url(world), chosen(world, chair="eva"))
    assert bad.status_code == 422
    assert 'href="#f-evaluator_user_ids"' in bad.text
    assert f'value="{world.users["eva"].id}" selected' in bad.text
    assert await changes(world) == 0


@pytest.mark.parametrize("who", ["chair", "auditor", "other_officer", "provider"])
async def test_only_the_owners_officers_change_it(client, world, who):
    await world.form()
    await as_page(client, world, who)
    refused = await post_form(client, url(world), chosen(world, evaluators=("eva", "spare")))
    assert refused.status_code == 403
    assert await changes(world) == 1


async def test_after_scoring_began_a_change_needs_a_reason_and_the_history_keeps_it(
    client, world, make, clock
):
    await world.form()
    clock.at = clock.at + timedelta(days=AFTER)
    api = Api(world, client, {"eva": await make.token(world.users["eva"])})
    await api.declare("eva")
    await api.score_all("eva")
    await as_page(client, world, "officer")
    page = await client.get(url(world))
    assert 'id="f-reason-hint"' in page.text and "required" in page.text.split('for="f-reason"')[1]

    change = chosen(world, evaluators=("eva", "spare"), reason="")
    refused = await post_form(client, url(world), change, page=url(world))
    assert refused.status_code == 422
    assert 'href="#f-reason"' in refused.text
    assert f'value="{world.users["spare"].id}" checked' in refused.text  # kept
    assert await changes(world) == 1

    reason = "De externe deskundige is ziek; de reservebeoordelaar neemt het over."
    change["reason"] = reason
    done = await post_form(client, url(world), change, page=url(world))
    assert done.status_code == 303, done.text
    page = await client.get(done.headers["location"])
    history = page.text.split('id="s-history"')[1]
    assert reason in history
    # Before and after in names: the expert left, the spare came.
    newest = history.split("<li>")[1]
    before, after = newest.split("<dt>")[2], newest.split("<dt>")[3]
    assert world.users["expert"].name in before and world.users["spare"].name not in before
    assert world.users["spare"].name in after and world.users["expert"].name not in after
    assert world.users["officer"].name in newest  # who changed it


async def test_a_draft_has_no_committee_form_yet(client, world, make):
    draft = await make.challenge(world.users["officer"])
    await as_page(client, world, "officer")
    page = await client.get(f"/challenges/{draft.id}/committee")
    assert page.status_code == 200
    assert f'action="/challenges/{draft.id}/committee"' not in page.text  # publish first
    assert '<p class="notice">' in page.text
    refused = await post_form(
        client, f"/challenges/{draft.id}/committee", chosen(world), page=url(world)
    )
    assert refused.status_code == 409
    await as_page(client, world, "other_officer")
    assert (await client.get(f"/challenges/{draft.id}/committee")).status_code == 404


async def test_users_are_read_in_one_query_however_many_there_are(world, make):
    for _ in range(5):
        await make.user(Role.evaluator)
    ctx = world.ctx("officer")
    statements = []
    engine = make.db.bind.sync_engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        found = await committee.candidates(ctx, world.challenge)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert len(found) == 6 + 5
    assert all(isinstance(user, User) and organisation for user, organisation in found)


async def test_a_cancelled_challenge_shows_its_committee_without_the_form(client, world):

    await world.form()
    await lifecycle.cancel(world.ctx("officer", days=1), world.challenge.id, "Geen budget meer.")
    await as_page(client, world, "officer")
    page = await client.get(url(world))
    assert page.status_code == 200
    assert world.users["chair"].name in page.text
    assert f'action="{url(world)}"' not in page.text
    refused = await post_form(client, url(world), chosen(world, evaluators=("eva", "spare")))
    assert refused.status_code == 409
    assert await changes(world) == 1
