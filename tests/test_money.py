"""Dutch amounts to cents and back."""

import pytest

from app import money


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
