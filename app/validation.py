"""One way to check input: request bodies refuse unknown fields, and Pydantic's errors become
one message per field in the words of the form, naming the limit, in the caller's language."""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from app.errors import ValidationFailed
from app.i18n import Lazy

# Lengths shared by more than one domain; each schema names its own limits after these.
NAME_MAX = 200
TEXT_MAX = 20_000
FILENAME_MAX = 200


class Input(BaseModel):
    """A request body or form: a field it does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_MESSAGES: dict[str, str] = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not known.",
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


def _message(item: Any) -> Lazy:
    kind, limits = item["type"], item.get("ctx") or {}
    value = item.get("input")
    if kind == "string_too_short":
        if not (isinstance(value, str) and value.strip()) or limits.get("min_length", 1) <= 1:
            return Lazy("This field is required.")
        return Lazy("At least %(min)s characters.", min=limits["min_length"])
    if kind == "string_too_long":
        return Lazy("At most %(max)s characters.", max=limits["max_length"])
    if kind == "too_long":
        return Lazy("At most %(max)s rows.", max=limits["max_length"])
    return Lazy(_MESSAGES.get(kind, "This value is not valid."))


def field_errors(errors: list[Any]) -> dict[str, Lazy]:
    """Pydantic's errors as {dotted.field: message in the caller's language}."""
    result: dict[str, Lazy] = {}
    for item in errors:
        loc = [str(part) for part in item["loc"] if part not in ("body", "query", "path")]
        result.setdefault(".".join(loc) or "form", _message(item))
    return result


M = TypeVar("M", bound=BaseModel)


def problems(model: type[M], data: Any) -> dict[str, Lazy]:
    """What is wrong with `data` as a `model`, without raising; empty when it is fine."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        return field_errors(error.errors())
    return {}


def checked(model: type[M], data: Any) -> M:
    """`data` as a `model`, or ValidationFailed with every field's message at once."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error.errors())) from error
