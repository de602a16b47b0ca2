"""The fixed payments add up to the cent, follow the periods' length, and never move."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.contracts.payments import (
    BASIS_POINTS,
    DEFAULT_FIXED_SHARE_BP,
    fixed_amount,
    fixed_schedule,
    results_share,
    split_cents,
)

BOUNDED = settings(max_examples=200, deadline=None)


def test_the_default_is_seventy_percent_fixed():
    assert DEFAULT_FIXED_SHARE_BP == 7_000
    assert fixed_amount(300_000_00, DEFAULT_FIXED_SHARE_BP) == 210_000_00
    assert results_share(300_000_00, DEFAULT_FIXED_SHARE_BP) == 90_000_00


def test_the_fixed_amount_is_rounded_down_and_the_rest_is_for_results():
    """€ 1,000.01 at 33.33 %: 100,001 × 3,333 / 10,000 = 33,330.33… → 33,330 cents fixed, and the
    results share takes the rest, 66,671 cents."""
    assert fixed_amount(100_001, 3_333) == 33_330
    assert results_share(100_001, 3_333) == 66_671
    assert fixed_amount(100_001, 0) == 0 and fixed_amount(100_001, BASIS_POINTS) == 100_001


def test_a_calendar_year_in_quarters():
    """€ 1,000 fixed over 2027 in quarters of 90, 91, 92 and 92 days. Pro rata: 246.575…,
    249.315…, 252.054…, 252.054…; rounded down 999.98, so the two cents left go to the largest
    remainders: the first quarter (.575) and the second (.315)."""
    schedule = fixed_schedule(date(2027, 1, 1), date(2027, 12, 31), 100_000, "quarterly")
    assert [(p.number, p.start, p.end, p.amount_cents) for p in schedule] == [
        (1, date(2027, 1, 1), date(2027, 3, 31), 24_658),
        (2, date(2027, 4, 1), date(2027, 6, 30), 24_932),
        (3, date(2027, 7, 1), date(2027, 9, 30), 25_205),
        (4, date(2027, 10, 1), date(2027, 12, 31), 25_205),
    ]
    assert sum(p.amount_cents for p in schedule) == 100_000


def test_a_cut_last_period_gets_its_share_of_the_days():
    """Half-yearly from 1 July 2026 to 31 January 2027: 184 days, then a last period of 31 days.
    € 2,150 fixed: 2,150 × 184/215 = € 1,840 and 2,150 × 31/215 = € 310, exactly."""
    schedule = fixed_schedule(date(2026, 7, 1), date(2027, 1, 31), 215_000, "half_yearly")
    assert [p.amount_cents for p in schedule] == [184_000, 31_000]


def test_equal_periods_leave_the_odd_cents_to_the_earliest():
    assert split_cents(100, [1, 1, 1]) == (34, 33, 33)
    assert split_cents(2, [5, 5, 5, 5]) == (1, 1, 0, 0)
    assert split_cents(0, [3, 4]) == (0, 0)
    assert split_cents(7, [0, 1]) == (0, 7)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: split_cents(-1, [1]), "negative"),
        (lambda: split_cents(10, []), "at least one"),
        (lambda: split_cents(10, [0, 0]), "at least one"),
        (lambda: split_cents(10, [2, -1]), "none negative"),
        (lambda: fixed_amount(100, 10_001), "basis points"),
        (lambda: fixed_amount(100, -1), "basis points"),
        (lambda: fixed_amount(-100, 5_000), "negative"),
    ],
)
def test_impossible_splits_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@BOUNDED
@given(
    total=st.integers(0, 10**12),
    weights=st.lists(st.integers(0, 400), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
)
def test_a_split_adds_up_exactly_never_negative_and_within_a_cent(total, weights):
    parts = split_cents(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / whole
        assert exact - 1 < part < exact + 1
        if weight == 0:
            assert part == 0
    # Order is stable: a heavier weight never gets less, and of equal weights the earlier
    # never gets less than the later.
    for i, j in zip(range(len(weights)), range(1, len(weights)), strict=False):
        if weights[i] == weights[j]:
            assert parts[i] >= parts[j]
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]
    assert split_cents(total, weights) == parts  # the same input, the same schedule


@BOUNDED
@given(
    start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    length=st.integers(0, 2000),
    fixed=st.integers(0, 10**11),
    frequency=st.sampled_from(["monthly", "quarterly", "half_yearly", "yearly"]),
)
def test_a_schedule_pays_the_fixed_amount_exactly_over_the_contract(
    start, length, fixed, frequency
):
    end = start + timedelta(days=length)
    schedule = fixed_schedule(start, end, fixed, frequency)
    assert sum(p.amount_cents for p in schedule) == fixed
    assert all(p.amount_cents >= 0 for p in schedule)
    assert [p.number for p in schedule] == list(range(1, len(schedule) + 1))
    assert schedule[0].start == start and schedule[-1].end == end


@BOUNDED
@given(value=st.integers(0, 10**13), share=st.integers(0, BASIS_POINTS))
def test_fixed_and_results_shares_make_the_value(value, share):
    fixed = fixed_amount(value, share)
    assert 0 <= fixed <= value
    assert fixed + results_share(value, share) == value
    assert fixed * BASIS_POINTS <= value * share < (fixed + 1) * BASIS_POINTS
