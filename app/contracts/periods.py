"""The reporting periods of a contract, from its period and an indicator's frequency.

Rule: periods follow the contract, not the calendar. Period n starts on the contract's start date
plus (n - 1) × the frequency's months, with the day of the month kept where the month has it and
the month's last day where it does not (a start on 31 January gives 28 or 29 February, 31 March,
30 April: always counted from the start, so the day never drifts). A period ends the day before the
next one starts; the last period is cut at the contract's end date. Dates are inclusive. A report
is due REPORT_DUE_DAYS calendar days after its period ends.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

# The values of app.challenges.models.Frequency (that module needs the database layer).
Frequency = Literal["monthly", "quarterly", "half_yearly", "yearly"]
MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
REPORT_DUE_DAYS = 30


@dataclass(frozen=True)
class ReportingPeriod:
    number: int
    start: date
    end: date  # inclusive
    due: date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_periods(
    start: date, end: date, frequency: Frequency, *, due_days: int = REPORT_DUE_DAYS
) -> tuple[ReportingPeriod, ...]:
    """Every reporting period of a contract running from `start` to `end` (both included)."""
    if frequency not in MONTHS:
        raise ValueError(f"unknown reporting frequency {frequency!r}")
    if end < start:
        raise ValueError(f"the contract ends ({end}) before it starts ({start})")
    if due_days < 0:
        raise ValueError("a report cannot be due before its period ends")
    step = MONTHS[frequency]
    periods: list[ReportingPeriod] = []
    period_start = start
    while period_start <= end:
        number = len(periods) + 1
        next_start = add_months(start, number * step)
        period_end = min(next_start - timedelta(days=1), end)
        periods.append(
            ReportingPeriod(number, period_start, period_end, period_end + timedelta(days=due_days))
        )
        period_start = next_start
    return tuple(periods)


def contract_periods(
    start: date, end: date, frequencies: Iterable[str]
) -> tuple[ReportingPeriod, ...]:
    """A contract's reporting periods: those of its most frequent indicator (quarterly when it
    has none). A report covers one of these periods."""
    frequency = min(list(frequencies) or ["quarterly"], key=MONTHS.__getitem__)
    return _periods(start, end, frequency)


# Many contracts share their dates (the OCDS download reads thousands): computed once each.
_periods = lru_cache(maxsize=1024)(reporting_periods)


def own_period_in(own: Iterable[Any], period: ReportingPeriod) -> Any | None:
    """The indicator's own period (one of `own`: anything with an `end`) that ends within this
    report's period; an indicator reported less often has none in most."""
    for one in own:
        if period.start <= one.end <= period.end:
            return one
    return None
