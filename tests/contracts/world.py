"""A published challenge whose coalitions submitted, past its deadline: ready to be contracted."""

from datetime import timedelta

from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.proposals import service as proposals
from tests.factories import Factory, coalition_of, complete_content


async def submitted(make: Factory, challenge: Challenge, lead, *members, versions: int = 1):
    """A coalition of `lead` (and `members`, accepted) that submitted `versions` times."""
    coalition = await coalition_of(make, challenge, lead, *members)
    ctx = make.ctx(lead)
    for version in range(1, versions + 1):
        content = complete_content(
            challenge,
            coalition,
            targets=[{"indicator_id": i.id, "value": 60 + version} for i in challenge.indicators],
        )
        await proposals.save_draft(ctx, coalition.public_id, content)
        await proposals.submit(ctx, coalition.public_id)
    return coalition


async def closed_challenge(make: Factory, officer, **overrides) -> Challenge:
    """Published now with its deadline two days ahead (question round one day)."""
    now = make.clock.now()
    challenge = await make.challenge(
        officer,
        publish=True,
        question_deadline=now + timedelta(days=1),
        submission_deadline=now + timedelta(days=2),
        **overrides,
    )
    return await lifecycle.get_challenge(make.ctx(officer), challenge.id)


def past_the_deadline(make: Factory, challenge: Challenge, app=None) -> None:
    make.clock.advance(challenge.submission_deadline - make.clock.now() + timedelta(hours=1))
    if app is not None:
        app.state.clock_offset_cache = None
