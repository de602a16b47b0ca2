"""Result reports and payments on a running contract, between the coalition and the municipality.

The steps, each a named state change that refuses what it does not list:
  (nothing) --lead submits--> submitted --officer accepts--> accepted (the official results)
  submitted --officer queries, with a question--> queried --lead answers and resubmits--> a new
  version, submitted; the queried one is superseded, and kept.
While a version awaits review the lead cannot send another: the municipality decides on what it
has (so a double click, or two submissions at the same moment, make one version, not two).
Periods: a contract is reported on per period of its most frequent indicator
(app/contracts/periods.py); an indicator reported less often has a value in the report of the
period in which its own period ends. A period's report may be submitted from REPORT_OPENS_DAYS
before the period ends; it is due REPORT_DUE_DAYS (30) calendar days after the end: a grace for
gathering the figures. A version submitted after that day is marked late; a period without any
report after it is overdue. Days are Amsterdam days.
Payments are recorded by the owning municipality's officers against a payment period that has
ended, never for more than is still open (app/results/payment.py says what is due). A payment
recorded in error is corrected, never changed: a new entry for the difference names the payment
and the reason, so what was recorded stays readable (the database refuses UPDATE and DELETE on
payments). A payment is corrected to what was really paid, from zero (taken back entirely) up to
what the period leaves open; a correction is not itself corrected.
Two officers accepting (or two leads submitting) at the same moment: one wins, the other hears
409; a conditional update or the unique constraints decide, not the order of the checks. Payments
and corrections hold the contract's row until commit, so the second of two at once reads what
the first recorded.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, BinaryIO

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.api_clients.models import ApiClient
from app.auth.permissions import Action, ContractSides, assert_can, can, reads_exact_counts
from app.clock import AMSTERDAM
from app.context import Context
from app.contracts import search
from app.contracts.models import Contract, ContractIndicator
from app.contracts.periods import ReportingPeriod, contract_periods, own_period_in
from app.documents.service import clean_filename, store_document
from app.documents.store import LocalDocumentStore
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import Lazy
from app.i18n.formats import day as day_text
from app.organisations.models import Role
from app.results.amounts import Euros
from app.results.models import (
    ContractPayment,
    ReportEvidence,
    ReportQuery,
    ReportSignal,
    ReportStatus,
    ReportValue,
    ResultReport,
)
from app.results.payment import (
    PaidIndicator,
    PaymentModel,
    PaymentStatement,
    RecordedPayment,
    payment_statement,
)
from app.results.privacy import Reader, suppressed
from app.results.schemas import CorrectionIn, PaymentIn, QueryIn, ReportIn
from app.results.status import IndicatorStatus, indicator_status
from app.validation import checked

REPORT_OPENS_DAYS = 14
OPEN = (ReportStatus.submitted, ReportStatus.queried)


def today(ctx: Context) -> date:
    return ctx.now.astimezone(AMSTERDAM).date()


def sides(contract: Contract) -> ContractSides:
    lead = contract.lead
    return ContractSides(
        owner_organisation_id=contract.challenge.organisation_id,
        lead_organisation_id=lead.organisation_id if lead else None,
        party_organisation_ids=frozenset(p.organisation_id for p in contract.parties),
    )


def reader(ctx: Context, contract: Contract) -> Reader:
    """Who reads the results: the parties and the owning municipality see small counts exactly."""
    if not can(ctx.user, Action.report_read, sides(contract)):
        return "public"
    if ctx.user.role == Role.provider_member:
        return "coalition"
    return "auditor" if ctx.user.role == Role.auditor else "municipality"


def report_periods(contract: Contract) -> tuple[ReportingPeriod, ...]:
    """The contract's reporting periods: those of its most frequent indicator."""
    frequencies = [i.reporting_frequency.value for i in contract.indicators]
    return contract_periods(contract.period_start, contract.period_end, frequencies)


def reported_in(indicator: ContractIndicator, period: ReportingPeriod) -> int | None:
    """The number of the indicator's own period that ends within this report's period."""
    own = own_period_in(indicator.periods, period)
    return own.number if own is not None else None


def opens(period: ReportingPeriod) -> date:
    return max(period.start, period.end - timedelta(days=REPORT_OPENS_DAYS))


@dataclass
class PeriodReports:
    period: ReportingPeriod
    versions: list[ResultReport] = field(default_factory=list)  # the newest first
    state: str = "not_due"
    late: bool = False

    @property
    def latest(self) -> ResultReport | None:
        return self.versions[0] if self.versions else None

    @property
    def accepted(self) -> ResultReport | None:
        return next((v for v in self.versions if v.status == ReportStatus.accepted), None)


def _state(period: ReportingPeriod, versions: Sequence[ResultReport], day: date) -> str:
    """not_due, due, overdue; once reported: the latest version's status."""
    if versions:
        return versions[0].status.value
    if day > period.due:
        return "overdue"
    return "due" if day >= opens(period) else "not_due"


async def _reports(ctx: Context, contract_id: int) -> list[ResultReport]:
    return list(
        (
            await ctx.db.scalars(
                select(ResultReport)
                .where(ResultReport.contract_id == contract_id)
                .options(
                    selectinload(ResultReport.values),
                    selectinload(ResultReport.signals),
                    selectinload(ResultReport.evidence).selectinload(ReportEvidence.document),
                    selectinload(ResultReport.queries),
                )
                .order_by(ResultReport.period, ResultReport.version.desc())
            )
        ).all()
    )


def _by_period(
    contract: Contract, reports: Sequence[ResultReport], day: date
) -> list[PeriodReports]:
    found = [PeriodReports(period) for period in report_periods(contract)]
    for report in reports:
        if 1 <= report.period <= len(found):
            found[report.period - 1].versions.append(report)
    for one in found:
        one.state = _state(one.period, one.versions, day)
        one.late = bool(one.versions) and one.versions[-1].late
    return found


@dataclass
class ContractReports:
    contract: Contract
    periods: list[PeriodReports]
    reader: Reader
    may_submit: bool
    may_review: bool


async def contract_reports(ctx: Context, contract_id: int) -> ContractReports:
    """Every reporting period with its versions, for the parties and the owning municipality."""
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.report_read, sides(contract))
    return await reports_of(ctx, contract)


async def reports_of(ctx: Context, contract: Contract) -> ContractReports:
    facts = sides(contract)
    return ContractReports(
        contract=contract,
        periods=_by_period(contract, await _reports(ctx, contract.id), today(ctx)),
        reader=reader(ctx, contract),
        may_submit=can(ctx.user, Action.report_submit, facts),
        may_review=can(ctx.user, Action.report_review, facts),
    )


async def accepted_reports(ctx: Context, contract: Contract) -> list[ResultReport]:
    """The accepted version of every period: the official results, public."""
    return list(
        (
            await ctx.db.scalars(
                select(ResultReport)
                .where(
                    ResultReport.contract_id == contract.id,
                    ResultReport.status == ReportStatus.accepted,
                )
                .options(selectinload(ResultReport.values))
                .order_by(ResultReport.period)
            )
        ).all()
    )


def _values(contract: Contract, period: ReportingPeriod, data: ReportIn) -> list[ReportValue]:
    """One value per indicator reported in this period: unknown ones and missing ones refused."""
    by_id = {i.indicator_id: i for i in contract.indicators}
    errors: dict[str, Lazy] = {}
    given: dict[int, int] = {}
    for index, item in enumerate(data.values):
        if item.indicator_id not in by_id:
            errors[f"values.{index}.indicator_id"] = Lazy(
                "The contract has no indicator %(id)s.", id=item.indicator_id
            )
        elif item.indicator_id in given:
            errors[f"values.{index}.indicator_id"] = Lazy(
                "This indicator has a value already in this report."
            )
        else:
            given[item.indicator_id] = index
    for indicator in contract.indicators:
        if reported_in(indicator, period) is not None and indicator.indicator_id not in given:
            errors[f"values.{indicator.indicator_id}"] = Lazy(
                "Give a value for “%(name)s”.", name=indicator.name
            )
    if errors:
        raise ValidationFailed(errors)
    return [
        ReportValue(
            contract_indicator_id=by_id[item.indicator_id].id,
            position=by_id[item.indicator_id].position,
            value=item.value,
            people=item.people,
        )
        for item in data.values
    ]


def _period(contract: Contract, number: int) -> ReportingPeriod:
    periods = report_periods(contract)
    if not 1 <= number <= len(periods):
        raise ValidationFailed(
            {
                "period": Lazy(
                    "The contract has reporting periods 1 to %(count)s.", count=len(periods)
                )
            }
        )
    return periods[number - 1]


async def submit_report(ctx: Context, contract_id: int, data: ReportIn) -> ResultReport:
    """The lead reports on a period that has ended (or ends within REPORT_OPENS_DAYS); after
    the municipality's question, again for the same period with the answer: a new version."""
    data = checked(ReportIn, data)
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.report_submit, sides(contract))
    period = _period(contract, data.period)
    day = today(ctx)
    if day < opens(period):
        raise Conflict(
            "Period %(number)s runs until %(end)s; its report can be submitted from %(opens)s.",
            code="period_not_ended",
            number=period.number,
            end=day_text(period.end),
            opens=day_text(opens(period)),
        )
    versions = [r for r in await _reports(ctx, contract.id) if r.period == period.number]
    latest = versions[0] if versions else None
    if any(v.status == ReportStatus.accepted for v in versions):
        raise Conflict(
            "The report on period %(number)s has been accepted; it can no longer change.",
            code="report_accepted",
            number=period.number,
        )
    if latest is not None and latest.status == ReportStatus.submitted:
        raise Conflict(
            "Version %(version)s of this report awaits the municipality's review; a new version "
            "follows a question it asks.",
            code="report_under_review",
            version=latest.version,
        )
    open_query = None
    if latest is not None and latest.status == ReportStatus.queried:
        open_query = next((q for q in latest.queries if q.answer is None), None)
        if open_query is not None and not data.answer:
            raise ValidationFailed(
                {"answer": Lazy("Answer the municipality's question with the new version.")}
            )
    values = _values(contract, period, data)
    report = ResultReport(
        contract_id=contract.id,
        period=period.number,
        version=(latest.version + 1) if latest else 1,
        status=ReportStatus.submitted,
        narrative=data.narrative,
        late=day > period.due,
        submitted_at=ctx.now,
        submitted_by_id=ctx.user_id,
        values=values,
        signals=[ReportSignal(theme=s.theme, text=s.text) for s in data.signals],
        evidence=[
            ReportEvidence(document_id=e.document_id, filename=e.filename, added_at=e.added_at)
            for e in (latest.evidence if latest else [])
        ],
    )
    if latest is not None:
        superseded = await ctx.db.execute(
            update(ResultReport)
            .where(ResultReport.id == latest.id, ResultReport.status.in_(OPEN))
            .values(status=ReportStatus.superseded)
            .execution_options(synchronize_session=False)
        )
        if superseded.rowcount != 1:
            raise Conflict(
                "The report changed at the same moment; reload and try again.",
                code="concurrent_report",
            )
        await ctx.db.refresh(latest, ["status"])
    if open_query is not None:
        open_query.answer = data.answer
        open_query.answered_at = ctx.now
        open_query.answered_by_id = ctx.user_id
    ctx.db.add(report)
    await ctx.flush_or_conflict(
        Conflict(
            "Another version of this report was submitted at the same moment; reload and try "
            "again.",
            code="concurrent_report",
        )
    )
    await ctx.record(
        "report.submitted",
        "contract",
        contract.id,
        report=report.id,
        period=period.number,
        version=report.version,
        late=report.late,
        values={str(v.contract_indicator_id): [v.value, v.people] for v in values},
        signals=len(data.signals),
        answered=open_query is not None,
    )
    return report


async def _review(ctx: Context, contract_id: int, report_id: int) -> tuple[Contract, ResultReport]:
    contract = await search.get_contract(ctx, contract_id)
    facts = sides(contract)
    assert_can(ctx.user, Action.report_read, facts)
    report = await ctx.db.scalar(
        select(ResultReport)
        .where(ResultReport.id == report_id, ResultReport.contract_id == contract.id)
        .options(selectinload(ResultReport.queries))
    )
    if report is None:
        raise NotFound("This report does not exist.")
    assert_can(ctx.user, Action.report_review, facts)
    return contract, report


def _assert_submitted(report: ResultReport) -> None:
    """Only a submitted version is reviewed; the others say where they stand."""
    if report.status == ReportStatus.accepted:
        raise Conflict("This report was accepted already.", code="report_accepted")
    if report.status == ReportStatus.queried:
        raise Conflict(
            "This report has a question open; the coalition answers it with a new version.",
            code="report_queried",
        )
    if report.status == ReportStatus.superseded:
        raise Conflict(
            "A newer version of this report has been submitted; review that one.",
            code="report_superseded",
        )


async def _decide(ctx: Context, report: ResultReport, status: ReportStatus) -> None:
    """Move a submitted version on; the update itself checks it is still submitted, so of two
    reviews at the same moment one wins and the other hears 409."""
    _assert_submitted(report)
    try:
        async with ctx.db.begin_nested():
            changed = await ctx.db.execute(
                update(ResultReport)
                .where(ResultReport.id == report.id, ResultReport.status == ReportStatus.submitted)
                .values(status=status, decided_at=ctx.now, decided_by_id=ctx.user_id)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError as error:
        raise Conflict("This report was accepted already.", code="report_accepted") from error
    if changed.rowcount != 1:
        raise Conflict(
            "This report was reviewed at the same moment by someone else; reload the page.",
            code="concurrent_review",
        )
    await ctx.db.refresh(report, ["status", "decided_at", "decided_by_id"])


async def accept_report(ctx: Context, contract_id: int, report_id: int) -> ResultReport:
    """The owner's officer accepts a submitted version: its values are the official results."""
    contract, report = await _review(ctx, contract_id, report_id)
    await _decide(ctx, report, ReportStatus.accepted)
    await ctx.record(
        "report.accepted",
        "contract",
        contract.id,
        report=report.id,
        period=report.period,
        version=report.version,
    )
    return report


async def query_report(
    ctx: Context, contract_id: int, report_id: int, data: QueryIn | dict
) -> ResultReport:
    """The owner's officer asks a question on a submitted version; the lead answers it with
    the next version."""
    contract, report = await _review(ctx, contract_id, report_id)
    data = checked(QueryIn, data)
    await _decide(ctx, report, ReportStatus.queried)
    query = ReportQuery(
        report_id=report.id, question=data.question, asked_at=ctx.now, asked_by_id=ctx.user_id
    )
    ctx.db.add(query)
    _held(report, "queries", query)
    await ctx.db.flush()
    await ctx.record(
        "report.queried",
        "contract",
        contract.id,
        report=report.id,
        period=report.period,
        version=report.version,
        question=data.question,
    )
    return report


def _held(report: ResultReport, name: str, row: Any) -> None:
    """A new question or document also joins the report's own list where this session holds
    it loaded (a session reads a report's lists once), so the next version sees it."""
    if name not in inspect(report).unloaded:
        getattr(report, name).append(row)


def version_in(found: ContractReports, report_id: int) -> ResultReport:
    for one in found.periods:
        for version in one.versions:
            if version.id == report_id:
                return version
    raise NotFound("This report does not exist.")


async def get_report(ctx: Context, contract_id: int, report_id: int) -> ResultReport:
    return version_in(await contract_reports(ctx, contract_id), report_id)


async def add_evidence(
    ctx: Context,
    store: LocalDocumentStore,
    contract_id: int,
    report_id: int,
    filename: str,
    source: BinaryIO,
    max_bytes: int,
) -> ReportEvidence:
    """The lead adds a document to a version still under review."""
    contract = await search.get_contract(ctx, contract_id)
    facts = sides(contract)
    assert_can(ctx.user, Action.report_read, facts)
    report = await ctx.db.scalar(
        select(ResultReport).where(
            ResultReport.id == report_id, ResultReport.contract_id == contract.id
        )
    )
    if report is None:
        raise NotFound("This report does not exist.")
    assert_can(ctx.user, Action.report_submit, facts)
    if report.status not in OPEN:
        raise Conflict(
            "Evidence is added to a version under review; this one was accepted or replaced.",
            code="report_closed",
        )
    name = clean_filename(filename)
    document = await store_document(ctx, store, source, max_bytes)
    evidence = ReportEvidence(
        report_id=report.id, document_id=document.id, filename=name, added_at=ctx.now
    )
    evidence.document = document
    ctx.db.add(evidence)
    _held(report, "evidence", evidence)
    await ctx.db.flush()
    await ctx.record(
        "report.evidence_added",
        "contract",
        contract.id,
        report=report.id,
        filename=name,
        sha256=document.sha256,
    )
    return evidence


async def get_evidence(
    ctx: Context, contract_id: int, report_id: int, evidence_id: int
) -> ReportEvidence:
    report = await get_report(ctx, contract_id, report_id)
    for evidence in report.evidence:
        if evidence.id == evidence_id:
            return evidence
    raise NotFound("This document does not exist.")


# --- payments ----------------------------------------------------------------------------------


def payment_model(contract: Contract) -> PaymentModel:
    return PaymentModel(
        value_cents=contract.value_cents,
        fixed_share_bp=contract.fixed_share_bp,
        results_cap_cents=contract.results_cap_cents,
        start=contract.period_start,
        end=contract.period_end,
        frequency=contract.payment_frequency.value,
    )


def accepted_values(
    contract: Contract, accepted: Sequence[ResultReport]
) -> dict[int, dict[int, tuple[date, float, int]]]:
    """Per contract indicator id: its accepted values by its own period number, with the day
    that period ends and the number of people."""
    periods = report_periods(contract)
    found: dict[int, dict[int, tuple[date, float, int]]] = {}
    indicators = {i.id: i for i in contract.indicators}
    for report in accepted:
        if not 1 <= report.period <= len(periods):
            continue
        for value in report.values:
            indicator = indicators.get(value.contract_indicator_id)
            own = reported_in(indicator, periods[report.period - 1]) if indicator else None
            if own is None:
                continue
            end = indicator.periods[own - 1].end
            found.setdefault(indicator.id, {})[own] = (end, value.value, value.people)
    return found


def statement(
    ctx: Context,
    contract: Contract,
    accepted: Sequence[ResultReport],
    payments: Sequence[ContractPayment],
) -> PaymentStatement:
    """Due, paid and open per payment period; each period counts the latest value accepted for
    a reporting period that ends on or before its own end (app/results/payment.py)."""
    model = payment_model(contract)
    schedule = contract.fixed_schedule()
    values = accepted_values(contract, accepted)
    by_period: dict[int, dict[int, float]] = {}
    for payment_period in schedule:
        for indicator in contract.indicators:
            known = [
                (end, value)
                for end, value, _people in values.get(indicator.id, {}).values()
                if end <= payment_period.end
            ]
            if known:
                by_period.setdefault(payment_period.number, {})[indicator.indicator_id] = max(
                    known
                )[1]
    day = today(ctx)
    return payment_statement(
        model,
        [
            PaidIndicator(
                key=i.indicator_id,
                direction=i.direction.value,
                baseline=i.baseline_value,
                target=i.committed_target,
            )
            for i in contract.indicators
        ],
        by_period,
        [RecordedPayment(p.period, p.amount_cents) for p in payments],
        periods_ended=sum(1 for p in schedule if p.end < day),
    )


async def payments_of(ctx: Context, contract_id: int) -> list[ContractPayment]:
    return list(
        (
            await ctx.db.scalars(
                select(ContractPayment)
                .where(ContractPayment.contract_id == contract_id)
                .order_by(ContractPayment.paid_on, ContractPayment.id)
            )
        ).all()
    )


@dataclass
class PaymentEntry:
    """A payment as recorded, with its corrections (oldest first) and what it stands at now."""

    payment: ContractPayment
    corrections: list[ContractPayment]

    @property
    def net_cents(self) -> int:
        return self.payment.amount_cents + sum(c.amount_cents for c in self.corrections)


def payment_entries(payments: Sequence[ContractPayment]) -> list[PaymentEntry]:
    """Each payment with its corrections, in the order the payments were made."""
    entries = {p.id: PaymentEntry(p, []) for p in payments if p.corrects_id is None}
    for one in sorted(payments, key=lambda p: p.id):
        if one.corrects_id is not None and one.corrects_id in entries:
            entries[one.corrects_id].corrections.append(one)
    return list(entries.values())


@dataclass
class Payments:
    contract: Contract
    statement: PaymentStatement
    payments: list[ContractPayment]
    may_record: bool

    @property
    def entries(self) -> list[PaymentEntry]:
        return payment_entries(self.payments)


async def contract_payments(ctx: Context, contract_id: int) -> Payments:
    """Due, paid and open per period: public, like the contract."""
    contract = await search.get_contract(ctx, contract_id)
    return await payments_for(ctx, contract)


async def payments_for(
    ctx: Context, contract: Contract, accepted: Sequence[ResultReport] | None = None
) -> Payments:
    """The statement from the accepted reports (read here unless the caller has them)."""
    if accepted is None:
        accepted = await accepted_reports(ctx, contract)
    payments = await payments_of(ctx, contract.id)
    return Payments(
        contract=contract,
        statement=statement(ctx, contract, accepted, payments),
        payments=payments,
        may_record=can(ctx.user, Action.payment_record, sides(contract)),
    )


async def record_payment(ctx: Context, contract_id: int, data: PaymentIn) -> ContractPayment:
    """The owner's officer records a payment made for an ended period, at most what is open."""
    data = checked(PaymentIn, data)
    contract = await search.get_contract(ctx, contract_id)
    assert_can(ctx.user, Action.payment_record, sides(contract))
    # Held until commit: two payments at once cannot both take what is open.
    await ctx.db.execute(select(Contract.id).where(Contract.id == contract.id).with_for_update())
    found = await payments_for(ctx, contract)
    periods = found.statement.periods
    if not 1 <= data.period <= len(periods):
        raise ValidationFailed(
            {"period": Lazy("The contract has payment periods 1 to %(count)s.", count=len(periods))}
        )
    period = periods[data.period - 1]
    errors: dict[str, Lazy] = {}
    if data.amount_cents <= 0:
        errors["amount_cents"] = Lazy("A payment is an amount above zero.")
    elif not period.ended:
        errors["period"] = Lazy(
            "Period %(number)s has not ended yet (it ends on %(end)s); nothing is due for it yet.",
            number=period.number,
            end=day_text(period.end),
        )
    elif data.amount_cents > period.open_cents:
        errors["amount_cents"] = Lazy(
            "%(amount)s is more than is open for period %(number)s: %(due)s is due, %(paid)s "
            "has been paid, so at most %(open)s can be recorded.",
            amount=Euros(data.amount_cents),
            number=period.number,
            due=Euros(period.due_cents),
            paid=Euros(period.paid_cents),
            open=Euros(max(period.open_cents, 0)),
        )
    paid_on = data.paid_on or today(ctx)
    if paid_on > today(ctx):
        errors["paid_on"] = Lazy("A payment is recorded once it has been made, not before.")
    if errors:
        raise ValidationFailed(errors)
    payment = ContractPayment(
        contract_id=contract.id,
        period=period.number,
        amount_cents=data.amount_cents,
        paid_on=paid_on,
        recorded_at=ctx.now,
        recorded_by_id=ctx.user_id,
    )
    ctx.db.add(payment)
    await ctx.db.flush()
    await ctx.record(
        "payment.recorded",
        "contract",
        contract.id,
        payment=payment.id,
        period=period.number,
        amount_cents=data.amount_cents,
        paid_on=paid_on.isoformat(),
    )
    return payment


async def correct_payment(
    ctx: Context, contract_id: int, payment_id: int, data: CorrectionIn | dict
) -> ContractPayment:
    """The owner's officer corrects a payment recorded in error to what was really paid: a new
    entry for the difference names the payment and the reason; the payment stays as recorded."""
    contract = await search.get_contract(ctx, contract_id)
    original = await ctx.db.scalar(
        select(ContractPayment).where(
            ContractPayment.id == payment_id, ContractPayment.contract_id == contract.id
        )
    )
    if original is None:
        raise NotFound("This payment does not exist.")
    assert_can(ctx.user, Action.payment_record, sides(contract))
    data = checked(CorrectionIn, data)
    if original.corrects_id is not None:
        raise Conflict(
            "Entry %(id)s corrects payment %(original)s; correct that payment instead.",
            code="payment_is_correction",
            id=original.id,
            original=original.corrects_id,
        )
    # Held until commit, as for a payment: two corrections at once are made one after the other.
    await ctx.db.execute(select(Contract.id).where(Contract.id == contract.id).with_for_update())
    found = await payments_for(ctx, contract)
    entry = next(e for e in found.entries if e.payment.id == original.id)
    period = found.statement.periods[original.period - 1]
    change = data.amount_cents - entry.net_cents
    errors: dict[str, Lazy] = {}
    if data.amount_cents < 0:
        errors["amount_cents"] = Lazy(
            "Correct a payment to what was really paid: zero or more (zero takes it back entirely)."
        )
    elif change == 0:
        errors["amount_cents"] = Lazy(
            "Payment %(id)s stands at %(amount)s already; there is nothing to correct.",
            id=original.id,
            amount=Euros(entry.net_cents),
        )
    elif change > period.open_cents:
        errors["amount_cents"] = Lazy(
            "Payment %(id)s stands at %(net)s; %(amount)s would add %(change)s, more than is open "
            "for period %(number)s (%(open)s).",
            id=original.id,
            net=Euros(entry.net_cents),
            amount=Euros(data.amount_cents),
            change=Euros(change),
            number=period.number,
            open=Euros(max(period.open_cents, 0)),
        )
    if errors:
        raise ValidationFailed(errors)
    correction = ContractPayment(
        contract_id=contract.id,
        period=original.period,
        amount_cents=change,
        paid_on=original.paid_on,
        recorded_at=ctx.now,
        recorded_by_id=ctx.user_id,
        corrects_id=original.id,
        reason=data.reason,
    )
    ctx.db.add(correction)
    await ctx.db.flush()
    await ctx.record(
        "payment.corrected",
        "contract",
        contract.id,
        payment=correction.id,
        corrects=original.id,
        period=original.period,
        amount_cents=change,
        corrected_to_cents=data.amount_cents,
        reason=data.reason,
    )
    return correction


# --- the official results ----------------------------------------------------------------------


@dataclass
class ResultPoint:
    number: int
    start: date
    end: date
    value: float | None
    people: int | None


@dataclass
class IndicatorResults:
    indicator: ContractIndicator
    points: list[ResultPoint]  # the indicator's own periods up to the current one
    status: IndicatorStatus


@dataclass
class ContractResults:
    contract: Contract
    reader: Reader
    indicators: list[IndicatorResults]


def indicator_results(
    ctx: Context, contract: Contract, accepted: Sequence[ResultReport], seen_by: Reader
) -> list[IndicatorResults]:
    """Per indicator: its accepted values per own period so far, and its status (status.py).
    A value whose count of people this reader sees as "<5" is withheld from it, and the status
    is judged on the values it may see (app/results/privacy.py)."""
    values = accepted_values(contract, accepted)
    day = today(ctx)
    found = []
    for indicator in contract.indicators:
        own = {
            number: (end, value, people)
            for number, (end, value, people) in values.get(indicator.id, {}).items()
            if not suppressed(people, seen_by)
        }
        hidden = {
            number: people
            for number, (_end, _value, people) in values.get(indicator.id, {}).items()
            if number not in own
        }
        periods = indicator.periods
        ended = sum(1 for p in periods if p.end < day)
        shown = [p for p in periods if p.start <= day or p.number in own or p.number in hidden]
        shown = shown or periods[:1]
        points = [
            ResultPoint(
                p.number,
                p.start,
                p.end,
                own[p.number][1] if p.number in own else None,
                own[p.number][2] if p.number in own else hidden.get(p.number),
            )
            for p in shown
        ]
        latest = own[max(own)][1] if own else None
        status = indicator_status(
            indicator.direction.value,
            indicator.baseline_value,
            indicator.committed_target,
            ended,
            max(len(periods), 1),
            latest,
        )
        found.append(IndicatorResults(indicator, points, status))
    return found


async def contract_results(
    ctx: Context, contract_id: int, client: ApiClient | None = None
) -> ContractResults:
    """The accepted results of a contract: public, small counts as the reader may see them. An
    API client registered by the owning municipality reads as its auditors do."""
    contract = await search.get_contract(ctx, contract_id)
    accepted = await accepted_reports(ctx, contract)
    seen_by: Reader = reader(ctx, contract)
    if client is not None and reads_exact_counts(client, contract.challenge.organisation_id):
        seen_by = "auditor"
    return ContractResults(contract, seen_by, indicator_results(ctx, contract, accepted, seen_by))
