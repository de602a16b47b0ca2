"""Payments on accepted results: worked examples checked by hand, and the cap on random input."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.results.payment import (
    PAYMENT_RULE,
    PaidIndicator,
    PaymentModel,
    RecordedPayment,
    achieved_share,
    payment_statement,
)

BOUNDED = settings(max_examples=200, deadline=None)

# € 73,000 over 2027, paid quarterly, 50 % fixed: € 36,500 fixed and a pot of € 36,500, each
# spread over quarters of 90 / 91 / 92 / 92 days: € 9,000, € 9,100, € 9,200 and € 9,200.
MODEL = PaymentModel(73_000_00, 5_000, 36_500_00, date(2027, 1, 1), date(2027, 12, 31))
WORK = PaidIndicator("work", "increase", 40, 60)  # committed: 20 more people
DEBTS = PaidIndicator("debts", "decrease", 120, 80)  # committed: 40 days faster
INDICATORS = [WORK, DEBTS]


def test_the_worked_example_period_by_period():
    """Q1 expects a quarter of each improvement (5 people, 10 days): 44 and 115 achieve 4/5 and
    1/2, on average 65 %: 9,000 × 0.65 = € 5,850. Q2 expects half (10 people, 20 days): 52
    people is more than expected (counts 1), 130 days is a worsening (0): 50 %, € 4,550.
    Q3: work 55 of the 15 expected (1), debts not yet accepted (0): 50 %, € 4,600, pending.
    Q4 has not ended: nothing due yet."""
    accepted = {1: {"work": 44, "debts": 115}, 2: {"work": 52, "debts": 130}, 3: {"work": 55}}
    paid = [RecordedPayment(1, 14_850_00), RecordedPayment(2, 9_100_00)]
    statement = payment_statement(MODEL, INDICATORS, accepted, paid, periods_ended=3)
    rows = [
        (
            p.fixed_cents,
            p.pot_cents,
            p.achievement,
            p.results_cents,
            p.due_cents,
            p.paid_cents,
            p.open_cents,
            p.pending,
        )
        for p in statement.periods
    ]
    assert rows == [
        (9_000_00, 9_000_00, Fraction(13, 20), 5_850_00, 14_850_00, 14_850_00, 0, ()),
        (9_100_00, 9_100_00, Fraction(1, 2), 4_550_00, 13_650_00, 9_100_00, 4_550_00, ()),
        (9_200_00, 9_200_00, Fraction(1, 2), 4_600_00, 13_800_00, 0, 13_800_00, ("debts",)),
        (9_200_00, 9_200_00, Fraction(0), 0, 0, 0, 0, ("work", "debts")),
    ]
    assert statement.periods[0].achieved == {"work": Fraction(4, 5), "debts": Fraction(1, 2)}
    assert str(statement.periods[0].achievement_percent) == "65.00"
    assert statement.due_cents == 42_300_00
    assert statement.paid_cents == 23_950_00 and statement.open_cents == 18_350_00


def test_nothing_accepted_yet_pays_the_fixed_part_only():
    statement = payment_statement(MODEL, INDICATORS, {})
    assert [p.due_cents for p in statement.periods] == [9_000_00, 9_100_00, 9_200_00, 9_200_00]
    assert all(p.pending == ("work", "debts") for p in statement.periods)
    assert statement.results_cents == 0


def test_the_cap_below_the_results_share_is_the_most_results_can_earn():
    """€ 100,000 at 70 % fixed leaves € 30,000 for results, capped at € 20,000: everything
    achieved in every period earns € 20,000 in all, not € 30,000."""
    model = PaymentModel(100_000_00, 7_000, 20_000_00, date(2027, 1, 1), date(2027, 12, 31))
    full = {n: {"work": 60, "debts": 80} for n in range(1, 5)}
    statement = payment_statement(model, INDICATORS, full)
    assert statement.results_cents == 20_000_00
    assert statement.due_cents == 70_000_00 + 20_000_00


def test_a_cut_last_period_has_a_smaller_pot():
    """Half-yearly from 1 July 2026 to 31 January 2027: 184 days, then 31. A pot of € 2,150 gives
    € 1,840 and € 310; the short period fully achieved earns € 310."""
    model = PaymentModel(
        4_300_00, 5_000, 2_150_00, date(2026, 7, 1), date(2027, 1, 31), "half_yearly"
    )
    statement = payment_statement(model, [WORK], {2: {"work": 60}})
    assert [p.pot_cents for p in statement.periods] == [1_840_00, 310_00]
    assert [p.results_cents for p in statement.periods] == [0, 310_00]


def test_results_parts_are_rounded_down_once():
    """A yearly pot of 10 cents; work (weight 1) fully achieved and another indicator (weight 2)
    not at all: 1/3 achieved, 3.33… cents → 3. The other way round: 2/3, 6.66… → 6, not 7."""
    model = PaymentModel(10, 0, 10, date(2027, 1, 1), date(2027, 12, 31), "yearly")
    weighted = [WORK, PaidIndicator("other", "increase", 0, 10, weight=2)]
    third = payment_statement(model, weighted, {1: {"work": 60, "other": 0}}).periods[0]
    assert (third.achievement, third.results_cents) == (Fraction(1, 3), 3)
    two_thirds = payment_statement(model, weighted, {1: {"work": 40, "other": 10}}).periods[0]
    assert (two_thirds.achievement, two_thirds.results_cents) == (Fraction(2, 3), 6)


def test_indicators_without_a_baseline_or_improvement_count_reaching_the_target():
    no_baseline = PaidIndicator("x", "decrease", None, 10)
    assert achieved_share(no_baseline, 10, 1, 4) == 1
    assert achieved_share(no_baseline, 11, 1, 4) == 0
    hold = PaidIndicator("y", "increase", 50, 50)  # keep it at 50
    assert achieved_share(hold, 50, 2, 4) == 1 and achieved_share(hold, 49, 2, 4) == 0


def test_a_float_from_the_database_is_read_as_the_decimal_it_prints_as():
    """0.1 + 0.2 is not 0.3 in floats; read as decimals the share is exactly 1/2."""
    indicator = PaidIndicator("r", "increase", 0.1, 0.7)
    assert achieved_share(indicator, 0.4, 4, 4) == Fraction(1, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accepted": {5: {"work": 1}}}, "no period 5"),
        ({"accepted": {1: {"unknown": 1}}}, "unknown indicators"),
        ({"payments": [RecordedPayment(0, 1)]}, "period 0"),
        ({"periods_ended": 5}, "cannot have ended"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    arguments = {"accepted": {}, **kwargs}
    with pytest.raises(ValueError, match=message):
        payment_statement(MODEL, INDICATORS, **arguments)


def test_a_cap_above_the_results_share_is_refused():
    model = PaymentModel(100_000_00, 7_000, 30_000_01, date(2027, 1, 1), date(2027, 12, 31))
    with pytest.raises(ValueError, match="results cap"):
        payment_statement(model, INDICATORS, {})


def test_the_rule_is_there_to_show():
    assert "cap" in str.__str__(PAYMENT_RULE)


values = st.one_of(st.none(), st.integers(0, 200))


@BOUNDED
@given(
    st.integers(0, 5_000_000),
    st.integers(0, 10_000),
    st.floats(0, 1),
    st.lists(st.tuples(values, values), min_size=4, max_size=4),
    st.integers(0, 4),
)
def test_results_never_exceed_the_cap_and_due_is_fixed_plus_results(
    value, fixed_bp, cap_share, rows, ended
):
    share = value - value * fixed_bp // 10_000
    cap = int(share * cap_share)
    model = PaymentModel(value, fixed_bp, cap, date(2027, 1, 1), date(2027, 12, 31))
    accepted = {
        n: {k: v for k, v in zip(("work", "debts"), row, strict=True) if v is not None}
        for n, row in enumerate(rows, start=1)
    }
    statement = payment_statement(model, INDICATORS, accepted, periods_ended=ended)
    assert 0 <= statement.results_cents <= cap
    assert sum(p.pot_cents for p in statement.periods) == cap
    for period in statement.periods:
        assert 0 <= period.achievement <= 1
        assert 0 <= period.results_cents <= period.pot_cents
        if period.ended:
            assert period.due_cents == period.fixed_cents + period.results_cents
        else:
            assert period.due_cents == 0 and period.results_cents == 0
    full = {n: {"work": 60, "debts": 80} for n in range(1, 5)}
    assert payment_statement(model, INDICATORS, full).results_cents == cap


@BOUNDED
@given(st.integers(-50, 250), st.integers(1, 4), st.sampled_from(["increase", "decrease"]))
def test_a_better_value_never_earns_less(value, ended, direction):
    indicator = PaidIndicator("i", direction, 100, 150 if direction == "increase" else 50)
    better = value + 1 if direction == "increase" else value - 1
    assert achieved_share(indicator, better, ended, 4) >= achieved_share(indicator, value, ended, 4)
