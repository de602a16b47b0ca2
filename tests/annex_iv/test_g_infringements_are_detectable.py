"""Annex IV (g): any infringement or attempted infringement of the requirements in (a) to (f)
can be clearly detected.

Every step of the procedure leaves an event in a hash-chained, append-only audit log, and the head
of every stream is anchored outside the database by signed checkpoints that anyone can fetch and
keep (a commitment, for a stream still sealed). Someone with write access to the database who
cuts the end off a stream, deletes a sealed stream, or changes an event and re-hashes the rest is
found out by the next verification against a kept checkpoint. Wrong passwords are recorded."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.service import PLATFORM, sealed_stream
from app.auth.models import LoginFailure
from tests.annex_iv.conftest import past_the_deadline
from tests.audit.tampering import cut_last, remove_stream, rewrite
from tests.conftest import CSRF_RE


async def kept_checkpoint(client) -> dict:
    """What an auditor fetches on schedule and keeps outside the platform; no token needed."""
    response = await client.get("/api/v1/audit/checkpoint")
    assert response.status_code == 200
    return response.json()


async def verify(client, tender, checkpoint) -> dict:
    response = await client.post(
        "/api/v1/audit/verify", json=checkpoint, headers=tender.headers("auditor")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_every_step_of_the_procedure_is_in_the_log(client, tender, clock, app, db):
    past_the_deadline(tender, app, clock)
    opening = await client.get(
        f"/api/v1/challenges/{tender.challenge.id}/opening", headers=tender.headers("officer")
    )
    assert opening.status_code == 200
    actions = set(
        (
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.stream.in_((PLATFORM, sealed_stream(tender.challenge.id)))
                )
            )
        ).all()
    )
    assert {
        "challenge.published",
        "coalition.started",
        "coalition.accepted",
        "proposal.draft_saved",
        "proposal.attachment_added",
        "proposal.submitted",
        "proposals.opened",
    } <= actions


async def test_an_intact_log_verifies_against_the_kept_checkpoint(client, tender, clock, app):
    checkpoint = await kept_checkpoint(client)
    past_the_deadline(tender, app, clock)
    report = await verify(client, tender, checkpoint)
    assert report["ok"] is True and report["findings"] == []


@pytest.mark.parametrize("attack", ["cut the platform stream", "delete the sealed stream"])
async def test_a_cut_or_deleted_stream_is_found(client, tender, clock, app, db, attack):
    checkpoint = await kept_checkpoint(client)
    if attack == "cut the platform stream":
        await cut_last(db, PLATFORM)
    else:
        await remove_stream(db, sealed_stream(tender.challenge.id))
    past_the_deadline(tender, app, clock)
    report = await verify(client, tender, checkpoint)
    assert report["ok"] is False
    assert report["findings"] and all(f["message"] for f in report["findings"])


async def test_a_changed_and_rehashed_receipt_is_found(client, tender, clock, app, db):
    past_the_deadline(tender, app, clock)
    checkpoint = await kept_checkpoint(client)
    stream = sealed_stream(tender.challenge.id)
    submitted = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.stream == stream, AuditEvent.action == "proposal.submitted"
        )
    )
    forged = {**submitted.data, "content_hash": "0" * 64}
    await rewrite(db, stream, submitted.seq, forged)
    clock.advance(timedelta(minutes=1))
    report = await verify(client, tender, checkpoint)
    assert report["ok"] is False
    assert any(f["stream"] == stream for f in report["findings"])


async def test_wrong_passwords_are_recorded(client, tender, db):
    page = await client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    email = tender.users["officer"].email
    before = await db.scalar(select(func.count()).select_from(LoginFailure))
    response = await client.post(
        "/login", data={"email": email, "password": "geraden", "csrf_token": token}
    )
    assert response.status_code == 401
    after = await db.scalar(select(func.count()).select_from(LoginFailure))
    assert after == before + 1
