"""The proposal form: flat input names to and from ProposalContent, so the page works without JS.

Inputs are keyed by what they belong to, not by position: `target-<indicator id>`,
`budget-<organisation id>`, `req-<requirement id>-met` and `req-<requirement id>-explanation`.
"""

import re
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.challenges.models import Challenge
from app.i18n import Lazy, get_locale
from app.money import BadAmount, format_euros, parse_euros
from app.proposals.schemas import ProposalContent
from app.validation import field_errors

TEXTS = ("approach", "theory_of_change")
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")


class BadNumber(ValueError):
    pass


def parse_number(text: str) -> float | None:
    """'60', '60,5', '60.5' or '1.250,5' to a float; blank is None."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").strip()
    if not cleaned:
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not _NUMBER.match(cleaned):
        raise BadNumber(text)
    return float(cleaned)


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",") if get_locale() == "nl" else text


def values_from(content: ProposalContent) -> dict[str, str]:
    """A saved draft as form values."""
    values = {name: getattr(content, name) for name in TEXTS}
    for target in content.targets:
        values[f"target-{target.indicator_id}"] = format_number(target.value)
    for share in content.budget:
        values[f"budget-{share.organisation_id}"] = format_euros(share.amount_cents)
    for answer in content.requirement_answers:
        prefix = f"req-{answer.requirement_id}"
        values[f"{prefix}-met"] = {True: "yes", False: "no"}.get(answer.met, "")
        values[f"{prefix}-explanation"] = answer.explanation
    return values


class Parsed:
    """The form as ProposalContent (None when something could not be read) and the errors,
    keyed by input name; `input_for` turns the service's error keys into input names too."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.content: ProposalContent | None = None
        self.errors: dict[str, Lazy] = {}
        self._names: dict[str, list[str]] = {"targets": [], "budget": [], "requirement_answers": []}

    def input_for(self, key: str) -> str:
        """'budget.1.amount_cents' -> 'budget-12'; unknown keys stay as they are."""
        parts = key.split(".")
        names = self._names.get(parts[0])
        if names is None or len(parts) < 2 or not parts[1].isdigit():
            return key
        index = int(parts[1])
        if index >= len(names):
            return key
        name = names[index]
        if parts[0] == "requirement_answers":
            return f"{name}-explanation" if parts[2:] == ["explanation"] else f"{name}-met"
        return name

    def add_errors(self, errors: dict[str, Any]) -> None:
        for key, message in errors.items():
            self.errors.setdefault(self.input_for(key), message)


def parse(form: FormData, challenge: Challenge, member_ids: list[int]) -> Parsed:
    """The submitted form for this challenge and these (accepted) members."""
    result = Parsed()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    values = result.values
    data: dict[str, Any] = {name: text(name) for name in TEXTS}
    values.update(data)
    data["targets"] = []
    for indicator in challenge.indicators:
        name = f"target-{indicator.id}"
        values[name] = text(name)
        try:
            number = parse_number(values[name])
        except BadNumber:
            result.errors[name] = Lazy("Enter a number.")
            continue
        if number is not None:
            data["targets"].append({"indicator_id": indicator.id, "value": number})
            result._names["targets"].append(name)
    data["budget"] = []
    for organisation_id in member_ids:
        name = f"budget-{organisation_id}"
        values[name] = text(name)
        try:
            cents = parse_euros(values[name])
        except BadAmount:
            result.errors[name] = Lazy("Enter an amount in euros, for example 450.000.")
            continue
        if cents is not None and cents <= 0:
            result.errors[name] = Lazy("A share must be more than zero.")
        elif cents is not None:
            data["budget"].append({"organisation_id": organisation_id, "amount_cents": cents})
            result._names["budget"].append(name)
    data["requirement_answers"] = []
    for requirement in challenge.requirements:
        prefix = f"req-{requirement.id}"
        met, explanation = text(f"{prefix}-met"), text(f"{prefix}-explanation")
        values[f"{prefix}-met"], values[f"{prefix}-explanation"] = met, explanation
        answer = {"yes": True, "no": False}.get(met)
        if answer is not None or explanation:
            data["requirement_answers"].append(
                {"requirement_id": requirement.id, "met": answer, "explanation": explanation}
            )
            result._names["requirement_answers"].append(prefix)
    try:
        content = ProposalContent.model_validate(data)
    except ValidationError as error:
        result.add_errors(field_errors(error.errors()))
        return result
    if not result.errors:
        result.content = content
    return result


def labels(challenge: Challenge, members: list[Any]) -> dict[str, Any]:
    """The name of each input as the page shows it, for the error summary."""
    names: dict[str, Any] = {
        "approach": Lazy("Approach"),
        "theory_of_change": Lazy("Why it will work (theory of change)"),
        "targets": Lazy("Committed targets"),
        "budget": Lazy("Budget split"),
        "requirements": Lazy("Minimum requirements"),
        "file": Lazy("Documents"),
    }
    for indicator in challenge.indicators:
        names[f"target-{indicator.id}"] = indicator.name
    for member in members:
        names[f"budget-{member.organisation_id}"] = Lazy(
            "Share of %(organisation)s in euros", organisation=member.organisation.name
        )
    for number, requirement in enumerate(challenge.requirements, start=1):
        prefix = f"req-{requirement.id}"
        names[f"{prefix}-met"] = Lazy("Minimum requirement %(number)s", number=number)
        names[f"{prefix}-explanation"] = Lazy(
            "Minimum requirement %(number)s: explanation", number=number
        )
    return names


def anchor(key: str) -> str | None:
    """Where on the page a 'still missing' item is put right, as a fragment id."""
    parts = key.split(".")
    if key in TEXTS:
        return f"f-{key}"
    if parts[0] == "target" and len(parts) == 2:
        return f"f-target-{parts[1]}"
    if parts[0] == "requirement" and len(parts) == 2:
        return f"req-{parts[1]}"
    if parts[0] in ("budget", "targets", "requirement_answers"):
        return {"targets": "targets", "requirement_answers": "requirements"}.get(parts[0], "budget")
    return None
