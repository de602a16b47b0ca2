"""The results on the contract page: reports due and submitted, the lead's report form, the
officer's accept and query forms, a chart and status per indicator, payments; and the signals
across a municipality's contracts."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.datastructures import UploadFile

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, assert_can, can
from app.challenges.models import Challenge
from app.context import Context
from app.contracts import search
from app.contracts.models import Contract
from app.db import MAX_INT, Id
from app.documents.download import file_download
from app.errors import ValidationFailed
from app.i18n import Lazy
from app.money import BadAmount, parse_euros
from app.results import service
from app.results.chart import ChartPoint, indicator_chart
from app.results.models import ReportSignal, ReportStatus, ResultReport, SignalTheme
from app.results.payment import PAYMENT_RULE
from app.results.privacy import shown_count
from app.results.schemas import CorrectionIn, PaymentIn, ReportIn
from app.results.status import STATUS_RULE
from app.routing import CommittingRoute
from app.validation import checked, problems
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

SIGNAL_ROWS = 3
THEMES = {
    SignalTheme.trend: Lazy("A trend in the target group"),
    SignalTheme.rules_gap: Lazy("A gap or snag in the rules"),
    SignalTheme.between_stools: Lazy("People who fall between two stools"),
    SignalTheme.other: Lazy("Something else"),
}
STATES = {
    "not_due": Lazy("not yet due"),
    "due": Lazy("due"),
    "overdue": Lazy("overdue"),
    "submitted": Lazy("submitted, awaiting review"),
    "queried": Lazy("question asked"),
    "accepted": Lazy("accepted"),
    "superseded": Lazy("replaced by a newer version"),
}


def _charts(found: service.ContractResults) -> list[dict[str, Any]]:
    charts = []
    for one in found.indicators:
        i = one.indicator
        points = [
            ChartPoint(str(Lazy("P%(number)s", number=p.number)), p.value) for p in one.points
        ]
        charts.append(
            {
                "indicator": i,
                "status": one.status,
                "points": one.points,
                "people": [shown_count(p.people, found.reader) for p in one.points],
                "svg": indicator_chart(
                    chart_id=f"chart-{i.id}",
                    title=i.name,
                    unit=i.unit,
                    direction=i.direction.value,
                    baseline=i.baseline_value,
                    target=i.committed_target,
                    points=points,
                ),
            }
        )
    return charts


async def contract_context(ctx: Context, contract: Contract) -> dict[str, Any]:
    """What the contract page shows of the results, for whoever reads it."""
    facts = service.sides(contract)
    reports = None
    if ctx.user is not None and can(ctx.user, Action.report_read, facts):
        reports = await service.reports_of(ctx, contract)
    accepted = await service.accepted_reports(ctx, contract)
    seen_by = service.reader(ctx, contract)
    results = service.ContractResults(
        contract, seen_by, service.indicator_results(ctx, contract, accepted, seen_by)
    )
    payments = await service.payments_for(ctx, contract, accepted)
    return {
        "reports": reports,
        "charts": _charts(results),
        "reader": results.reader,
        "payments": payments,
        "status_rule": STATUS_RULE,
        "payment_rule": PAYMENT_RULE,
        "themes": THEMES,
        "states": STATES,
        "signal_rows": range(1, SIGNAL_ROWS + 1),
        "opens": service.opens,
        "shown_count": shown_count,
    }


async def contract_page(
    request: Request,
    ctx: Context,
    contract_id: int,
    form: str | None = None,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    contract = await search.get_contract(ctx, contract_id)
    context = {
        "contract": contract,
        "schedule": contract.fixed_schedule(),
        **await contract_context(ctx, contract),
        "form": form,
        "values": values or {},
        "errors": {k: str(v) for k, v in (errors or {}).items()},
    }
    return render(request, "contracts/detail.html", context, status_code=status_code)


def _number(text: str, kind: type) -> Any:
    cleaned = text.replace(" ", "").replace(",", ".")
    return kind(cleaned)


def _report_input(contract: Contract, form: dict[str, str]) -> tuple[dict, dict, list[int]]:
    """The form as ReportIn's data, the errors of fields that are not numbers, and the
    indicator id of each value (to name the field of a value's error)."""
    errors: dict[str, Lazy] = {}
    items, ids = [], []
    for indicator in contract.indicators:
        key = indicator.indicator_id
        value, people = form.get(f"value-{key}", ""), form.get(f"people-{key}", "")
        if not value and not people:
            continue
        item: dict[str, Any] = {"indicator_id": key}
        try:
            item["value"] = _number(value, float) if value else None
        except ValueError:
            errors[f"value-{key}"] = Lazy("Enter a number.")
        try:
            item["people"] = _number(people, int) if people else None
        except ValueError:
            errors[f"people-{key}"] = Lazy("Enter a whole number.")
        items.append(item)
        ids.append(key)
    signals = []
    for row in range(1, SIGNAL_ROWS + 1):
        theme, text = form.get(f"signal_theme-{row}", ""), form.get(f"signal_text-{row}", "")
        if text:
            signals.append({"theme": theme or SignalTheme.other.value, "text": text})
    data = {
        "period": form.get("period") or None,
        "values": items,
        "narrative": form.get("narrative", ""),
        "signals": signals,
        "answer": form.get("answer", ""),
    }
    return data, errors, ids


def _form_errors(errors: dict[str, Any], ids: list[int]) -> dict[str, Any]:
    """The service's field names as the form's."""
    named: dict[str, Any] = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "values" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            key = ids[index] if index < len(ids) else parts[1]
            field = "people" if parts[2] == "people" else "value"
            named.setdefault(f"{field}-{key}", message)
        elif parts[0] == "values" and len(parts) == 2:
            named.setdefault(f"value-{parts[1]}", message)
        elif parts[0] == "signals" and len(parts) >= 2 and parts[1].isdigit():
            named.setdefault(f"signal_text-{int(parts[1]) + 1}", message)
        else:
            named.setdefault(name, message)
    return named


@router.post("/contracts/{contract_id}/reports")
async def submit(request: Request, ctx: WebCtx, contract_id: Id) -> Response:
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.report_submit, service.sides(contract))
    async with request.form() as raw:
        form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
        upload = raw.get("file")
        data, errors, ids = _report_input(contract, form)
        try:
            if errors:
                raise ValidationFailed({**_form_errors(problems(ReportIn, data), ids), **errors})
            async with ctx.db.begin_nested():
                report = await service.submit_report(ctx, contract_id, checked(ReportIn, data))
                if isinstance(upload, UploadFile) and upload.filename:
                    await service.add_evidence(
                        ctx,
                        request.app.state.documents,
                        contract_id,
                        report.id,
                        upload.filename,
                        upload.file,
                        request.app.state.settings.max_upload_bytes,
                    )
        except ValidationFailed as failed:
            named = _form_errors(failed.errors, ids)
            return await contract_page(request, ctx, contract_id, "report", form, named, 422)
    return redirect(request, f"/contracts/{contract_id}#reports")


@router.post("/contracts/{contract_id}/reports/{report_id}/accept")
async def accept(request: Request, ctx: WebCtx, contract_id: Id, report_id: Id) -> Response:
    await service.accept_report(ctx, contract_id, report_id)
    return redirect(request, f"/contracts/{contract_id}#reports")


@router.post("/contracts/{contract_id}/reports/{report_id}/query")
async def query(request: Request, ctx: WebCtx, contract_id: Id, report_id: Id) -> Response:
    form = await request.form()
    values = {"question": str(form.get("question") or "").strip()}
    try:
        await service.query_report(ctx, contract_id, report_id, values)
    except ValidationFailed as failed:
        return await contract_page(
            request, ctx, contract_id, f"query-{report_id}", values, failed.errors, 422
        )
    return redirect(request, f"/contracts/{contract_id}#reports")


@router.post("/contracts/{contract_id}/payments")
async def record_payment(request: Request, ctx: WebCtx, contract_id: Id) -> Response:
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.payment_record, service.sides(contract))
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("period", "amount", "paid_on")}
    errors: dict[str, Lazy] = {}
    cents: int | None = None
    try:
        cents = round(_number(values["amount"], float) * 100) if values["amount"] else None
    except ValueError:
        errors["amount"] = Lazy("Enter an amount in euros, such as 1250,00.")
    data = {"period": values["period"] or None, "amount_cents": cents}
    if values["paid_on"]:
        data["paid_on"] = values["paid_on"]
    try:
        if cents is None and not errors:
            errors["amount"] = Lazy("This field is required.")
        if errors:
            found = problems(PaymentIn, {**data, "amount_cents": 1})
            raise ValidationFailed({**found, **errors})
        await service.record_payment(ctx, contract_id, checked(PaymentIn, data))
    except ValidationFailed as failed:
        named = {("amount" if k == "amount_cents" else k): v for k, v in failed.errors.items()}
        return await contract_page(request, ctx, contract_id, "payment", values, named, 422)
    return redirect(request, f"/contracts/{contract_id}#payments")


def _signed_euros(text: str) -> int | None:
    """An amount in euros as people write it (1.250,00), a minus sign kept for the service to
    refuse in words."""
    negative = text.startswith("-")
    cents = parse_euros(text.removeprefix("-"))
    return -cents if negative and cents is not None else cents


CORRECTION_FIELDS = {"payment": "payment", "amount_cents": "amount", "reason": "reason"}


@router.post("/contracts/{contract_id}/payments/corrections")
async def correct_payment(request: Request, ctx: WebCtx, contract_id: Id) -> Response:
    """One form for every payment: which one, what was really paid, and why."""
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.payment_record, service.sides(contract))
    form = await request.form()
    values = {
        f"correction_{k}": str(form.get(f"correction_{k}") or "").strip()
        for k in CORRECTION_FIELDS.values()
    }
    chosen = values["correction_payment"]
    errors: dict[str, Lazy] = {}
    cents: int | None = None
    try:
        cents = _signed_euros(values["correction_amount"])
    except BadAmount:
        errors["amount_cents"] = Lazy("Enter an amount in euros, such as 1250,00.")
    if cents is None and not errors:
        errors["amount_cents"] = Lazy("This field is required.")
    if not chosen.isdigit() or int(chosen) > MAX_INT:
        errors["payment"] = Lazy("Choose the payment to correct.")
    data = {
        "amount_cents": cents if cents is not None else 0,
        "reason": values["correction_reason"],
    }
    try:
        if errors:
            raise ValidationFailed({**problems(CorrectionIn, data), **errors})
        await service.correct_payment(ctx, contract_id, int(chosen), data)
    except ValidationFailed as failed:
        named = {f"correction_{CORRECTION_FIELDS.get(k, k)}": v for k, v in failed.errors.items()}
        return await contract_page(request, ctx, contract_id, "correction", values, named, 422)
    return redirect(request, f"/contracts/{contract_id}#payments")


@router.get("/contracts/{contract_id}/reports/{report_id}/evidence/{evidence_id}")
async def evidence(
    request: Request, ctx: WebCtx, contract_id: Id, report_id: Id, evidence_id: Id
) -> Response:
    found = await service.get_evidence(ctx, contract_id, report_id, evidence_id)
    path = request.app.state.documents.path(found.document.storage_key)
    return file_download(path, found.filename, found.document.content_type)


@router.get("/signals")
async def signals(request: Request, ctx: WebCtx) -> Response:
    """Signals from every contract of the officer's municipality, newest first, by theme."""
    assert_can(ctx.user, Action.signal_read)
    theme = request.query_params.get("theme") or ""
    chosen = SignalTheme(theme) if theme in SignalTheme.__members__ else None
    query = (
        select(ReportSignal, ResultReport, Contract)
        .join(ResultReport, ResultReport.id == ReportSignal.report_id)
        .join(Contract, Contract.id == ResultReport.contract_id)
        .join(Challenge, Challenge.id == Contract.challenge_id)
        .where(
            Challenge.organisation_id == ctx.user.organisation_id,
            ResultReport.status != ReportStatus.superseded,
        )
        .options(selectinload(Contract.challenge))
        .order_by(ResultReport.submitted_at.desc(), ReportSignal.id)
        .limit(500)
    )
    if chosen is not None:
        query = query.where(ReportSignal.theme == chosen)
    rows = (await ctx.db.execute(query)).all()
    return render(
        request,
        "results/signals.html",
        {"rows": rows, "themes": THEMES, "chosen": chosen.value if chosen else ""},
    )
