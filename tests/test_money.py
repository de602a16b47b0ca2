"""Dutch amounts to cents and back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import money, web


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("450.000", 450_000_00),
        ("€ 450.000,50", 450_000_50),
        ("450000", 450_000_00),
        ("1.250", 1_250_00),
        ("12,5", 12_50),
        ("1250.5", 1_250_50),
        ("", None),
    ],
)
def test_parse_euros(text, cents):
    assert money.parse_euros(text) == cents


@pytest.mark.parametrize("text", ["veel", "1.2.3", "12,345", "-5", "1e6"])
def test_parse_euros_refuses(text):
    with pytest.raises(money.BadAmount):
        money.parse_euros(text)


def test_format_euros_round_trips():
    for cents in (450_000_00, 450_000_50, 1_00, 0):
        assert money.parse_euros(money.format_euros(cents) or "0") == cents


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (-150, "-1,50"),
        (-5, "-0,05"),
        (-100, "-1"),
        (-99, "-0,99"),
        (-123_456_789, "-1.234.567,89"),
        (150, "1,50"),
        (5, "0,05"),
        (123_456_789, "1.234.567,89"),
        (None, ""),
    ],
)
def test_format_euros_worked_examples(cents, text):
    assert money.format_euros(cents) == text


@given(st.integers(min_value=0, max_value=10**13))
def test_format_euros_round_trips_through_the_parser(cents):
    assert money.parse_euros(money.format_euros(cents)) == cents


@given(st.integers(min_value=1, max_value=10**13))
def test_a_negative_amount_is_the_positive_one_with_a_minus_sign(cents):
    assert money.format_euros(-cents) == "-" + money.format_euros(cents)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (23_786_60, "€\xa023.786,60"),
        (23_786_59, "€\xa023.786,59"),
        (450_000_00, "€\xa0450.000"),
        (5, "€\xa00,05"),
        (0, "€\xa00"),
    ],
)
def test_the_pages_show_two_decimals_or_none(cents, text):
    assert web.money(cents).replace(" ", "\xa0") == text
