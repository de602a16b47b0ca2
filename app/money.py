"""Amounts as people write them in Dutch (450.000,50) to integer cents and back."""

import re
from decimal import Decimal, InvalidOperation

_EURO = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+(,\d{1,2})?$|^\d+(\.\d{1,2})?$")


class BadAmount(ValueError):
    pass


def parse_euros(text: str) -> int | None:
    """'450.000', '450000', '450.000,50' or '1250.5' (in euros) to integer cents."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if not cleaned:
        return None
    if not _EURO.match(cleaned):
        raise BadAmount(text)
    if "," in cleaned or re.search(r"\.\d{3}(\.|$)", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation as error:
        raise BadAmount(text) from error


def format_euros(cents: int | None) -> str:
    """Cents as a form shows them: 450.000 or 450.000,50; -150 is -1,50 (the sign first, then
    the amount; divmod alone would floor -150 to -2 and a rest of 50)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    text = f"{euros:,}".replace(",", ".")
    return f"{sign}{text},{rest:02d}" if rest else f"{sign}{text}"
