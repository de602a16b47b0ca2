"""Annex IV (b): it can be reasonably ensured that, before the time limits laid down, no-one can
have access to data transmitted under these requirements.

Before the submission deadline nobody outside the coalition reads anything of its proposal: not
the municipality's own officer, admin or auditor, nor anyone else, through any address. A sealed
coalition answers exactly like one that does not exist, and what is stored is encrypted, so a
copy of the database or of the document folder shows nothing either."""

import pytest
from sqlalchemy import select

from app.proposals.models import ProposalAttachment, ProposalDraft, ProposalSubmission
from tests.annex_iv.conftest import EVERYONE_ELSE, SECRET, missing_ref, proposal_urls, ref
from tests.audit.world import client_token, register


@pytest.mark.parametrize("who", EVERYONE_ELSE)
async def test_nobody_outside_the_coalition_reads_the_proposal(client, tender, who):
    for url in proposal_urls(tender):
        response = await client.get(url, headers=tender.headers(who))
        assert response.status_code in (401, 403, 404, 409), (url, response.status_code)
        assert SECRET not in response.text
        assert tender.coalition.name not in response.text


@pytest.mark.parametrize("who", EVERYONE_ELSE)
async def test_a_sealed_coalition_answers_like_one_that_does_not_exist(client, tender, who):
    sealed = await client.get(
        f"/api/v1/coalitions/{ref(tender.coalition)}", headers=tender.headers(who)
    )
    missing = await client.get(f"/api/v1/coalitions/{missing_ref()}", headers=tender.headers(who))
    assert (sealed.status_code, sealed.json()) == (missing.status_code, missing.json())


async def test_the_municipality_learns_not_even_how_many_proposals_there_are(client, tender, make):
    empty = await make.challenge(tender.users["officer"], publish=True)
    assert empty.submission_deadline == tender.deadline
    for who in ("officer", "auditor"):
        answers = [
            await client.get(f"/api/v1/challenges/{c.id}/opening", headers=tender.headers(who))
            for c in (tender.challenge, empty)
        ]
        assert [a.status_code for a in answers] == [409, 409]
        assert answers[0].json() == answers[1].json()


async def test_the_coalition_itself_reads_its_own_proposal(client, tender):
    for who in ("lead", "partner"):
        response = await client.get(
            f"/api/v1/coalitions/{ref(tender.coalition)}/proposal", headers=tender.headers(who)
        )
        assert response.status_code == 200
        assert SECRET in response.text


async def test_what_is_stored_is_encrypted(db, app, tender):
    rows = [
        *(await db.scalars(select(ProposalSubmission.sealed_content))).all(),
        *(await db.scalars(select(ProposalDraft.sealed_content))).all(),
        *(await db.scalars(select(ProposalAttachment.sealed_filename))).all(),
    ]
    assert rows and all(SECRET.encode() not in row for row in rows)
    files = [p for p in app.state.settings.documents_dir.rglob("*") if p.is_file()]
    assert files and all(SECRET.encode() not in p.read_bytes() for p in files)


@pytest.mark.parametrize("registered_by", ["admin", "operator"])
async def test_nor_a_program_registered_for_the_municipality(client, tender, make, registered_by):
    """An API client (the rekenkamer's program, or one registered at the command line) reads the
    audit feed and the results feed: before the deadline neither shows the sealed stream, an
    event of it, or a result, and the sealed stream answers like one that does not exist."""
    registrar = tender.users["admin"] if registered_by == "admin" else None
    credentials = await register(make, registrar, "audit:read results:read")
    program = await client_token(client, credentials)
    feed = "/api/v1/auditor/audit"
    assert (await client.get(f"{feed}/streams", headers=program)).json() == ["platform"]
    stream = f"sealed:challenge:{tender.challenge.id}"
    sealed = await client.get(f"{feed}/events", params={"stream": stream}, headers=program)
    missing = await client.get(
        f"{feed}/events", params={"stream": "sealed:challenge:999999"}, headers=program
    )
    assert (sealed.status_code, sealed.json()) == (missing.status_code, missing.json())
    assert sealed.status_code == 404
    platform = await client.get(f"{feed}/events", params={"limit": 1000}, headers=program)
    assert platform.status_code == 200
    assert SECRET not in platform.text and tender.coalition.name not in platform.text
    assert not [e for e in platform.json() if e["entity_type"] == "coalition"]
    checkpoint = (await client.get(f"{feed}/checkpoint", headers=program)).json()
    assert stream not in {head["stream"] for head in checkpoint["streams"]}
    found = await client.get(
        "/api/v1/auditor/results",
        params={"municipality": tender.challenge.organisation_id},
        headers=program,
    )
    assert found.status_code == 200 and found.json()["rows"] == []
