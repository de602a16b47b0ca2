"""How many requests an API client may make: a fixed window per client, counted in memory.

The sign-in throttle counts failures in the database, because it guards passwords and every app
process must see the same count. This limit guards the server from a runaway script, so each
process counts on its own (no write per read request): behind N processes a client gets at most
N times the limit, which is still bounded.
"""

import math
from datetime import datetime


class FixedWindowLimiter:
    """At most `limit` requests per key in each window of `seconds`, aligned to the clock."""

    def __init__(self, limit: int, seconds: int) -> None:
        self.limit = limit
        self.seconds = seconds
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window number, count)

    def hit(self, key: str, now: datetime) -> int | None:
        """Count a request: None if it may go ahead, else the seconds until the next window."""
        stamp = now.timestamp()
        window = math.floor(stamp / self.seconds)
        current, count = self._windows.get(key, (window, 0))
        if current != window:
            count = 0
        if count >= self.limit:
            return max(1, math.ceil((window + 1) * self.seconds - stamp))
        self._windows[key] = (window, count + 1)
        return None
