"""The portfolio's rule: worked examples checked by hand, and properties on random contracts."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import set_locale
from app.results.portfolio import (
    PORTFOLIO_RULE,
    PortfolioIndicator,
    contract_outcome,
    euros,
    performance,
    total,
    totals_by,
)

BOUNDED = settings(max_examples=200, deadline=None)

# People in work: 40 to 60, valued by the municipality at € 2,000 per person (20 people: € 40,000).
WORK = PortfolioIndicator("work", "increase", 40, 60, 200_000, 46, 2, 4)
# Days to a debt plan: 120 to 80, no outcome value: at contract price.
DEBTS = PortfolioIndicator("debts", "decrease", 120, 80, None, 100, 2, 4)


def test_the_worked_example_of_a_mixed_contract():
    """Half the periods ended: 10 more people expected by now, 46 is 6 of them (3/5), worth
    € 40,000 × 3/5 = € 24,000; 100 days is the 20 days expected (1), worth the whole € 100,000
    at contract price. € 124,000 in all: 1.24 per euro; the achieved share is 80 %."""
    outcome = contract_outcome(100_000_00, [WORK, DEBTS])
    work, debts = outcome.indicators
    assert (work.basis, work.worth, work.performance) == ("valued", 40_000_00, Fraction(3, 5))
    assert (debts.basis, debts.worth, debts.performance) == ("at_price", 100_000_00, 1)
    assert outcome.expected_results == 124_000_00
    assert outcome.results_per_euro == Fraction(124, 100)
    assert outcome.achieved_share == Fraction(4, 5)
    assert not outcome.estimated
    assert outcome.bases == ("valued", "at_price")
    assert euros(outcome.expected_results) == euros(124_000_00)


def test_an_indicator_not_yet_accepted_is_estimated_at_its_committed_target():
    """Without the days accepted the contract is estimated: the days count at their committed
    target (1), so the expected results stay € 124,000; the achieved share is the work alone."""
    pending = PortfolioIndicator("debts", "decrease", 120, 80, None, None, 2, 4)
    outcome = contract_outcome(100_000_00, [WORK, pending])
    assert outcome.estimated
    assert outcome.expected_results == 124_000_00
    assert outcome.achieved_share == Fraction(3, 5)


def test_a_value_accepted_before_any_period_ended_is_still_an_estimate():
    early = PortfolioIndicator("work", "increase", 40, 60, None, 41, 0, 4)
    assert performance(early) == 1
    outcome = contract_outcome(50_000_00, [early])
    assert outcome.estimated and outcome.achieved_share is None
    assert outcome.expected_results == 50_000_00


def test_the_contract_value_is_shared_over_the_indicators_at_price_only():
    """Two at price share € 90,000 (€ 45,000 each); the valued one stands apart. A worsening
    counts 0: only one half of the price is earned."""
    a = PortfolioIndicator("a", "increase", 10, 20, None, 20, 4, 4)  # all of it: 1
    b = PortfolioIndicator("b", "increase", 10, 20, None, 8, 4, 4)  # a worsening: 0
    c = PortfolioIndicator("c", "increase", 0, 5, 1_000_00, 5, 4, 4)  # 5 × € 1,000
    outcome = contract_outcome(90_000_00, [a, b, c])
    assert [i.worth for i in outcome.indicators] == [45_000_00, 45_000_00, 5_000_00]
    assert outcome.expected_results == 45_000_00 + 5_000_00
    assert outcome.achieved_share == Fraction(2, 3)


def test_an_outcome_value_without_a_baseline_or_an_improvement_counts_at_price():
    no_baseline = PortfolioIndicator("a", "increase", None, 20, 1_000_00, 25, 1, 2)
    no_improvement = PortfolioIndicator("b", "decrease", 10, 12, 1_000_00, 9, 1, 2)
    outcome = contract_outcome(10_000_00, [no_baseline, no_improvement])
    assert [i.basis for i in outcome.indicators] == ["at_price", "at_price"]
    # without a line to the target, reaching it counts 1 (as the payment has it)
    assert [i.performance for i in outcome.indicators] == [1, 1]
    assert outcome.results_per_euro == 1


def test_a_contract_without_indicators_is_estimated_at_its_price():
    outcome = contract_outcome(10_000_00, [])
    assert outcome.estimated and outcome.results_per_euro == 1 and outcome.achieved_share is None


def test_a_contract_of_no_value_has_no_results_per_euro():
    assert contract_outcome(0, [DEBTS]).results_per_euro is None


def test_a_negative_value_is_refused():
    with pytest.raises(ValueError):
        contract_outcome(-1, [DEBTS])


def test_totals_add_up_overall_and_per_group():
    one = contract_outcome(100_000_00, [WORK, DEBTS])  # € 124,000
    two = contract_outcome(50_000_00, [PortfolioIndicator("x", "increase", 0, 10, None, 5, 1, 1)])
    overall = total([one, two])
    assert (overall.contracts, overall.cost_cents) == (2, 150_000_00)
    assert overall.expected_results == 124_000_00 + 25_000_00
    assert overall.results_per_euro == Fraction(149, 150)
    groups = totals_by([("work", one), ("debts", two), ("work", two)])
    assert [(g.label, g.contracts, g.cost_cents) for g in groups] == [
        ("debts", 1, 50_000_00),
        ("work", 2, 150_000_00),
    ]


def test_the_rule_is_said_in_both_languages():
    set_locale("en")
    try:
        english = str(PORTFOLIO_RULE)
    finally:
        set_locale("nl")
    assert "outcome value" in english and "at contract price" in english
    assert "resultaat per euro" in str(PORTFOLIO_RULE)


# --- properties ----------------------------------------------------------------------------

values = st.one_of(st.none(), st.integers(-50, 250).map(float))


@st.composite
def indicators(draw, key: int = 0, outcome: bool | None = None) -> PortfolioIndicator:
    total_periods = draw(st.integers(1, 12))
    baseline = draw(st.one_of(st.none(), st.integers(0, 100)))
    return PortfolioIndicator(
        key=key,
        direction=draw(st.sampled_from(["increase", "decrease"])),
        baseline=baseline,
        target=draw(st.integers(0, 200)),
        outcome_value_cents=(
            draw(st.one_of(st.none(), st.integers(0, 10_000_00)))
            if outcome is None
            else (draw(st.integers(0, 10_000_00)) if outcome else None)
        ),
        latest=draw(values),
        periods_ended=draw(st.integers(0, total_periods)),
        periods_total=total_periods,
    )


@st.composite
def contracts(draw, outcome: bool | None = None):
    count = draw(st.integers(1, 5))
    return draw(st.integers(0, 10**9)), [draw(indicators(n, outcome)) for n in range(count)]


@BOUNDED
@given(contracts())
def test_results_are_never_negative_and_performance_stays_between_0_and_1(contract):
    value, items = contract
    outcome = contract_outcome(value, items)
    assert outcome.expected_results >= 0
    assert all(0 <= i.performance <= 1 for i in outcome.indicators)
    share = outcome.achieved_share
    assert share is None or 0 <= share <= 1


@BOUNDED
@given(contracts(outcome=False))
def test_at_price_results_never_exceed_the_price(contract):
    value, items = contract
    outcome = contract_outcome(value, items)
    assert outcome.expected_results <= value
    if value:
        assert outcome.results_per_euro <= 1


@BOUNDED
@given(contracts(outcome=False), st.data())
def test_a_contract_at_price_with_every_target_met_has_exactly_1_per_euro(contract, data):
    value, items = contract
    met = [
        PortfolioIndicator(
            i.key,
            i.direction,
            i.baseline,
            i.target,
            None,
            i.target,
            i.periods_total,
            i.periods_total,
        )
        for i in items
    ]
    outcome = contract_outcome(max(value, 1), met)
    assert outcome.results_per_euro == 1
    assert not outcome.estimated and outcome.achieved_share == 1


@BOUNDED
@given(contracts(), st.data())
def test_a_better_accepted_value_never_lowers_the_expected_results(contract, data):
    value, items = contract
    index = data.draw(st.integers(0, len(items) - 1))
    one = items[index]
    if one.latest is None:
        one = PortfolioIndicator(**{**one.__dict__, "latest": 0.0})
        items = [*items[:index], one, *items[index + 1 :]]
    step = data.draw(st.integers(0, 100))
    better = one.latest + step if one.direction == "increase" else one.latest - step
    improved = [
        *items[:index],
        PortfolioIndicator(**{**one.__dict__, "latest": better}),
        *items[index + 1 :],
    ]
    assert (
        contract_outcome(value, improved).expected_results
        >= contract_outcome(value, items).expected_results
    )


@BOUNDED
@given(contracts())
def test_estimated_exactly_when_some_indicator_is_not_measured(contract):
    value, items = contract
    outcome = contract_outcome(value, items)
    assert outcome.estimated == any(i.latest is None or i.periods_ended == 0 for i in items)


@BOUNDED
@given(st.lists(contracts(), min_size=1, max_size=6), st.data())
def test_group_totals_add_up_to_the_portfolio(many, data):
    outcomes = [contract_outcome(v, items) for v, items in many]
    keys = [data.draw(st.sampled_from(["a", "b", "c"])) for _ in outcomes]
    groups = totals_by(zip(keys, outcomes, strict=True))
    overall = total(outcomes)
    assert sum(g.cost_cents for g in groups) == overall.cost_cents
    assert sum(g.expected_results for g in groups) == overall.expected_results
    assert sum(g.contracts for g in groups) == overall.contracts == len(many)
