"""Reporting periods follow the contract's start, keep their day, and stop at its end."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.challenges.models import Frequency
from app.contracts.periods import MONTHS, REPORT_DUE_DAYS, add_months, reporting_periods

BOUNDED = settings(max_examples=100, deadline=None)


def spans(periods) -> list[tuple[date, date, date]]:
    return [(p.start, p.end, p.due) for p in periods]


def test_the_frequencies_are_those_of_the_challenge():
    assert set(MONTHS) == {frequency.value for frequency in Frequency}


def test_a_calendar_year_in_quarters():
    """1 January to 31 December 2027, quarterly: four quarters, each due 30 days after it ends."""
    periods = reporting_periods(date(2027, 1, 1), date(2027, 12, 31), "quarterly")
    assert REPORT_DUE_DAYS == 30
    assert spans(periods) == [
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 30)),
        (date(2027, 7, 1), date(2027, 9, 30), date(2027, 10, 30)),
        (date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 30)),
    ]
    assert [p.number for p in periods] == [1, 2, 3, 4]


def test_month_ends_in_a_leap_year_and_a_cut_last_period():
    """Monthly from 31 January 2028 (a leap year) to 15 May 2028. Starts are counted from the
    contract start: 31 Jan, 29 Feb (no 31st), 31 Mar, 30 Apr; each period ends the day before the
    next start; the last would run to 30 May but is cut at 15 May."""
    periods = reporting_periods(date(2028, 1, 31), date(2028, 5, 15), "monthly", due_days=14)
    assert spans(periods) == [
        (date(2028, 1, 31), date(2028, 2, 28), date(2028, 3, 13)),
        (date(2028, 2, 29), date(2028, 3, 30), date(2028, 4, 13)),
        (date(2028, 3, 31), date(2028, 4, 29), date(2028, 5, 13)),
        (date(2028, 4, 30), date(2028, 5, 15), date(2028, 5, 29)),
    ]


def test_yearly_from_a_leap_day():
    """Yearly from 29 February 2028 to 30 June 2030: 2029 and 2030 have no 29 February, so the
    later periods start on the 28th; the third is cut at 30 June."""
    periods = reporting_periods(date(2028, 2, 29), date(2030, 6, 30), "yearly")
    assert [(p.start, p.end) for p in periods] == [
        (date(2028, 2, 29), date(2029, 2, 27)),
        (date(2029, 2, 28), date(2030, 2, 27)),
        (date(2030, 2, 28), date(2030, 6, 30)),
    ]


def test_half_years_and_a_one_day_contract():
    periods = reporting_periods(date(2026, 7, 1), date(2027, 6, 30), "half_yearly")
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 7, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 6, 30)),
    ]
    (only,) = reporting_periods(date(2027, 3, 1), date(2027, 3, 1), "yearly")
    assert (only.start, only.end, only.due) == (
        date(2027, 3, 1),
        date(2027, 3, 1),
        date(2027, 3, 31),
    )


def test_add_months_keeps_the_day_or_takes_the_last():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 12) == date(2028, 12, 15)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((date(2027, 2, 1), date(2027, 1, 31), "monthly"), {}, "before it starts"),
        ((date(2027, 1, 1), date(2027, 12, 31), "weekly"), {}, "unknown reporting frequency"),
        ((date(2027, 1, 1), date(2027, 12, 31), "monthly"), {"due_days": -1}, "before its period"),
    ],
)
def test_bad_periods_are_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        reporting_periods(*args, **kwargs)


@BOUNDED
@given(
    start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    length=st.integers(0, 3000),
    frequency=st.sampled_from(sorted(MONTHS)),
)
def test_periods_cover_the_contract_without_gaps(start, length, frequency):
    end = start + timedelta(days=length)
    periods = reporting_periods(start, end, frequency)
    assert periods[0].start == start and periods[-1].end == end
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    step = MONTHS[frequency]
    for period in periods:
        assert period.start == add_months(start, (period.number - 1) * step)
        assert period.start <= period.end < add_months(start, period.number * step)
        assert period.due == period.end + timedelta(days=REPORT_DUE_DAYS)
