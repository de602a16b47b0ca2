"""Contracts as a public JSON API under /api/v1: published information, readable by anyone."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import ApiCtx
from app.contracts import search
from app.contracts.models import Contract
from app.contracts.schemas import (
    ContractIndicatorOut,
    ContractOut,
    ContractPage,
    ContractSummaryOut,
    PartyOut,
    PaymentModelOut,
    PaymentOut,
    PeriodOut,
)
from app.db import MAX_INT, Id
from app.routing import CommittingRoute

# Public: contracts are published; what they hold is the opened, contracted version only.
public_router = APIRouter(prefix="/api/v1", route_class=CommittingRoute, tags=["contracts"])


def summary_fields(contract: Contract) -> dict:
    lead = contract.lead
    return {
        "id": contract.id,
        "reference": contract.reference,
        "status": contract.status,
        "challenge_id": contract.challenge_id,
        "challenge_title": contract.challenge.title,
        "municipality": contract.challenge.organisation.name,
        "organisation_id": contract.challenge.organisation_id,
        "coalition": contract.coalition_name,
        "lead": lead.name if lead else "",
        "value_cents": contract.value_cents,
        "period_start": contract.period_start,
        "period_end": contract.period_end,
        "created_at": contract.created_at,
        "url": f"/api/v1/contracts/{contract.id}",
    }


def contract_out(contract: Contract) -> ContractOut:
    return ContractOut(
        **summary_fields(contract),
        content_hash=contract.content_hash,
        version=contract.version,
        parties=[
            PartyOut(
                organisation_id=p.organisation_id,
                name=p.name,
                kvk_number=p.kvk_number,
                lead=p.lead,
                role=p.role,
                budget_cents=p.budget_cents,
            )
            for p in contract.parties
        ],
        indicators=[
            ContractIndicatorOut(
                indicator_id=i.indicator_id,
                name=i.name,
                unit=i.unit,
                direction=i.direction,
                baseline_value=i.baseline_value,
                baseline_date=i.baseline_date,
                committed_target=i.committed_target,
                reporting_frequency=i.reporting_frequency,
                periods=[
                    PeriodOut(number=p.number, start=p.start, end=p.end, due=p.due)
                    for p in i.periods
                ],
            )
            for i in contract.indicators
        ],
        payment_model=PaymentModelOut(
            fixed_share_bp=contract.fixed_share_bp,
            fixed_cents=contract.fixed_cents,
            results_share_cents=contract.results_share_cents,
            results_cap_cents=contract.results_cap_cents,
            payment_frequency=contract.payment_frequency,
            fixed_schedule=[
                PaymentOut(number=p.number, start=p.start, end=p.end, amount_cents=p.amount_cents)
                for p in contract.fixed_schedule()
            ],
        ),
    )


@public_router.get("/contracts", response_model=ContractPage)
async def list_contracts(
    ctx: ApiCtx,
    municipality: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ContractPage:
    """Every contract, newest first; filter by the municipality (organisation id)."""
    result = await search.list_contracts(ctx, search.ContractFilter(municipality, page, per_page))
    return ContractPage(
        items=[ContractSummaryOut(**summary_fields(c)) for c in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@public_router.get("/contracts/{contract_id}", response_model=ContractOut)
async def get_contract(ctx: ApiCtx, contract_id: Id) -> ContractOut:
    """One contract: parties (the lead marked), value and budget split, period, indicators with
    baseline, committed target and reporting periods, and the payment model with its schedule."""
    return contract_out(await search.get_contract(ctx, contract_id))
