"""Two municipalities with sealed activity, for the audit API and the feed script."""

import pytest

from app.audit.service import sealed_stream
from app.organisations.models import Role
from tests.audit.world import bearer
from tests.factories import coalition_of


@pytest.fixture
async def two_towns(make):
    """Two municipalities, each with a published challenge that has sealed activity, an auditor
    and an admin of its own."""
    towns = {}
    for name in ("a", "b"):
        officer = await make.user(Role.policy_officer)
        challenge = await make.challenge(officer, publish=True)
        await coalition_of(make, challenge, await make.user(Role.provider_member))
        auditor = await make.user(Role.auditor, org=officer.organisation)
        admin = await make.user(Role.admin, org=officer.organisation)
        towns[name] = {
            "officer": officer,
            "challenge": challenge,
            "stream": sealed_stream(challenge.id),
            "auditor": bearer(await make.token(auditor)),
            "admin": bearer(await make.token(admin)),
        }
    return towns
