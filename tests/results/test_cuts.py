"""Both cuts on small portfolios checked by hand, and their promises on random ones."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import set_locale
from app.results.cuts import BadScenario, CutContract, Saving, cut_scenario, flat_cut, results_cut

BOUNDED = settings(max_examples=200, deadline=None)

# Results per euro: A 0.0005, B 0.002, C 0.0002 (floor € 60,000), D protected.
PORTFOLIO = [
    CutContract("A", 100_000_00, 50, ("youth",), name="Youth work"),
    CutContract("B", 200_000_00, 400, ("debts", "youth")),
    CutContract("C", 100_000_00, 20, ("debts",), floor_cents=60_000_00),
    CutContract("D", 50_000_00, 100, ("housing",), protected=True),
]


def by_contract(cut):
    return {c.contract: (c.before_cents, c.cut_cents, c.after_cents) for c in cut.contracts}


def test_the_flat_cut_takes_the_same_percentage_of_every_unprotected_contract():
    """€ 60,000 off A + B + C (€ 400,000): 15 % each; D is protected. Results lost:
    A 50 × 15 % = 7.5, B 400 × 15 % = 60, C 20 × 15 % = 3: 70.5 in all."""
    cut = flat_cut(PORTFOLIO, Saving.of_amount(60_000_00))
    assert cut.percentage == Decimal("15.00")
    assert by_contract(cut) == {
        "A": (100_000_00, 15_000_00, 85_000_00),
        "B": (200_000_00, 30_000_00, 170_000_00),
        "C": (100_000_00, 15_000_00, 85_000_00),
        "D": (50_000_00, 0, 50_000_00),
    }
    assert cut.results_lost == Fraction(141, 2) and cut.results_lost_shown == Decimal("70.50")
    assert cut.short_cents == 0 and cut.shortfall is None


def test_the_results_based_cut_starts_where_the_fewest_results_are_lost_per_euro():
    """C loses least per euro: € 40,000 down to its floor (8 results); then A: € 20,000
    (10 results); B, the best per euro, is not touched. 18 results lost instead of 70.5."""
    scenario = cut_scenario(PORTFOLIO, Saving.of_amount(60_000_00))
    cut = scenario.results
    assert by_contract(cut) == {
        "A": (100_000_00, 20_000_00, 80_000_00),
        "B": (200_000_00, 0, 200_000_00),
        "C": (100_000_00, 40_000_00, 60_000_00),
        "D": (50_000_00, 0, 50_000_00),
    }
    assert [c.results_lost for c in cut.contracts] == [10, 0, 8, 0]
    assert cut.results_lost == 18 and scenario.results_kept == Fraction(105, 2)
    assert [c.contract for c in cut.contracts if c.at_floor] == ["C"]


def test_target_groups_share_a_contract_equally():
    """B serves debts and youth: € 100,000 of budget in each. Flat: youth = A + half of B =
    € 200,000 before, € 15,000 + € 15,000 cut, 7.5 + 30 results lost."""
    cut = flat_cut(PORTFOLIO, Saving.of_amount(60_000_00))
    groups = {g.group: (g.before_cents, g.cut_cents, g.results_lost) for g in cut.groups}
    assert groups == {
        "debts": (200_000_00, 30_000_00, 33),
        "housing": (50_000_00, 0, 0),
        "youth": (200_000_00, 30_000_00, Fraction(75, 2)),
    }


def test_a_floor_stops_the_flat_cut_and_the_others_take_the_rest():
    """€ 20,000 off two budgets of € 100,000; Q may go no lower than € 95,000. 10 % each would
    take Q below its floor, so Q loses € 5,000 and P the other € 15,000."""
    contracts = [
        CutContract("P", 100_000_00, 10, ("g",)),
        CutContract("Q", 100_000_00, 10, ("g",), floor_cents=95_000_00),
    ]
    cut = flat_cut(contracts, Saving.of_amount(20_000_00))
    assert [c.cut_cents for c in cut.contracts] == [15_000_00, 5_000_00]
    assert cut.percentage == Decimal("15.00")


def test_odd_cents_go_to_the_largest_remainders():
    """1 cent off three equal budgets: the exact share is 1/3 cent each; the cent goes to the
    lowest id. 100 cents off budgets 1, 1, 1 (all of it): 1 each, the saving falls short by 97."""
    equal = [CutContract(key, 300, 3, ("g",)) for key in "zyx"]
    assert [c.cut_cents for c in flat_cut(equal, Saving.of_amount(1)).contracts] == [1, 0, 0]
    assert [c.contract for c in flat_cut(equal, Saving.of_amount(1)).contracts] == ["x", "y", "z"]
    # Equal results per euro share the results-based cut the same way.
    assert [c.cut_cents for c in results_cut(equal, Saving.of_amount(2)).contracts] == [1, 1, 0]


def test_protections_that_leave_too_little_say_by_how_much():
    """Only C can lose, down to € 60,000: € 40,000 of the € 100,000 asked; short by € 60,000."""
    scenario = cut_scenario(PORTFOLIO, Saving.of_amount(100_000_00), protected_groups={"youth"})
    for cut in (scenario.flat, scenario.results):
        assert cut.cut_cents == 40_000_00 and cut.short_cents == 60_000_00
        assert by_contract(cut)["C"] == (100_000_00, 40_000_00, 60_000_00)
        assert [c.protected_by_groups for c in cut.contracts] == [("youth",), ("youth",), (), ()]
    set_locale("en")
    try:
        assert str(scenario.results.shortfall) == (
            "Cannot reach the saving within the protections and floors: short by €60,000.00."
        )
    finally:
        set_locale("nl")
    assert str(scenario.results.shortfall) == (
        "Kan de besparing niet halen binnen de beschermingen en ondergrenzen: "
        "€\xa060.000,00 tekort."
    )


def test_a_percentage_is_taken_on_the_whole_budget_protected_contracts_included():
    """5 % of € 450,000 = € 22,500; the assumptions say so."""
    scenario = cut_scenario(PORTFOLIO, Saving.of_percentage("5"))
    assert scenario.saving_cents == 22_500_00 == scenario.flat.cut_cents
    set_locale("en")
    try:
        said = [str(text) for text in scenario.assumptions]
    finally:
        set_locale("nl")
    assert any("5% is taken on the total budget" in text and "€22,500.00" in text for text in said)
    assert any("straight line" in text for text in said)


def test_a_percentage_is_rounded_once_to_whole_cents_halves_up():
    """0.5 % of 101 cents = 0.505 cent → 1 cent; 0.4 % → 0.404 → 0."""
    one = [CutContract("a", 101, 1, ("g",))]
    assert cut_scenario(one, Saving.of_percentage("0.5")).saving_cents == 1
    assert cut_scenario(one, Saving.of_percentage("0.4")).saving_cents == 0


def test_results_not_yet_accepted_are_named_as_estimates():
    contracts = [
        CutContract("1", 100, 5, ("g",), estimated=True, name="Debt help"),
        CutContract("2", 100, 5, ("g",)),
    ]
    said = [str(text) for text in cut_scenario(contracts, Saving.of_amount(10)).assumptions]
    assert any("Debt help" in text and "toegezegde" in text for text in said)


@pytest.mark.parametrize(
    ("contracts", "saving", "message"),
    [
        (PORTFOLIO, Saving.of_amount(-1), "negatief"),
        (PORTFOLIO, Saving.of_amount(450_000_01), "groter dan het totale budget"),
        (PORTFOLIO, Saving.of_percentage(101), "tussen 0 en 100"),
        (PORTFOLIO, Saving(), "bedrag of als percentage"),
        (PORTFOLIO, Saving(amount_cents=1, percentage=Decimal(1)), "bedrag of als percentage"),
        ([*PORTFOLIO, PORTFOLIO[0]], Saving.of_amount(1), "dezelfde id"),
        ([CutContract("x", 100, 1, ("g",), floor_cents=101)], Saving.of_amount(1), "ondergrens"),
        ([CutContract("x", 100, 1, ())], Saving.of_amount(1), "geen doelgroep"),
        ([CutContract("x", 100, -1, ("g",))], Saving.of_amount(1), "negatief"),
        ([CutContract("x", -5, 1, ("g",))], Saving.of_amount(1), "budget"),
        ([], Saving.of_amount(0), "minstens één contract"),
    ],
)
def test_bad_input_is_refused_with_a_message(contracts, saving, message):
    with pytest.raises(BadScenario) as refused:
        cut_scenario(contracts, saving)
    assert message in str(refused.value)


GROUPS = ["youth", "debts", "housing", "work"]


@st.composite
def portfolios(draw):
    count = draw(st.integers(1, 8))
    ids = draw(
        st.lists(
            st.text("abcdefgh", min_size=1, max_size=3), min_size=count, max_size=count, unique=True
        )
    )
    contracts = []
    for key in ids:
        budget = draw(st.integers(0, 10_000_000))
        results = draw(
            st.one_of(
                st.integers(0, 2_000),
                st.decimals(0, 500, places=2, allow_nan=False, allow_infinity=False),
            )
        )
        floor = draw(st.integers(0, budget)) if draw(st.booleans()) else 0
        contracts.append(
            CutContract(
                key,
                budget,
                results,
                tuple(draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=3))),
                protected=draw(st.integers(0, 4)) == 0,
                floor_cents=floor,
                estimated=draw(st.booleans()),
            )
        )
    total = sum(c.budget_cents for c in contracts)
    saving = draw(
        st.one_of(
            st.integers(0, total).map(Saving.of_amount),
            st.decimals(0, 100, places=2).map(Saving.of_percentage),
        )
    )
    protected = draw(st.sets(st.sampled_from(GROUPS), max_size=2))
    return contracts, saving, protected


@BOUNDED
@given(portfolios())
def test_the_results_based_cut_never_loses_more_than_the_flat_cut(portfolio):
    scenario = cut_scenario(*portfolio)
    assert scenario.results.results_lost <= scenario.flat.results_lost
    assert scenario.results.cut_cents == scenario.flat.cut_cents


@BOUNDED
@given(portfolios())
def test_both_cuts_reach_the_saving_when_the_protections_allow_it(portfolio):
    contracts, saving, protected = portfolio
    scenario = cut_scenario(contracts, saving, protected)
    room = sum(
        c.budget_cents - c.floor_cents
        for c in contracts
        if not c.protected and not set(c.target_groups) & protected
    )
    for cut in (scenario.flat, scenario.results):
        assert cut.cut_cents == min(scenario.saving_cents, room)
        assert cut.short_cents == max(0, scenario.saving_cents - room)
        assert (cut.shortfall is None) == (cut.short_cents == 0)


@BOUNDED
@given(portfolios())
def test_floors_and_protections_are_never_crossed(portfolio):
    contracts, saving, protected = portfolio
    given_ = {c.id: c for c in contracts}
    scenario = cut_scenario(contracts, saving, protected)
    for cut in (scenario.flat, scenario.results):
        for line in cut.contracts:
            contract = given_[line.contract]
            assert 0 <= line.cut_cents <= line.before_cents
            assert line.after_cents >= contract.floor_cents
            if contract.protected or set(contract.target_groups) & protected:
                assert line.protected and line.cut_cents == 0
        for group in cut.groups:
            assert group.after_cents >= 0 and group.cut_cents >= 0


@BOUNDED
@given(portfolios(), st.randoms(use_true_random=False))
def test_the_order_of_the_contracts_never_changes_the_result(portfolio, rng):
    contracts, saving, protected = portfolio
    shuffled = list(contracts)
    rng.shuffle(shuffled)
    assert cut_scenario(shuffled, saving, protected) == cut_scenario(contracts, saving, protected)


@BOUNDED
@given(portfolios())
def test_cents_and_results_add_up(portfolio):
    contracts, saving, protected = portfolio
    scenario = cut_scenario(contracts, saving, protected)
    total = sum(c.budget_cents for c in contracts)
    assert scenario.total_budget_cents == total
    for cut in (scenario.flat, scenario.results):
        assert sum(c.cut_cents for c in cut.contracts) == cut.cut_cents
        assert sum(g.before_cents for g in cut.groups) == total
        assert sum(g.cut_cents for g in cut.groups) == cut.cut_cents
        assert sum(g.results_lost for g in cut.groups) == cut.results_lost
        assert sum(g.results_before for g in cut.groups) == cut.results_before


@BOUNDED
@given(portfolios())
def test_the_flat_cut_is_one_percentage_apart_from_floors_and_rounding(portfolio):
    contracts, saving, protected = portfolio
    cut = flat_cut(contracts, saving, protected)
    for line in cut.contracts:
        if line.protected or line.at_floor or not line.before_cents:
            continue
        exact_share = Fraction(line.cut_cents, line.before_cents) * 100
        # Within one cent of the common share (itself shown rounded to 0.005 %).
        assert abs(exact_share - Fraction(cut.percentage)) <= (
            Fraction(100, line.before_cents) + Fraction(1, 200)
        )


@BOUNDED
@given(portfolios(), st.randoms(use_true_random=False))
def test_no_other_division_of_the_saving_loses_fewer_results(portfolio, rng):
    """Any cut that takes the same amount within the same room loses at least as much."""
    contracts, saving, protected = portfolio
    scenario = cut_scenario(contracts, saving, protected)
    room = [c.can_lose_cents for c in scenario.results.contracts]
    left = scenario.results.cut_cents
    other = [0] * len(room)
    order = list(range(len(room)))
    rng.shuffle(order)
    for index in order:
        other[index] = min(room[index], left)
        left -= other[index]
    lost = sum(
        (c.results_before * part / c.before_cents if c.before_cents else 0)
        for c, part in zip(scenario.results.contracts, other, strict=True)
    )
    assert scenario.results.results_lost <= lost


def test_a_large_portfolio_keeps_its_promises():
    rng = random.Random(4)
    contracts = [
        CutContract(
            f"c{n:04d}",
            rng.randint(10_000_00, 900_000_00),
            rng.randint(0, 500),
            (f"group-{rng.randint(0, 9)}",),
            protected=rng.random() < 0.1,
            floor_cents=0,
        )
        for n in range(500)
    ]
    scenario = cut_scenario(contracts, Saving.of_percentage(12), {"group-3"})
    assert scenario.flat.cut_cents == scenario.results.cut_cents == scenario.saving_cents
    assert scenario.results.results_lost < scenario.flat.results_lost
