"""Weighted totals, the rounding rule and the spread, on small numbers checked by hand."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evaluation.scores import (
    SPREAD_THRESHOLD,
    Criterion,
    Scale,
    check_criteria,
    exact,
    rounded,
    spread,
    weighted_total,
)

BOUNDED = settings(max_examples=100, deadline=None)
ABC = [Criterion("A", 50, 0), Criterion("B", 30, 1), Criterion("C", 20, 2)]


def test_weighted_total_on_a_scale_from_zero():
    """0..10, weights 50/30/20, scores 8/5/10: 50×0.8 + 30×0.5 + 20×1 = 40 + 15 + 20 = 75."""
    assert weighted_total(ABC, Scale(0, 10), {"A": 8, "B": 5, "C": 10}) == Decimal("75.00")


def test_weighted_total_on_a_scale_from_one():
    """1..5: (4-1)/4×50 + (2-1)/4×30 + (5-1)/4×20 = 37.5 + 7.5 + 20 = 65."""
    assert weighted_total(ABC, Scale(1, 5), {"A": 4, "B": 2, "C": 5}) == Decimal("65.00")


def test_bottom_and_top_of_the_scale_give_0_and_100():
    scale = Scale(1, 5)
    assert weighted_total(ABC, scale, dict.fromkeys("ABC", 1)) == Decimal("0.00")
    assert weighted_total(ABC, scale, dict.fromkeys("ABC", 5)) == Decimal("100.00")


def test_a_total_is_rounded_once_with_halves_up():
    """0..8, weights 1/99, scores 1/0: 1 × 1/8 = 0.125 → 0.13 (half up, not half even 0.12);
    0..3, weight 100, score 1: 33.333… → 33.33; score 2: 66.666… → 66.67."""
    criteria = [Criterion("A", 1, 0), Criterion("B", 99, 1)]
    assert weighted_total(criteria, Scale(0, 8), {"A": 1, "B": 0}) == Decimal("0.13")
    only = [Criterion("A", 100, 0)]
    assert weighted_total(only, Scale(0, 3), {"A": 1}) == Decimal("33.33")
    assert weighted_total(only, Scale(0, 3), {"A": 2}) == Decimal("66.67")


def test_rounding_is_symmetric_and_keeps_two_places():
    assert rounded(Fraction(1, 8)) == Decimal("0.13")
    assert rounded(Fraction(-1, 8)) == Decimal("-0.13")
    assert str(rounded(Fraction(7))) == "7.00"


def test_a_formula_score_with_decimals_counts_as_shown():
    """A formula score of 3.67 on 1..5 with weight 100: (3.67 - 1) / 4 × 100 = 66.75."""
    only = [Criterion("F", 100, 0, kind="formula", indicator=0)]
    assert weighted_total(only, Scale(1, 5), {"F": Decimal("3.67")}) == Decimal("66.75")


def test_only_exact_numbers_are_rounded():
    """A float in the arithmetic would make the rounding rule a matter of luck: refused."""
    with pytest.raises(TypeError, match="exact numbers"):
        rounded(0.125)


def test_floats_are_read_as_the_decimal_they_print_as():
    assert exact(0.1) == Fraction(1, 10)
    with pytest.raises(ValueError, match="finite"):
        exact(float("nan"))
    with pytest.raises(ValueError, match="not a number"):
        exact(True)


@pytest.mark.parametrize("score", [11, -1, Decimal("10.01")])
def test_a_score_outside_the_scale_is_refused_by_name(score):
    with pytest.raises(ValueError, match=r"criterion 'B'.* outside the scale 0\.\.10"):
        weighted_total(ABC, Scale(0, 10), {"A": 5, "B": score, "C": 5})


def test_every_criterion_needs_a_score_and_no_other_scores():
    with pytest.raises(ValueError, match="no score for criterion 'C'"):
        weighted_total(ABC, Scale(0, 10), {"A": 5, "B": 5})
    with pytest.raises(ValueError, match="unknown criteria"):
        weighted_total(ABC, Scale(0, 10), {"A": 5, "B": 5, "C": 5, "D": 5})


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([Criterion("A", 50, 0), Criterion("B", 40, 1)], "add up to 90"),
        ([Criterion("A", 50, 0), Criterion("A", 50, 1)], "same key"),
        ([Criterion("A", 50, 0), Criterion("B", 50, 0)], "same position"),
        ([Criterion("A", 100, 0), Criterion("B", 0, 1)], "at least 1"),
        ([Criterion("A", 100, 0, kind="formula")], "has no indicator"),
        ([], "no criteria"),
    ],
)
def test_criteria_that_cannot_carry_a_total_are_refused(criteria, message):
    with pytest.raises(ValueError, match=message):
        check_criteria(criteria)


def test_a_scale_needs_room():
    with pytest.raises(ValueError, match="above its minimum"):
        Scale(5, 5)


def test_spread_threshold_is_forty_percent_of_the_range():
    """0..10: 3 and 7 are 4 apart (= 40%, not more): fine; 2 and 7 are 5 apart: large.
    1..5 (range 4, threshold 1.6): 2 and 4 are 2 apart: large; 3 and 4: fine."""
    assert SPREAD_THRESHOLD == Fraction(2, 5)
    assert not spread([3, 7, 5], Scale(0, 10)).large
    wide = spread([2, 7, 5], Scale(0, 10))
    assert (wide.lowest, wide.highest, wide.width, wide.large) == (2, 7, 5, True)
    assert spread([2, 4], Scale(1, 5)).large
    assert not spread([3, 4, 4], Scale(1, 5)).large


def test_spread_refuses_nothing_and_scores_off_the_scale():
    with pytest.raises(ValueError, match="no scores"):
        spread([], Scale(0, 10))
    with pytest.raises(ValueError, match="outside the scale"):
        spread([3, 12], Scale(0, 10))


@st.composite
def weights(draw) -> list[int]:
    """Between 1 and 8 whole weights of at least 1 that add up to 100."""
    cuts = sorted(draw(st.sets(st.integers(1, 99), max_size=7)))
    bounds = [0, *cuts, 100]
    return [high - low for low, high in zip(bounds, bounds[1:], strict=False)]


@BOUNDED
@given(data=st.data(), weights=weights(), low=st.integers(0, 10), width=st.integers(1, 10))
def test_totals_lie_between_0_and_100(data, weights, low, width):
    scale = Scale(low, low + width)
    criteria = [Criterion(f"c{i}", weight, i) for i, weight in enumerate(weights)]
    scores = {c.key: data.draw(st.integers(scale.minimum, scale.maximum)) for c in criteria}
    total = weighted_total(criteria, scale, scores)
    assert Decimal(0) <= total <= Decimal(100)
    assert total.as_tuple().exponent == -2


@BOUNDED
@given(data=st.data(), weights=weights())
def test_a_higher_score_never_lowers_the_total(data, weights):
    scale = Scale(0, 10)
    criteria = [Criterion(i, weight, i) for i, weight in enumerate(weights)]
    scores = {c.key: data.draw(st.integers(0, 9)) for c in criteria}
    raised = data.draw(st.sampled_from(criteria)).key
    better = {**scores, raised: scores[raised] + 1}
    assert weighted_total(criteria, scale, better) >= weighted_total(criteria, scale, scores)
