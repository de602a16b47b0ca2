"""Which report a value belongs in: a contract is reported on per period of its most frequent
indicator, and an indicator reported less often has its value in the report of the period in
which its own period ends."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.challenges.models import Frequency
from app.contracts.models import Contract, ContractIndicator, ReportingPeriod
from app.contracts.periods import reporting_periods
from app.results.service import opens, report_periods, reported_in


def contract(start: date, end: date, *frequencies: str) -> Contract:
    indicators = [
        ContractIndicator(
            id=index + 1,
            position=index,
            reporting_frequency=Frequency(frequency),
            periods=[
                ReportingPeriod(number=p.number, start=p.start, end=p.end, due=p.due)
                for p in reporting_periods(start, end, frequency)
            ],
        )
        for index, frequency in enumerate(frequencies)
    ]
    return Contract(period_start=start, period_end=end, indicators=indicators)


def test_a_quarterly_and_a_yearly_indicator_over_two_years():
    made = contract(date(2027, 1, 1), date(2028, 12, 31), "yearly", "quarterly")
    periods = report_periods(made)
    assert len(periods) == 8 and periods[3].end == date(2027, 12, 31)
    yearly, quarterly = made.indicators
    assert [reported_in(yearly, p) for p in periods] == [None, None, None, 1, None, None, None, 2]
    assert [reported_in(quarterly, p) for p in periods] == list(range(1, 9))
    # A report may be sent from 14 days before its period ends; due 30 days after the end.
    assert opens(periods[0]) == date(2027, 3, 17) and periods[0].due == date(2027, 4, 30)


FREQUENCIES = st.lists(
    st.sampled_from(["monthly", "quarterly", "half_yearly", "yearly"]), min_size=1, max_size=4
)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=5 * 366),
    frequencies=FREQUENCIES,
)
def test_every_indicator_period_is_reported_in_exactly_one_report(start, days, frequencies):
    made = contract(start, start + timedelta(days=days), *frequencies)
    periods = report_periods(made)
    assert periods[0].start == start and periods[-1].end == made.period_end
    for indicator in made.indicators:
        reported = [reported_in(indicator, p) for p in periods]
        numbers = [n for n in reported if n is not None]
        # Each of its own periods once, in order; the most frequent indicator in every report.
        assert numbers == [p.number for p in indicator.periods]
        if len(indicator.periods) == len(periods):
            assert None not in reported
    for period in periods:
        assert period.start <= opens(period) <= period.end < period.due
