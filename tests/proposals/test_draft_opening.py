"""A draft takes no proposals, so it has no opening, even when its deadline lies in the past:
its own officers hear so (409 "draft") on the page and through the API, and no opening record
is made; to anyone else the draft does not exist."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.organisations.models import OrganisationKind, Role
from app.proposals.models import ProposalOpening
from tests.conftest import sign_in

ROUTES = [
    "/challenges/{id}/opening",
    "/api/v1/challenges/{id}/opening",
    "/api/v1/challenges/{id}/proposals",
]


@pytest.fixture
async def world(make, app):
    home = await make.org(OrganisationKind.municipality)
    officer = await make.user(Role.policy_officer, org=home)
    others = {
        "auditor": await make.user(Role.auditor, org=home),
        "other_officer": await make.user(Role.policy_officer),
        "provider": await make.user(Role.provider_member),
    }
    draft = await make.challenge(officer)  # its submission deadline: 30 days on

    def past_its_deadline() -> None:
        make.clock.advance(timedelta(days=31))
        app.state.clock_offset_cache = None

    return make, officer, others, draft, past_its_deadline


async def ask(client, make, user, route: str, draft):
    path = route.format(id=draft.id)
    if path.startswith("/api/"):
        token = await make.token(user)
        return await client.get(path, headers={"Authorization": f"Bearer {token}"})
    client.cookies.clear()
    await sign_in(client, user.email)
    return await client.get(path)


async def openings(make) -> int:
    return await make.db.scalar(select(func.count()).select_from(ProposalOpening))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("past", [False, True], ids=["before-its-deadline", "past-its-deadline"])
async def test_a_drafts_officer_hears_it_has_no_opening(client, world, route, past):
    make, officer, _others, draft, past_its_deadline = world
    if past:
        past_its_deadline()
    response = await ask(client, make, officer, route, draft)
    assert response.status_code == 409, response.text
    if route.startswith("/api/"):
        assert response.json()["code"] == "draft"
        assert "concept" in response.json()["detail"]
    else:
        assert "concept" in response.text and "opening" in response.text
    assert await openings(make) == 0


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", ["auditor", "other_officer", "provider"])
async def test_to_anyone_else_the_draft_does_not_exist(client, world, route, who):
    make, _officer, others, draft, past_its_deadline = world
    past_its_deadline()
    response = await ask(client, make, others[who], route, draft)
    assert response.status_code == 404, response.text
    assert await openings(make) == 0
