"""Annex IV (d): during the different stages of the procurement procedure, access to all or part
of the data submitted is possible only by the authorised persons.

Drafting and submitted before the deadline: the coalition's accepted members, nobody else (an
organisation that is only invited does not read the draft). After the deadline: also the
municipality that published the challenge, through its policy officers and the auditors it
appointed; the other coalitions still do not read it."""

import pytest

from app.coalitions import service as coalitions
from tests.annex_iv.conftest import EVERYONE_ELSE, SECRET, past_the_deadline, ref

READERS_AFTER_THE_DEADLINE = ("officer", "auditor")
NEVER = tuple(w for w in EVERYONE_ELSE if w not in READERS_AFTER_THE_DEADLINE)


async def read(client, tender, who):
    """The submitted version, as the API serves it."""
    url = f"/api/v1/coalitions/{ref(tender.coalition)}/submissions/{tender.submission.version}"
    return await client.get(url, headers=tender.headers(who))


@pytest.mark.parametrize("who", ("lead", "partner"))
async def test_while_drafting_and_submitted_the_members_read_it(client, tender, who):
    response = await read(client, tender, who)
    assert response.status_code == 200 and SECRET in response.text


async def test_an_organisation_that_is_only_invited_does_not_read_the_draft(client, tender, make):
    invitee = await make.user(tender.users["lead"].role)
    await coalitions.invite(
        make.ctx(tender.users["lead"]), tender.coalition.public_id, invitee.organisation_id
    )
    token = await make.token(invitee)
    response = await client.get(
        f"/api/v1/coalitions/{ref(tender.coalition)}/proposal",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (403, 404)
    assert SECRET not in response.text


@pytest.mark.parametrize("who", EVERYONE_ELSE)
async def test_before_the_deadline_nobody_else_reads_it(client, tender, who):
    response = await read(client, tender, who)
    assert response.status_code in (401, 404)
    assert SECRET not in response.text


@pytest.mark.parametrize("who", READERS_AFTER_THE_DEADLINE)
async def test_after_the_deadline_the_publishing_municipality_reads_it(
    client, tender, clock, app, who
):
    past_the_deadline(tender, app, clock)
    response = await read(client, tender, who)
    assert response.status_code == 200 and SECRET in response.text


@pytest.mark.parametrize("who", NEVER)
async def test_after_the_deadline_nobody_else_reads_it(client, tender, clock, app, who):
    past_the_deadline(tender, app, clock)
    response = await read(client, tender, who)
    assert response.status_code in (401, 403, 404)
    assert SECRET not in response.text
