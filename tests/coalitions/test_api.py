"""Every write of the coalition API, from both sides: who may do it succeeds and sees the effect,
who may not is refused with the right status and a clear message, and nothing changes."""

from collections.abc import Callable

import pytest

from tests.api_world import (
    MISSING,
    OUTSIDERS,
    World,
    assert_refused,
    build_world,
    submit_complete,
)
from tests.factories import coalition_of


@pytest.fixture
async def world(make, client, app, db) -> World:
    return await build_world(make, client, app, db)


Request = tuple[str, str, dict]

# Each write as (method, url, keyword arguments), with a valid body.
WRITES: dict[str, Callable[[World], Request]] = {
    "start": lambda w: (
        "POST",
        f"/api/v1/challenges/{w.challenge.id}/coalitions",
        {"json": {"name": "Nieuwe coalitie", "role": "penvoerder"}},
    ),
    "invite": lambda w: (
        "POST",
        f"{w.url}/invitations",
        {"json": {"organisation_id": w.org("other_provider")}},
    ),
    "respond": lambda w: ("POST", f"{w.url}/response", {"json": {"accept": True}}),
    "membership": lambda w: (
        "PUT",
        f"{w.url}/membership",
        {"json": {"role": "jeugdhulp", "contribution": "Twee coaches"}},
    ),
    "leave": lambda w: ("POST", f"{w.url}/leave", {}),
    "remove": lambda w: ("DELETE", f"{w.url}/members/{w.org('invitee')}", {}),
}
COALITION_WRITES = [name for name in WRITES if name != "start"]

# Who may do each write in the world above.
ALLOWED = {
    "start": "other_provider",
    "invite": "lead",
    "respond": "invitee",
    "membership": "partner",
    "leave": "partner",
    "remove": "lead",
}

# Signed in, and refused: (write, who, status, code).
REFUSED = [
    *[("start", who, 403, "forbidden") for who in ("officer", "admin", "auditor", "evaluator")],
    ("start", "lead", 409, "already_in_coalition"),
    ("start", "partner", 409, "already_in_coalition"),
    ("invite", "partner", 403, "forbidden"),
    ("invite", "invitee", 403, "forbidden"),
    ("respond", "lead", 403, "forbidden"),
    ("respond", "partner", 403, "forbidden"),
    ("membership", "invitee", 403, "forbidden"),
    ("leave", "lead", 403, "forbidden"),
    ("leave", "invitee", 403, "forbidden"),
    ("remove", "partner", 403, "forbidden"),
    ("remove", "invitee", 403, "forbidden"),
    *[(write, who, 404, "not_found") for write in COALITION_WRITES for who in OUTSIDERS],
]


async def write(world: World, name: str, who: str):
    method, url, kwargs = WRITES[name](world)
    return await world.call(who, method, url, **kwargs)


async def coalition_as(world: World, who: str, public_id=None) -> dict:
    url = f"/api/v1/coalitions/{public_id}" if public_id else world.url
    response = await world.call(who, "GET", url)
    assert response.status_code == 200, response.text
    return response.json()


def member(coalition: dict, organisation_id: int) -> dict:
    return next(m for m in coalition["members"] if m["organisation_id"] == organisation_id)


# --- Who may: the write succeeds and its effect is visible through the API and in the audit.


async def test_a_provider_starts_a_coalition_and_leads_it(world):
    before = await world.audit_actions()
    response = await write(world, "start", "other_provider")
    assert response.status_code == 201, response.text
    started = response.json()
    org = world.org("other_provider")
    assert (started["name"], started["lead_organisation_id"]) == ("Nieuwe coalitie", org)
    assert [
        (m["organisation_id"], m["status"], m["lead"], m["role"]) for m in started["members"]
    ] == [(org, "accepted", True, "penvoerder")]
    assert await coalition_as(world, "other_provider", started["id"]) == started
    mine = (await world.call("other_provider", "GET", "/api/v1/coalitions")).json()
    assert [c["id"] for c in mine] == [started["id"]]
    assert await world.audit_actions() == [*before, "coalition.started"]


async def test_the_lead_invites_and_the_invited_organisation_sees_the_invitation(world):
    before = await world.audit_actions()
    response = await write(world, "invite", "lead")
    assert response.status_code == 201, response.text
    invited = member(response.json(), world.org("other_provider"))
    assert (invited["status"], invited["lead"]) == ("invited", False)
    assert member(await coalition_as(world, "lead"), world.org("other_provider")) == invited
    seen = await coalition_as(world, "other_provider")
    assert member(seen, world.org("other_provider"))["status"] == "invited"
    mine = (await world.call("other_provider", "GET", "/api/v1/coalitions")).json()
    assert [c["id"] for c in mine] == [str(world.coalition.public_id)]
    assert await world.audit_actions() == [*before, "coalition.invited"]


async def test_the_invited_organisation_accepts(world):
    before = await world.audit_actions()
    response = await world.call(
        "invitee",
        "POST",
        f"{world.url}/response",
        json={"accept": True, "role": "onderwijs", "contribution": "Een leerplichtambtenaar"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["organisation_id"], answer["status"]) == (world.org("invitee"), "accepted")
    seen = member(await coalition_as(world, "lead"), world.org("invitee"))
    assert (seen["status"], seen["role"], seen["contribution"]) == (
        "accepted",
        "onderwijs",
        "Een leerplichtambtenaar",
    )
    assert await world.audit_actions() == [*before, "coalition.accepted"]


async def test_the_invited_organisation_declines_and_no_longer_sees_the_coalition(world):
    before = await world.audit_actions()
    response = await world.call("invitee", "POST", f"{world.url}/response", json={"accept": False})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "declined"
    assert member(await coalition_as(world, "lead"), world.org("invitee"))["status"] == "declined"
    assert_refused(await world.call("invitee", "GET", world.url), 404, "not_found")
    assert (await world.call("invitee", "GET", "/api/v1/coalitions")).json() == []
    assert await world.audit_actions() == [*before, "coalition.declined"]


@pytest.mark.parametrize("who", ["lead", "partner"])
async def test_an_accepted_member_states_its_role_and_contribution(world, who):
    before = await world.audit_actions()
    response = await write(world, "membership", who)
    assert response.status_code == 200, response.text
    assert member(response.json(), world.org(who))["role"] == "jeugdhulp"
    seen = member(await coalition_as(world, "lead"), world.org(who))
    assert (seen["role"], seen["contribution"]) == ("jeugdhulp", "Twee coaches")
    assert await world.audit_actions() == [*before, "coalition.membership_updated"]


async def test_a_member_leaves_and_is_then_free_to_start_its_own(world):
    before = await world.audit_actions()
    response = await write(world, "leave", "partner")
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert member(await coalition_as(world, "lead"), world.org("partner"))["status"] == "left"
    assert_refused(await world.call("partner", "GET", world.url), 404, "not_found")
    assert await world.audit_actions() == [*before, "coalition.left"]
    assert (await write(world, "start", "partner")).status_code == 201


@pytest.mark.parametrize("removed", ["invitee", "partner"])
async def test_the_lead_withdraws_an_invitation_or_removes_a_member(world, removed):
    before = await world.audit_actions()
    response = await world.call("lead", "DELETE", f"{world.url}/members/{world.org(removed)}")
    assert response.status_code == 200, response.text
    assert member(response.json(), world.org(removed))["status"] == "left"
    assert member(await coalition_as(world, "lead"), world.org(removed))["status"] == "left"
    assert_refused(await world.call(removed, "GET", world.url), 404, "not_found")
    assert await world.audit_actions() == [*before, "coalition.member_removed"]


# --- Who may not: refused with the right status and a clear JSON error, and nothing changed.


@pytest.mark.parametrize("name", WRITES)
async def test_anonymous_callers_are_asked_to_sign_in(world, name):
    before = await world.state()
    assert_refused(await write(world, name, "public"), 401, "not_authenticated")
    assert await world.state() == before


@pytest.mark.parametrize(("name", "who", "status", "code"), REFUSED)
async def test_callers_who_may_not_are_refused_and_nothing_changes(world, name, who, status, code):
    before = await world.state()
    assert_refused(await write(world, name, who), status, code)
    assert await world.state() == before


@pytest.mark.parametrize("moment", ["before_deadline", "after_deadline_nothing_submitted"])
@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", COALITION_WRITES)
async def test_outsiders_get_the_same_answer_for_a_sealed_coalition_as_for_a_missing_one(
    world, name, who, moment
):
    """After the deadline too, if the coalition submitted nothing: nothing of it was opened."""
    if moment != "before_deadline":
        world.past_the_deadline()
    before = await world.state()
    method, url, kwargs = WRITES[name](world)
    sealed = await world.call(who, method, url, **kwargs)
    missing = await world.call(
        who, method, url.replace(str(world.coalition.public_id), MISSING), **kwargs
    )
    assert (sealed.status_code, sealed.json()) == (missing.status_code, missing.json())
    assert sealed.status_code == 404
    assert await world.state() == before


@pytest.mark.parametrize("name", WRITES)
async def test_anonymous_callers_learn_nothing_about_a_missing_coalition(world, name):
    """Sign-in comes before any lookup: a missing coalition or challenge is not news to them."""
    method, url, kwargs = WRITES[name](world)
    url = url.replace(str(world.coalition.public_id), MISSING)
    url = url.replace(f"/challenges/{world.challenge.id}/", "/challenges/2000000000/")
    response = await world.call("public", method, url, **kwargs)
    assert_refused(response, 401, "not_authenticated")


CLOSINGS = [(name, closing) for name in WRITES for closing in ("deadline", "cancelled")]


@pytest.mark.parametrize(("name", "closing"), CLOSINGS)
async def test_nothing_changes_once_the_challenge_closes(world, name, closing):
    if closing == "deadline":
        world.past_the_deadline()
    else:
        await world.cancel_challenge()
    before = await world.state()
    assert_refused(await write(world, name, ALLOWED[name]), 409, "deadline_passed")
    assert await world.state() == before


@pytest.mark.parametrize("name", COALITION_WRITES)
async def test_after_the_deadline_the_municipality_may_read_an_opened_coalition_not_change_it(
    world, name
):
    await submit_complete(world)
    world.past_the_deadline()
    assert (await world.call("officer", "GET", world.url)).status_code == 200
    before = await world.state()
    assert_refused(await write(world, name, "officer"), 403, "forbidden")
    assert await world.state() == before


async def test_nobody_leaves_or_is_removed_once_the_proposal_is_submitted(world):
    await submit_complete(world)
    before = await world.state()
    assert_refused(await write(world, "leave", "partner"), 409, "submitted")
    removal = f"{world.url}/members/{world.org('partner')}"
    assert_refused(await world.call("lead", "DELETE", removal), 409, "submitted")
    assert await world.state() == before


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("partner", 409, "already_member"),
        ("invitee", 409, "already_member"),
        ("lead", 409, "already_member"),
        ("officer", 404, "not_found"),  # a municipality cannot join a coalition
        (2_000_000_000, 404, "not_found"),
        (0, 422, "validation_error"),
    ],
)
async def test_the_lead_cannot_invite_members_again_municipalities_or_nobody(
    world, target, status, code
):
    organisation_id = world.org(target) if isinstance(target, str) else target
    before = await world.state()
    response = await world.call(
        "lead", "POST", f"{world.url}/invitations", json={"organisation_id": organisation_id}
    )
    assert_refused(response, status, code)
    assert await world.state() == before


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("lead", 409, "lead"),
        ("other_provider", 404, "not_found"),
        ("officer", 404, "not_found"),
        (2_000_000_000, 404, "not_found"),
    ],
)
async def test_the_lead_cannot_remove_itself_or_organisations_outside(world, target, status, code):
    organisation_id = world.org(target) if isinstance(target, str) else target
    before = await world.state()
    response = await world.call("lead", "DELETE", f"{world.url}/members/{organisation_id}")
    assert_refused(response, status, code)
    assert await world.state() == before


async def test_what_was_left_or_declined_cannot_be_left_or_removed_again(world):
    assert (await write(world, "remove", "lead")).status_code == 200
    before = await world.state()
    assert_refused(await write(world, "remove", "lead"), 404, "not_found")
    assert_refused(await write(world, "respond", "invitee"), 404, "not_found")
    assert await world.state() == before


async def test_an_organisation_in_another_coalition_cannot_accept(world):
    await coalition_of(world.make, world.challenge, world.users["other_provider"])
    other = await world.call("other_provider", "GET", "/api/v1/coalitions")
    other_url = f"/api/v1/coalitions/{other.json()[0]['id']}"
    invited = await world.call(
        "other_provider",
        "POST",
        f"{other_url}/invitations",
        json={"organisation_id": world.org("partner")},
    )
    assert invited.status_code == 201, invited.text
    before = await world.state()
    response = await world.call("partner", "POST", f"{other_url}/response", json={"accept": True})
    assert_refused(response, 409, "already_in_coalition")
    assert await world.state() == before


@pytest.mark.parametrize(("challenge", "status"), [("draft", 404), ("missing", 404)])
async def test_a_coalition_starts_only_on_a_published_challenge(world, challenge, status):
    if challenge == "draft":
        challenge_id = (await world.make.challenge(world.users["officer"])).id
    else:
        challenge_id = 2_000_000_000
    before = await world.state()
    response = await world.call(
        "other_provider",
        "POST",
        f"/api/v1/challenges/{challenge_id}/coalitions",
        json={"name": "Te vroeg"},
    )
    assert_refused(response, status, "not_found")
    assert await world.state() == before
