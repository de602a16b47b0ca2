"""Amounts and figures inside messages, written the reader's way when they are shown."""

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency

from app.i18n import get_locale


@dataclass(frozen=True)
class Euros:
    """Whole cents shown as money: € 1.234,56 in Dutch, €1,234.56 in English."""

    cents: int

    def __str__(self) -> str:
        locale = "nl_NL" if get_locale() == "nl" else "en_GB"
        return format_currency(Decimal(self.cents).scaleb(-2), "EUR", locale=locale)


def decimal_comma(cents: int) -> str:
    """Whole cents as a plain amount with a decimal comma and no thousands mark: 1234,56."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros},{rest:02d}"
