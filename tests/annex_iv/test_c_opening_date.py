"""Annex IV (c): only authorised persons may set or change the dates for opening data received.

The opening date is the challenge's submission deadline. The municipality's own policy officer
sets it when publishing and may only extend it, with a reason, before it has passed; every change
is kept in the challenge's public history and in the audit log. Nobody else can change it: not
the municipality's admin or auditor, another municipality, a provider or the public. The platform
clock cannot be moved outside demo/training mode."""

import argparse
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.challenges.schemas import ChallengeIn
from app.cli import CommandError, cmd_clock_advance
from app.config import get_settings
from tests.annex_iv.conftest import EVERYONE_ELSE, past_the_deadline
from tests.factories import challenge_data

NOT_THE_OWNER = tuple(w for w in EVERYONE_ELSE if w != "officer") + ("lead",)


def amendment(tender, clock, **changes) -> dict:
    data = ChallengeIn.model_validate(challenge_data(clock.at - timedelta(0), **changes))
    body = data.model_dump(mode="json")
    # Keep the question deadline as published; only the submission deadline moves.
    body["question_deadline"] = tender.challenge.question_deadline.isoformat()
    return {"reason": "Meer tijd voor de coalities.", "challenge": body}


async def amend(client, tender, who, body):
    return await client.post(
        f"/api/v1/challenges/{tender.challenge.id}/amendments",
        json=body,
        headers=tender.headers(who),
    )


@pytest.mark.parametrize("who", NOT_THE_OWNER)
async def test_nobody_but_the_owning_officer_changes_the_deadline(client, tender, clock, who):
    later = tender.deadline + timedelta(days=7)
    response = await amend(client, tender, who, amendment(tender, clock, submission_deadline=later))
    assert response.status_code in (401, 403, 404), response.text
    challenge = await client.get(f"/api/v1/challenges/{tender.challenge.id}")
    assert datetime.fromisoformat(challenge.json()["submission_deadline"]) == tender.deadline


async def test_the_officer_extends_it_and_the_change_is_kept(client, tender, clock, db):
    later = tender.deadline + timedelta(days=7)
    response = await amend(
        client, tender, "officer", amendment(tender, clock, submission_deadline=later)
    )
    assert response.status_code == 201, response.text
    challenge = await client.get(f"/api/v1/challenges/{tender.challenge.id}")
    assert datetime.fromisoformat(challenge.json()["submission_deadline"]) == later
    history = await client.get(f"/api/v1/challenges/{tender.challenge.id}/amendments")
    assert "submission_deadline" in history.json()[-1]["changes"]
    event = await db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "challenge.amended")
        .order_by(AuditEvent.id.desc())
    )
    assert event.actor_id == tender.users["officer"].id
    assert "submission_deadline" in event.data["fields"]


async def test_the_deadline_is_never_shortened(client, tender, clock):
    earlier = tender.deadline - timedelta(days=1)
    response = await amend(
        client, tender, "officer", amendment(tender, clock, submission_deadline=earlier)
    )
    assert response.status_code == 422
    assert "submission_deadline" in response.json()["errors"]


async def test_a_passed_deadline_cannot_be_moved(client, tender, clock, app):
    past_the_deadline(tender, app, clock)
    later = tender.deadline + timedelta(days=7)
    response = await amend(
        client, tender, "officer", amendment(tender, clock, submission_deadline=later)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"


def test_the_platform_clock_only_moves_in_demo_mode():
    """Moving the clock would move every deadline; production refuses to."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ENVIRONMENT", "production")
        env.setenv("SECRET_KEY", "not-the-default-" + "x" * 24)
        get_settings.cache_clear()
        try:
            with pytest.raises(CommandError, match="demo"):
                cmd_clock_advance(argparse.Namespace(duration="30d"))
        finally:
            get_settings.cache_clear()
