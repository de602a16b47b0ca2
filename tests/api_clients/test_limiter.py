"""The per-client fixed window: worked examples and the rule it keeps whatever the traffic."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.api_clients.limiter import FixedWindowLimiter

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # on a minute boundary


def test_a_worked_example():
    limiter = FixedWindowLimiter(limit=2, seconds=60)
    assert limiter.hit("a", START) is None
    assert limiter.hit("a", START + timedelta(seconds=10)) is None
    assert limiter.hit("a", START + timedelta(seconds=15)) == 45  # the window ends at :60
    assert limiter.hit("b", START + timedelta(seconds=15)) is None  # each client its own
    assert limiter.hit("a", START + timedelta(seconds=59.5)) == 1  # never 0: "try again now"
    assert limiter.hit("a", START + timedelta(seconds=60)) is None  # a new window
    # Refused requests do not count: the next window starts afresh.
    assert limiter.hit("a", START + timedelta(seconds=61)) is None
    assert limiter.hit("a", START + timedelta(seconds=62)) == 58


@given(
    limit=st.integers(1, 5),
    seconds=st.integers(1, 120),
    offsets=st.lists(st.floats(0, 600, allow_nan=False), max_size=60),
)
def test_no_window_lets_more_than_the_limit_through(limit, seconds, offsets):
    limiter = FixedWindowLimiter(limit, seconds)
    allowed: dict[int, int] = {}
    for offset in sorted(offsets):
        now = START + timedelta(seconds=offset)
        wait = limiter.hit("client", now)
        window = int(now.timestamp() // seconds)
        if wait is None:
            allowed[window] = allowed.get(window, 0) + 1
        else:
            assert allowed[window] == limit  # refused only once the window is full
            # Retry-After points into the next window, at most a window away.
            assert 1 <= wait <= seconds
            assert int((now + timedelta(seconds=wait)).timestamp() // seconds) > window
    assert all(count <= limit for count in allowed.values())
