"""Results and payments as OCDS implementation: one event per accepted result report (its
values as `metrics`) and one per recorded payment (a `transaction`), each published by
app/ocds/releases.py as an `implementation` release. No database, no clock.

Ids never come from list positions. A release is keyed by the report's or payment's own id
(`report-17`, `payment-4`). A metric is a contract indicator, with the id its agreed metric has
(position + 1); an observation is one of that indicator's own reporting periods
(`period-3`), so the compiled release holds one observation per period reported, the value
accepted for it. A transaction's id is the payment's id.

What is made here is compact already (no empty strings, None or empty lists: OCDS wants a
field absent rather than empty), so releases.py publishes it as it is.

The value is the observation's `measure`. The number of people it concerns is the dimension
`numberOfPeople`, a string as the metrics extension wants dimensions: the count as the public
sees it. A count below five reads "<5" and the observation has no measure, only its period
and a note saying why (app/results/privacy.py: a figure about fewer than five people is not
published either; the service applies the rule, so the snapshot never holds the value).
"""

from typing import Any

from app.ocds.releases import day_end, day_start, euros
from app.ocds.snapshots import (
    AcceptedReport,
    ContractIndicatorSnapshot,
    ContractSnapshot,
    ImplementationEvent,
    ObservedValue,
    Party,
    PaymentSnapshot,
)
from app.results.privacy import SMALL

SMALL_NOTE = "Fewer than 5 people: neither the exact number nor the value is published."


def _reference(party: Party) -> dict[str, str]:
    return {"id": party.party_id, "name": party.name}


def _observation(indicator: ContractIndicatorSnapshot, value: ObservedValue) -> dict:
    observation: dict[str, Any] = {
        "id": f"period-{value.period}",
        "period": {"startDate": day_start(value.start), "endDate": day_end(value.end)},
    }
    if value.value is not None:
        observation["measure"] = value.value
        if indicator.unit:
            observation["unit"] = {"name": indicator.unit}
    observation["dimensions"] = {"numberOfPeople": value.people}
    if value.people == SMALL:
        observation["notes"] = SMALL_NOTE
    return observation


def report_event(contract: ContractSnapshot, report: AcceptedReport) -> ImplementationEvent | None:
    """The accepted report's values, one metric per indicator it reports on; None when it
    holds no value of a known indicator (nothing to publish)."""
    indicators = {i.position: i for i in contract.indicators}
    metrics = []
    for value in sorted(report.values, key=lambda v: v.indicator_position):
        indicator = indicators.get(value.indicator_position)
        if indicator is None:
            continue
        metric: dict[str, Any] = {"id": str(indicator.position + 1)}
        if indicator.name:
            metric["title"] = indicator.name
        metric["observations"] = [_observation(indicator, value)]
        metrics.append(metric)
    if not metrics:
        return None
    return ImplementationEvent(
        key=f"report-{report.report_id}",
        date=report.accepted_at,
        implementation={"metrics": metrics},
    )


def lead_of(contract: ContractSnapshot) -> Party:
    return next(
        (p for p in contract.parties if p.organisation_id == contract.lead_organisation_id),
        contract.parties[0],
    )


def payment_event(
    buyer: Party, contract: ContractSnapshot, payment: PaymentSnapshot
) -> ImplementationEvent:
    """A payment: the municipality pays the coalition's lead, on the day it was paid; the
    release is dated when it was recorded (when it became public)."""
    payee = lead_of(contract)
    transaction = {
        "id": str(payment.payment_id),
        "date": day_start(payment.paid_on),
        "value": euros(payment.amount_cents),
        "payer": _reference(buyer),
        "payee": _reference(payee),
    }
    return ImplementationEvent(
        key=f"payment-{payment.payment_id}",
        date=payment.recorded_at,
        implementation={"transactions": [transaction]},
        payee=payee,
    )


def implementation_events(
    buyer: Party,
    contract: ContractSnapshot,
    reports: tuple[AcceptedReport, ...] = (),
    payments: tuple[PaymentSnapshot, ...] = (),
) -> tuple[ImplementationEvent, ...]:
    """Every implementation event of the contract, reports first, then payments."""
    events = [report_event(contract, report) for report in reports]
    events += [payment_event(buyer, contract, payment) for payment in payments]
    return tuple(event for event in events if event is not None)
