"""The standstill (opschortende termijn) after an award decision, as a date in Amsterdam.

Rule: the standstill lasts STANDSTILL_DAYS calendar days (Aanbestedingswet 2012, art. 2.127: at
least 20), counted from the day after the decision was sent, in Europe/Amsterdam. Its last day is
the decision's Amsterdam date + 20 days; it is over at the end of that day, i.e. at midnight
(00:00) Amsterdam time at the start of the next day. Clocks going forward or back in between change
the number of hours, never the dates.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.clock import AMSTERDAM

STANDSTILL_DAYS = 20


@dataclass(frozen=True)
class Standstill:
    decided_at: datetime
    last_day: date  # the last calendar day of the standstill, in Amsterdam
    ends_at: datetime  # in UTC: 00:00 Amsterdam time on the day after last_day

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at


def standstill(decided_at: datetime, days: int = STANDSTILL_DAYS) -> Standstill:
    """When the standstill after an award decision sent at `decided_at` ends."""
    if decided_at.tzinfo is None or decided_at.utcoffset() is None:
        raise ValueError("the moment of the award decision needs a time zone")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"a standstill lasts a whole number of days, at least 1, not {days!r}")
    last_day = decided_at.astimezone(AMSTERDAM).date() + timedelta(days=days)
    midnight = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=AMSTERDAM)
    return Standstill(decided_at, last_day, midnight.astimezone(UTC))
