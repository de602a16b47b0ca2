"""The challenge form: flat input names to and from ChallengeIn, so pages work without JS."""

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.challenges.schemas import MAX_ROWS, ChallengeIn
from app.clock import AMSTERDAM
from app.i18n import Lazy
from app.money import BadAmount, format_euros, parse_euros
from app.validation import field_errors

ROW_FIELDS = {
    "indicators": (
        "id",
        "name",
        "definition",
        "unit",
        "baseline_value",
        "baseline_date",
        "direction",
        "target_value",
        "measurement_method",
        "reporting_frequency",
        "outcome_value",
    ),
    "criteria": ("id", "kind", "name", "description", "weight", "indicator_position"),
    "requirements": ("text",),
}
SCALAR_FIELDS = (
    "title",
    "summary",
    "desired_result",
    "target_group",
    "target_group_size",
    "context",
    "theme",
    "budget",
    "period_start",
    "period_end",
    "scale_min",
    "scale_max",
    "question_deadline",
    "submission_deadline",
    "expected_award_date",
    "allow_multiple_coalitions",
)


def _local_moment(text: str) -> datetime | str | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)
    except ValueError:
        return text  # pydantic reports it


def row_count(values: dict[str, str], group: str) -> int:
    """One more than the highest row number; a name whose row is not a number names no row."""
    numbers = [key.split("-")[1] for key in values if key.startswith(f"{group}-")]
    indices = [int(n) for n in numbers if n.isascii() and n.isdigit() and len(n) < 10]
    return max(indices) + 1 if indices else 0


_TEXTS = {"name", "definition", "unit", "measurement_method", "description", "text"}


def values_from_form(form: FormData) -> dict[str, str]:
    """The submitted values, with blank rows dropped and the rest numbered 0, 1, 2, ..."""
    raw = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and (key in SCALAR_FIELDS or key.split("-")[0] in ROW_FIELDS):
            raw[key] = value.strip()
    values = {key: value for key, value in raw.items() if key in SCALAR_FIELDS}
    for group, fields in ROW_FIELDS.items():
        kept = 0
        for index in range(min(row_count(raw, group), MAX_ROWS + 1)):
            row = {name: raw.get(f"{group}-{index}-{name}", "") for name in fields}
            if any(row[name] for name in fields if name in _TEXTS or name.endswith("value")):
                values.update({f"{group}-{kept}-{name}": value for name, value in row.items()})
                kept += 1
    return values


def _rows(values: dict[str, str], group: str) -> list[dict[str, Any]]:
    """Rows as ChallengeIn expects them: blanks become 'not given' (or the default)."""
    rows = []
    for index in range(row_count(values, group)):
        row: dict[str, Any] = {}
        for name in ROW_FIELDS[group]:
            value = values.get(f"{group}-{index}-{name}", "")
            if value or name in _TEXTS:
                row[name] = value
            elif name not in ("direction", "reporting_frequency", "kind"):
                row[name] = None
        rows.append(row)
    return rows


def parse(values: dict[str, str]) -> tuple[ChallengeIn | None, dict[str, Lazy]]:
    """Form values to a ChallengeIn, or the errors keyed as the template shows them."""
    errors: dict[str, Lazy] = {}
    data: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        value = values.get(name, "")
        if name == "budget":
            try:
                data["budget_cents"] = parse_euros(value)
            except BadAmount:
                errors["budget_cents"] = Lazy("Enter an amount in euros, for example 450.000.")
        elif name in ("question_deadline", "submission_deadline"):
            data[name] = _local_moment(value)
        elif name in ("summary", "desired_result", "target_group", "context", "title"):
            data[name] = value
        elif name == "allow_multiple_coalitions":
            data[name] = value == "1"  # a checkbox: absent when not ticked
        elif value:
            data[name] = value
    data["indicators"] = _rows(values, "indicators")
    for index, row in enumerate(data["indicators"]):
        try:
            row["outcome_value_cents"] = parse_euros(row.pop("outcome_value") or "")
        except BadAmount:
            errors[f"indicators.{index}.outcome_value_cents"] = Lazy(
                "Enter an amount in euros, for example 1.250."
            )
    data["criteria"] = _rows(values, "criteria")
    data["requirements"] = [row["text"] for row in _rows(values, "requirements")]
    try:
        parsed = ChallengeIn.model_validate(data)
    except ValidationError as error:
        return None, {**field_errors(error.errors()), **errors}
    return (None, errors) if errors else (parsed, {})


def values_from(data: ChallengeIn) -> dict[str, str]:
    """A stored challenge as form values."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
        if isinstance(value, float):
            return f"{value:g}"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(getattr(value, "value", value))

    values = {name: text(getattr(data, name)) for name in SCALAR_FIELDS if name != "budget"}
    values["budget"] = format_euros(data.budget_cents)
    values["allow_multiple_coalitions"] = "1" if data.allow_multiple_coalitions else ""
    for index, indicator in enumerate(data.indicators):
        for name in ROW_FIELDS["indicators"]:
            if name == "outcome_value":
                values[f"indicators-{index}-{name}"] = format_euros(indicator.outcome_value_cents)
            else:
                values[f"indicators-{index}-{name}"] = text(getattr(indicator, name))
    for index, criterion in enumerate(data.criteria):
        for name in ROW_FIELDS["criteria"]:
            values[f"criteria-{index}-{name}"] = text(getattr(criterion, name))
    for index, requirement in enumerate(data.requirements):
        values[f"requirements-{index}-text"] = requirement
    return values


def add_row(values: dict[str, str], group: str) -> dict[str, str]:
    """One more empty row in the group, for the 'add' buttons that work without JavaScript."""
    index = row_count(values, group)
    if index >= MAX_ROWS:
        return values
    first = ROW_FIELDS[group][0]
    return {**values, f"{group}-{index}-{first}": ""}
