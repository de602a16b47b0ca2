"""The deadline to the millisecond: the receipt time is read when the submission holds the
challenge, and the opening carries the deadline and lists exactly what was accepted before it."""

from dataclasses import replace
from datetime import timedelta

import pytest

from app.challenges import lifecycle
from app.challenges.schemas import ChallengeIn
from app.errors import Conflict
from app.organisations.models import Role
from app.proposals import opening as openings
from app.proposals import service
from tests.factories import challenge_data, coalition_of, complete_content

MS = timedelta(milliseconds=1)


@pytest.fixture
async def world(make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    partner = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead, partner)
    await service.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    return officer, challenge, lead, coalition


def at(ctx, began, accepted):
    """A request that began at `began` and reaches the database at `accepted`."""
    return replace(ctx, now=began, clock=lambda: accepted)


async def test_a_request_that_began_before_the_deadline_but_arrives_after_is_refused(make, world):
    _officer, challenge, lead, coalition = world
    deadline = challenge.submission_deadline
    ctx = at(make.ctx(lead), deadline - timedelta(seconds=2), deadline)
    with pytest.raises(Conflict) as refused:
        await service.submit(ctx, coalition.public_id)
    assert refused.value.code == "deadline_passed"


async def test_the_receipt_time_is_the_moment_the_submission_was_accepted(make, world):
    _officer, challenge, lead, coalition = world
    deadline = challenge.submission_deadline
    ctx = at(make.ctx(lead), deadline - timedelta(seconds=2), deadline - MS)
    submission = await service.submit(ctx, coalition.public_id)
    assert submission.submitted_at == deadline - MS


async def test_the_opening_carries_the_deadline_whenever_it_is_first_read(make, world):
    officer, challenge, lead, coalition = world
    deadline = challenge.submission_deadline
    accepted = await service.submit(
        at(make.ctx(lead), deadline - MS, deadline - MS), coalition.public_id
    )
    record = await openings.opening(
        replace(make.ctx(officer), now=deadline + timedelta(days=9)), challenge.id
    )
    assert record.opened_at == deadline
    assert [e["receipt_number"] for e in record.entries] == [accepted.receipt_number]


async def test_once_opened_a_clock_running_behind_cannot_add_a_submission(make, world):
    officer, challenge, lead, coalition = world
    deadline = challenge.submission_deadline
    await openings.opening(replace(make.ctx(officer), now=deadline), challenge.id)
    behind = at(make.ctx(lead), deadline - MS, deadline - MS)
    with pytest.raises(Conflict) as refused:
        await service.submit(behind, coalition.public_id)
    assert refused.value.code == "deadline_passed"
    with pytest.raises(Conflict):
        await service.withdraw(behind, coalition.public_id)
    record = await openings.opening(replace(make.ctx(officer), now=deadline), challenge.id)
    assert record.entries == []


async def test_a_withdrawal_after_the_deadline_is_refused_and_the_version_stays_opened(make, world):
    officer, challenge, lead, coalition = world
    deadline = challenge.submission_deadline
    accepted = await service.submit(
        at(make.ctx(lead), deadline - MS, deadline - MS), coalition.public_id
    )
    with pytest.raises(Conflict):
        await service.withdraw(at(make.ctx(lead), deadline - MS, deadline), coalition.public_id)
    record = await openings.opening(replace(make.ctx(officer), now=deadline), challenge.id)
    assert [e["receipt_number"] for e in record.entries] == [accepted.receipt_number]


async def test_an_amendment_that_reaches_the_challenge_after_the_deadline_is_refused(make, world):
    officer, challenge, _lead, _coalition = world
    deadline = challenge.submission_deadline
    data = ChallengeIn.model_validate(
        challenge_data(make.clock.now(), submission_deadline=deadline + timedelta(days=7))
    )
    late = at(make.ctx(officer), deadline - timedelta(seconds=1), deadline)
    with pytest.raises(Conflict) as refused:
        await lifecycle.amend(late, challenge.id, data, "Meer tijd voor de coalities.")
    assert refused.value.code == "deadline_passed"
