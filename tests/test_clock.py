"""One clock for all of "now", moved only in demo/training mode."""

from datetime import timedelta

import pytest

from app.clock import ClockOffset, parse_duration
from app.organisations.models import Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        (" 90m ", timedelta(minutes=90)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "d", "3x", "-1d", "1.5d"])
def test_parse_duration_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_duration(text)


async def test_stored_offset_moves_the_platform_past_a_deadline(app, client, make, db):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    url = f"/api/v1/challenges/{challenge.id}"
    assert (await client.get(url)).json()["status"] == "open"
    db.add(ClockOffset(id=1, seconds=int(timedelta(days=31).total_seconds())))
    await db.flush()
    app.state.clock_offset_cache = None  # as if the two-second cache had expired
    assert (await client.get(url)).json()["status"] == "closed"
