"""Pydantic's errors in the words of the form: one message per field, in the caller's language."""

from typing import Any

from app.i18n import Lazy

_MESSAGES: dict[str, str] = {
    "missing": "This field is required.",
    "string_too_short": "This field is required.",
    "string_too_long": "This text is too long.",
    "too_long": "Too many rows.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "date_parsing": "Enter a date.",
    "date_from_datetime_parsing": "Enter a date.",
    "datetime_parsing": "Enter a date and time.",
    "datetime_from_date_parsing": "Enter a date and time.",
    "date_range": "Enter a date between the years 1900 and 2999.",
    "greater_than_equal": "This number is too small.",
    "less_than_equal": "This number is too large.",
    "enum": "Choose one of the options.",
    "formula_indicator": "A formula criterion needs an existing indicator.",
    "period_order": "The period must end after it starts.",
    "scale_order": "The highest score must be above the lowest.",
}
_FIELD_FOR: dict[str, str] = {
    "period_order": "period_end",
    "scale_order": "scale_max",
    "formula_indicator": "criteria",
}


def field_errors(errors: list[Any]) -> dict[str, Lazy]:
    """Pydantic's errors as {dotted.field: message in the caller's language}."""
    result: dict[str, Lazy] = {}
    for item in errors:
        loc = [str(part) for part in item["loc"] if part not in ("body", "query", "path")]
        kind = item["type"]
        name = ".".join(loc) or _FIELD_FOR.get(kind, "form")
        result.setdefault(name, Lazy(_MESSAGES.get(kind, "This value is not valid.")))
    return result
