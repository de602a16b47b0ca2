"""The standstill: 20 calendar days in Amsterdam, over at midnight after the last day."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.clock import AMSTERDAM
from app.contracts.standstill import STANDSTILL_DAYS, standstill

BOUNDED = settings(max_examples=100, deadline=None)


def test_across_the_spring_change():
    """Decision Wednesday 10 March 2027, 10:00 CET (09:00 UTC). Clocks go forward on Sunday
    28 March. Last day: 10 + 20 = 30 March; over at 31 March 00:00 CEST = 30 March 22:00 UTC."""
    result = standstill(datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
    assert STANDSTILL_DAYS == 20
    assert result.last_day == date(2027, 3, 30)
    assert result.ends_at == datetime(2027, 3, 30, 22, 0, tzinfo=UTC)


def test_across_the_autumn_change():
    """Decision 15 October 2027, 14:00 CEST (12:00 UTC). Clocks go back on Sunday 31 October.
    Last day: 4 November; over at 5 November 00:00 CET = 4 November 23:00 UTC."""
    result = standstill(datetime(2027, 10, 15, 12, 0, tzinfo=UTC))
    assert result.last_day == date(2027, 11, 4)
    assert result.ends_at == datetime(2027, 11, 4, 23, 0, tzinfo=UTC)


def test_the_day_counts_in_amsterdam_not_in_utc():
    """30 June 2027 22:30 UTC is already 1 July 00:30 in Amsterdam: the count starts from 1 July.
    Last day 21 July; over at 22 July 00:00 CEST = 21 July 22:00 UTC."""
    result = standstill(datetime(2027, 6, 30, 22, 30, tzinfo=UTC))
    assert result.last_day == date(2027, 7, 21)
    assert result.ends_at == datetime(2027, 7, 21, 22, 0, tzinfo=UTC)


def test_a_decision_on_the_night_the_clocks_change():
    """28 March 2027 01:30 UTC = 03:30 CEST, just after the change: last day 17 April."""
    result = standstill(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))
    assert result.last_day == date(2027, 4, 17)
    assert result.ends_at.astimezone(AMSTERDAM) == datetime(2027, 4, 18, tzinfo=AMSTERDAM)


def test_over_exactly_at_midnight():
    result = standstill(datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
    assert not result.is_over(result.ends_at - timedelta(microseconds=1))
    assert result.is_over(result.ends_at)


def test_a_longer_standstill_and_bad_input():
    assert standstill(datetime(2027, 3, 10, 9, tzinfo=UTC), days=30).last_day == date(2027, 4, 9)
    with pytest.raises(ValueError, match="time zone"):
        standstill(datetime(2027, 3, 10, 9))
    with pytest.raises(ValueError, match="at least 1"):
        standstill(datetime(2027, 3, 10, 9, tzinfo=UTC), days=0)


@BOUNDED
@given(moment=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_the_end_is_midnight_in_amsterdam_twenty_days_on(moment):
    result = standstill(moment)
    local_end = result.ends_at.astimezone(AMSTERDAM)
    assert (local_end.hour, local_end.minute, local_end.second) == (0, 0, 0)
    assert local_end.date() - moment.astimezone(AMSTERDAM).date() == timedelta(days=21)
    assert result.ends_at.tzinfo is UTC
