"""Cut scenario pages: the list with the form for a new one, a saved scenario with both cuts side
by side, two saved ones compared, the council memo (printable and PDF) and the downloads."""

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, assert_can, can
from app.challenges.models import Theme
from app.context import Context
from app.errors import Conflict, ValidationFailed
from app.i18n import Lazy
from app.money import BadAmount, format_euros, parse_euros
from app.results.cuts import CutContract
from app.routing import CommittingRoute
from app.scenarios import service
from app.scenarios.files import scenario_file
from app.scenarios.memo import memo_content
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

PER_PAGE = 20
LABELS = {
    "name": Lazy("Name of the scenario"),
    "saving": Lazy("Saving"),
    "saving_amount": Lazy("Saving in euros"),
    "saving_percentage": Lazy("Saving as a percentage"),
    "protect": Lazy("Protected contracts"),
    "protect_group": Lazy("Protected target groups"),
    "theme": Lazy("Theme"),
    "target_group": Lazy("Target group"),
    "form": Lazy("Form"),
}
# Where each field of the service's input shows its error on the form.
FIELDS = {
    "saving_amount_cents": "saving_amount",
    "saving_percentage": "saving_percentage",
    "protected_contracts": "protect",
    "protected_target_groups": "protect_group",
}


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "")
    return int(text) if text.isdigit() and 1 <= int(text) <= 10_000 else 1


def _filters(source: Any) -> tuple[str | None, str | None]:
    theme = str(source.get("theme") or "").strip() or None
    target_group = str(source.get("target_group") or "").strip() or None
    return theme, target_group


async def _portfolio(ctx: Context, theme: str | None, target_group: str | None) -> Any:
    from app.results.portfolio_service import load_portfolio

    return await load_portfolio(ctx, theme=theme, target_group=target_group)


async def _list_page(
    request: Request,
    ctx: Context,
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    assert_can(ctx.user, Action.scenario_read)
    found = await service.list_scenarios(ctx, _page_number(request), PER_PAGE)
    values = values or {}
    errors = dict(errors or {})
    portfolio = None
    if can(ctx.user, Action.scenario_create):
        theme, target_group = _filters(values or request.query_params)
        try:
            portfolio = await _portfolio(ctx, theme, target_group)
        except ValidationFailed as failed:  # a filter that names nothing: the whole portfolio
            errors.update(failed.errors)
            portfolio = await _portfolio(ctx, None, None)
    contracts: list[CutContract] = portfolio.cut_contracts() if portfolio else []
    groups = sorted({g for c in contracts for g in c.target_groups}, key=str.casefold)
    return render(
        request,
        "scenarios/list.html",
        {
            "found": found,
            "portfolio": portfolio,
            "contracts": contracts,
            "groups": groups,
            "themes": list(Theme),
            "values": values,
            "errors": {k: str(v) for k, v in errors.items()},
            "labels": LABELS,
            "format_euros": format_euros,
        },
        status_code=status_code,
    )


@router.get("/scenarios")
async def scenarios(request: Request, ctx: WebCtx) -> Response:
    """The municipality's saved scenarios and, for its policy officers, the form for a new one."""
    return await _list_page(request, ctx)


def _euros(text: str) -> int | None:
    """An amount in euros as typed (Dutch or plain), negative when it starts with a minus."""
    text = text.strip()
    negative = text.startswith("-")
    cents = parse_euros(text.lstrip("-").strip())
    return -cents if negative and cents is not None else cents


def _form_input(form: Any, contracts: list[CutContract]) -> tuple[dict, dict, dict]:
    """The form as the service's input, the form's values to show again, and the errors of
    what is not a number; also which floor row each contract is."""
    errors: dict[str, Lazy] = {}
    theme, target_group = _filters(form)
    values: dict[str, Any] = {
        "name": str(form.get("name") or "").strip(),
        "saving_amount": str(form.get("saving_amount") or "").strip(),
        "saving_percentage": str(form.get("saving_percentage") or "").strip(),
        "protect": {str(v).strip() for v in form.getlist("protect") if str(v).strip()},
        "protect_group": {str(v) for v in form.getlist("protect_group") if str(v).strip()},
        "floors": {},
        "theme": theme or "",
        "target_group": target_group or "",
    }
    data: dict[str, Any] = {"name": values["name"], "theme": theme, "target_group": target_group}
    try:
        data["saving_amount_cents"] = _euros(values["saving_amount"])
    except BadAmount:
        errors["saving_amount"] = Lazy("Enter an amount in euros, such as 150.000.")
    if values["saving_percentage"]:
        try:
            percentage = Decimal(values["saving_percentage"].replace(",", ".").rstrip("% "))
            if not percentage.is_finite():
                raise InvalidOperation
            data["saving_percentage"] = percentage
        except InvalidOperation:
            errors["saving_percentage"] = Lazy("Enter a percentage, such as 10 or 7,5.")
    protected = []
    for text in values["protect"]:
        if text.isdigit():
            protected.append(int(text))
        else:
            errors["protect"] = Lazy("This portfolio has no contract %(ids)s.", ids=text)
    data["protected_contracts"] = protected
    data["protected_target_groups"] = sorted(values["protect_group"])
    floors = []
    for contract in contracts:
        text = str(form.get(f"floor-{contract.id}") or "").strip()
        values["floors"][contract.id] = text
        if not text:
            continue
        try:
            cents = _euros(text)
        except BadAmount:
            errors[f"floor-{contract.id}"] = Lazy("Enter an amount in euros, such as 150.000.")
            continue
        floors.append({"contract_id": int(contract.id), "floor_cents": cents})
    data["floors"] = floors
    return data, values, errors


def _form_errors(errors: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The service's field names as the form's."""
    named: dict[str, Any] = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "floors" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            floors = data.get("floors", [])
            key = floors[index]["contract_id"] if index < len(floors) else parts[1]
            named.setdefault(f"floor-{key}", message)
        else:
            named.setdefault(FIELDS.get(parts[0], parts[0]), message)
    return named


@router.post("/scenarios")
async def create(request: Request, ctx: WebCtx) -> Response:
    assert_can(ctx.user, Action.scenario_create)
    form = await request.form()
    theme, target_group = _filters(form)
    try:
        contracts = (await _portfolio(ctx, theme, target_group)).cut_contracts()
    except ValidationFailed as failed:
        values = {"name": str(form.get("name") or "")}
        return await _list_page(request, ctx, values, failed.errors, 422)
    data, values, errors = _form_input(form, contracts)
    try:
        if errors:
            # Every mistake at once: what is not a number, and what the service finds in the rest.
            found = service.problems_in(data, contracts)
            if {"saving_amount", "saving_percentage"} & set(errors):
                found.pop("saving", None)  # the amount or percentage typed is not a number
            raise ValidationFailed({**_form_errors(found, data), **errors})
        saved = await service.create_scenario(ctx, data, contracts)
    except ValidationFailed as failed:
        named = {**_form_errors(failed.errors, data), **errors}
        return await _list_page(request, ctx, values, named, 422)
    except Conflict as refused:
        return await _list_page(request, ctx, values, {"form": refused.text()}, 409)
    return redirect(request, f"/scenarios/{saved.public_id}")


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(str(text)) if text else None
    except ValueError:
        return None


@router.get("/scenarios/compare")
async def compare(request: Request, ctx: WebCtx) -> Response:
    """Two saved scenarios side by side; without both chosen, a form to choose them."""
    assert_can(ctx.user, Action.scenario_read)
    a, b = _uuid(request.query_params.get("a")), _uuid(request.query_params.get("b"))
    chosen = None
    if a and b:
        chosen = (await service.get_scenario(ctx, a), await service.get_scenario(ctx, b))
    found = await service.list_scenarios(ctx, 1, 100)
    rows = []
    if chosen:
        first, second = (
            dict((c.contract, c) for c in s.scenario.results.contracts) for s in chosen
        )
        flat_first, flat_second = (
            dict((c.contract, c) for c in s.scenario.flat.contracts) for s in chosen
        )
        for key in sorted(set(first) | set(second), key=lambda k: (len(k), k)):
            one, other = first.get(key), second.get(key)
            rows.append(
                {
                    "name": (one or other).name or key,
                    "before": [c.before_cents if c else None for c in (one, other)],
                    "flat": [flat_first.get(key), flat_second.get(key)],
                    "results": [one, other],
                }
            )
    return render(
        request,
        "scenarios/compare.html",
        {
            "chosen": chosen,
            "rows": rows,
            "options": found.items,
            "a": str(a or ""),
            "b": str(b or ""),
        },
    )


@router.get("/scenarios/{scenario_id}")
async def detail(request: Request, ctx: WebCtx, scenario_id: UUID) -> Response:
    saved = await service.get_scenario(ctx, scenario_id)
    theme = saved.record.filters.get("theme")
    return render(
        request,
        "scenarios/detail.html",
        {
            "saved": saved,
            "s": saved.scenario,
            "theme": Theme(theme) if theme in Theme.__members__ else None,
        },
    )


@router.get("/scenarios/{scenario_id}/memo")
async def memo(request: Request, ctx: WebCtx, scenario_id: UUID) -> Response:
    saved = await service.get_scenario(ctx, scenario_id)
    return render(request, "scenarios/memo.html", {"saved": saved, "memo": memo_content(saved)})


@router.get("/scenarios/{scenario_id}/memo.pdf")
async def memo_pdf(ctx: WebCtx, scenario_id: UUID) -> Response:
    return scenario_file(await service.get_scenario(ctx, scenario_id), "pdf")


@router.get("/scenarios/{scenario_id}/scenario.csv")
async def csv_file(ctx: WebCtx, scenario_id: UUID) -> Response:
    return scenario_file(await service.get_scenario(ctx, scenario_id), "csv")


@router.get("/scenarios/{scenario_id}/scenario.xlsx")
async def xlsx_file(ctx: WebCtx, scenario_id: UUID) -> Response:
    return scenario_file(await service.get_scenario(ctx, scenario_id), "xlsx")
