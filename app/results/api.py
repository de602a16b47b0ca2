"""Result reports, results and payments of a contract through the JSON API under /api/v1."""

import io
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from app.api_clients.deps import ClientCaller, require_scope
from app.auth.deps import SIGNED_IN_API, ApiCtx, Now
from app.context import Context
from app.db import DbSession, Id
from app.documents.download import file_download
from app.i18n import Lazy
from app.results import service
from app.results.export import CSV_TYPE, decimal_text, excel_csv, guarded
from app.results.models import ContractPayment, ResultReport
from app.results.payment import PAYMENT_RULE
from app.results.privacy import Reader, shown_count, suppressed
from app.results.schemas import (
    CorrectionIn,
    EvidenceOut,
    IndicatorResultOut,
    PaymentIn,
    PaymentPeriodOut,
    PaymentRecordOut,
    PaymentsOut,
    QueryIn,
    QueryOut,
    ReportIn,
    ReportOut,
    ReportPeriodOut,
    ResultPointOut,
    ResultsOut,
    SignalOut,
    ValueOut,
)
from app.results.status import STATUS_RULE
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["results"], dependencies=SIGNED_IN_API
)
# Public: a contract's accepted results and its payments are published (small counts hidden).
public_router = APIRouter(prefix="/api/v1", route_class=CommittingRoute, tags=["results"])
# Programs of auditors, with an API client's token (POST /oauth/token) and the scope results:read.
auditor_router = APIRouter(prefix="/api/v1/auditor", route_class=CommittingRoute, tags=["auditor"])


def _people(count: int | None, reader: Reader) -> tuple[int | None, str]:
    if count is None:
        return None, shown_count(None, reader)
    return (None if suppressed(count, reader) else count), shown_count(count, reader)


def report_out(report: ResultReport, contract, reader: Reader) -> ReportOut:
    indicators = {i.id: i for i in contract.indicators}
    base = f"/api/v1/contracts/{contract.id}/reports/{report.id}"
    values = []
    for value in report.values:
        indicator = indicators[value.contract_indicator_id]
        people, shown = _people(value.people, reader)
        values.append(
            ValueOut(
                indicator_id=indicator.indicator_id,
                indicator=indicator.name,
                unit=indicator.unit,
                value=value.value,
                people=people,
                people_shown=shown,
            )
        )
    return ReportOut(
        id=report.id,
        contract_id=contract.id,
        period=report.period,
        version=report.version,
        status=report.status.value,
        late=report.late,
        narrative=report.narrative,
        submitted_at=report.submitted_at,
        decided_at=report.decided_at,
        values=values,
        signals=[SignalOut(theme=s.theme, text=s.text) for s in report.signals],
        evidence=[
            EvidenceOut(
                id=e.id,
                filename=e.filename,
                content_type=e.document.content_type,
                size=e.document.size,
                sha256=e.document.sha256,
                url=f"{base}/evidence/{e.id}",
            )
            for e in report.evidence
        ],
        queries=[
            QueryOut(
                question=q.question,
                asked_at=q.asked_at,
                answer=q.answer,
                answered_at=q.answered_at,
            )
            for q in report.queries
        ],
    )


async def _report(ctx, contract_id: int, report_id: int) -> ReportOut:
    found = await service.contract_reports(ctx, contract_id)
    return report_out(service.version_in(found, report_id), found.contract, found.reader)


@router.get("/contracts/{contract_id}/reports", response_model=list[ReportPeriodOut])
async def reports(ctx: ApiCtx, contract_id: Id) -> list[ReportPeriodOut]:
    """Every reporting period with its state (not_due, due, overdue, submitted, queried,
    accepted), whether its report came late, and every version, the newest first: for the
    contract's parties and the owning municipality."""
    found = await service.contract_reports(ctx, contract_id)
    return [
        ReportPeriodOut(
            number=one.period.number,
            start=one.period.start,
            end=one.period.end,
            opens=service.opens(one.period),
            due=one.period.due,
            state=one.state,
            late=one.late,
            versions=[report_out(v, found.contract, found.reader) for v in one.versions],
        )
        for one in found.periods
    ]


@router.post("/contracts/{contract_id}/reports", status_code=201, response_model=ReportOut)
async def submit(ctx: ApiCtx, contract_id: Id, body: ReportIn) -> ReportOut:
    """The lead reports on a period: a value and the number of people per indicator, a
    narrative and signals. Again for the same period makes a new version (with `answer` when
    the municipality asked a question); an accepted report no longer changes."""
    report = await service.submit_report(ctx, contract_id, body)
    return await _report(ctx, contract_id, report.id)


@router.post("/contracts/{contract_id}/reports/{report_id}/accept", response_model=ReportOut)
async def accept(ctx: ApiCtx, contract_id: Id, report_id: Id) -> ReportOut:
    """The owning municipality's officer accepts a submitted version: its values are the
    official results."""
    await service.accept_report(ctx, contract_id, report_id)
    return await _report(ctx, contract_id, report_id)


@router.post("/contracts/{contract_id}/reports/{report_id}/query", response_model=ReportOut)
async def query(ctx: ApiCtx, contract_id: Id, report_id: Id, body: QueryIn) -> ReportOut:
    """The owning municipality's officer asks a question about a submitted version; the lead
    answers it with a new version."""
    await service.query_report(ctx, contract_id, report_id, body)
    return await _report(ctx, contract_id, report_id)


@router.post(
    "/contracts/{contract_id}/reports/{report_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
)
async def add_evidence(
    request: Request,
    ctx: ApiCtx,
    contract_id: Id,
    report_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
) -> EvidenceOut:
    """The lead attaches a PDF, DOCX, ODT or XLSX to a version under review."""
    evidence = await service.add_evidence(
        ctx,
        request.app.state.documents,
        contract_id,
        report_id,
        file.filename if file else "",
        file.file if file else io.BytesIO(),
        request.app.state.settings.max_upload_bytes,
    )
    return EvidenceOut(
        id=evidence.id,
        filename=evidence.filename,
        content_type=evidence.document.content_type,
        size=evidence.document.size,
        sha256=evidence.document.sha256,
        url=f"/api/v1/contracts/{contract_id}/reports/{report_id}/evidence/{evidence.id}",
    )


@router.get(
    "/contracts/{contract_id}/reports/{report_id}/evidence/{evidence_id}",
    response_class=FileResponse,
)
async def evidence(request: Request, ctx: ApiCtx, contract_id: Id, report_id: Id, evidence_id: Id):
    found = await service.get_evidence(ctx, contract_id, report_id, evidence_id)
    path = request.app.state.documents.path(found.document.storage_key)
    return file_download(path, found.filename, found.document.content_type)


def results_out(found: service.ContractResults) -> ResultsOut:
    indicators = []
    for one in found.indicators:
        i = one.indicator
        points = []
        for p in one.points:
            people, shown = _people(p.people, found.reader)
            points.append(
                ResultPointOut(
                    period=p.number,
                    start=p.start,
                    end=p.end,
                    value=p.value,
                    people=people,
                    people_shown=shown,
                )
            )
        indicators.append(
            IndicatorResultOut(
                indicator_id=i.indicator_id,
                name=i.name,
                unit=i.unit,
                direction=i.direction.value,
                baseline=i.baseline_value,
                target=i.committed_target,
                status=one.status.status,
                status_label=str(one.status.label),
                explanation=str(one.status.explanation),
                rule=str(STATUS_RULE),
                periods=points,
            )
        )
    return ResultsOut(contract_id=found.contract.id, reader=found.reader, indicators=indicators)


def results_csv(found: service.ContractResults) -> str:
    """The results table for Dutch Excel (export.excel_csv)."""
    header = (
        Lazy("Indicator"),
        Lazy("Unit"),
        Lazy("Period"),
        Lazy("From"),
        Lazy("To"),
        Lazy("Accepted value"),
        Lazy("Number of people"),
        Lazy("Baseline"),
        Lazy("Committed target"),
        Lazy("Status"),
    )
    rows = [header]
    for one in found.indicators:
        i = one.indicator
        rows += [
            [
                guarded(i.name),
                guarded(i.unit),
                str(p.number),
                p.start.isoformat(),
                p.end.isoformat(),
                decimal_text(p.value),
                shown_count(p.people, found.reader) if p.people is not None else "",
                decimal_text(i.baseline_value),
                decimal_text(i.committed_target),
                str(one.status.label),
            ]
            for p in one.points
        ]
    return excel_csv(rows)


def _results_answer(request: Request, found: service.ContractResults, format: str | None):
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        name = f"results-{found.contract.reference}.csv"
        return Response(
            results_csv(found),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return results_out(found)


Format = Annotated[str | None, Query(pattern="^(json|csv)$")]
CSV_TOO = {200: {"content": {"text/csv": {}}}}


@public_router.get("/contracts/{contract_id}/results", response_model=ResultsOut, responses=CSV_TOO)
async def results(request: Request, ctx: ApiCtx, contract_id: Id, format: Format = None):
    """The accepted results per indicator and period, with the status and its rule in words.
    Counts of fewer than 5 people read "<5" to the public, exactly to the contract's parties
    and the owning municipality. CSV with `?format=csv` or `Accept: text/csv`."""
    return _results_answer(request, await service.contract_results(ctx, contract_id), format)


@auditor_router.get(
    "/contracts/{contract_id}/results",
    response_model=ResultsOut,
    dependencies=[require_scope("results:read")],
    responses={**CSV_TOO, 429: {"description": "Too many requests; see `Retry-After`"}},
)
async def results_for_client(
    request: Request,
    db: DbSession,
    now: Now,
    caller: ClientCaller,
    contract_id: Id,
    format: Format = None,
):
    """The same results for an API client with the scope results:read: exact small counts
    when the client was registered by the municipality that owns the contract."""
    ctx = Context(db=db, user=None, now=now)
    found = await service.contract_results(ctx, contract_id, client=caller.client)
    return _results_answer(request, found, format)


def payment_record_out(
    payment: ContractPayment, entry: service.PaymentEntry | None = None
) -> PaymentRecordOut:
    return PaymentRecordOut(
        id=payment.id,
        period=payment.period,
        amount_cents=payment.amount_cents,
        paid_on=payment.paid_on,
        recorded_at=payment.recorded_at,
        corrects=payment.corrects_id,
        reason=payment.reason,
        net_cents=entry.net_cents if entry else None,
        corrected_by=[c.id for c in entry.corrections] if entry else [],
    )


def payments_out(found: service.Payments) -> PaymentsOut:
    st = found.statement
    entries = {e.payment.id: e for e in found.entries}
    return PaymentsOut(
        contract_id=found.contract.id,
        rule=str(PAYMENT_RULE),
        due_cents=st.due_cents,
        paid_cents=st.paid_cents,
        open_cents=st.open_cents,
        periods=[
            PaymentPeriodOut(
                number=p.number,
                start=p.start,
                end=p.end,
                ended=p.ended,
                fixed_cents=p.fixed_cents,
                results_cents=p.results_cents,
                achievement_percent=str(p.achievement_percent),
                pending_indicator_ids=list(p.pending),
                due_cents=p.due_cents,
                paid_cents=p.paid_cents,
                open_cents=p.open_cents,
            )
            for p in st.periods
        ],
        payments=[payment_record_out(p, entries.get(p.id)) for p in found.payments],
    )


@public_router.get("/contracts/{contract_id}/payments", response_model=PaymentsOut)
async def payments(ctx: ApiCtx, contract_id: Id) -> PaymentsOut:
    """Per payment period: the fixed part, the results part earned on accepted results, due,
    paid and open (the rule in words in `rule`), and every payment recorded."""
    return payments_out(await service.contract_payments(ctx, contract_id))


@router.post("/contracts/{contract_id}/payments", status_code=201, response_model=PaymentsOut)
async def record_payment(ctx: ApiCtx, contract_id: Id, body: PaymentIn) -> PaymentsOut:
    """The owning municipality's officer records a payment made for a period that has ended,
    at most what is open for it."""
    await service.record_payment(ctx, contract_id, body)
    return payments_out(await service.contract_payments(ctx, contract_id))


@router.post(
    "/contracts/{contract_id}/payments/{payment_id}/correct",
    status_code=201,
    response_model=PaymentsOut,
)
async def correct_payment(
    ctx: ApiCtx, contract_id: Id, payment_id: Id, body: CorrectionIn
) -> PaymentsOut:
    """The owning municipality's officer corrects a payment recorded in error to what was
    really paid (`amount_cents`; 0 takes it back entirely), with a reason. The payment stays as
    recorded; the difference is a new entry in `payments` that names it (`corrects`)."""
    await service.correct_payment(ctx, contract_id, payment_id, body)
    return payments_out(await service.contract_payments(ctx, contract_id))
