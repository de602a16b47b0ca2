"""The terms a contract is made with, and the published contract on the way out."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.challenges.models import Direction, Frequency
from app.challenges.schemas import _in_range
from app.contracts.models import ContractStatus
from app.contracts.payments import BASIS_POINTS, DEFAULT_FIXED_SHARE_BP
from app.validation import Input

MAX_CENTS = 10**13


class ContractTerms(Input):
    """What the award (or the challenge) sets: the payment model and, if not the challenge's,
    the contract period. Left out, the fixed share is 70 % and the results cap the rest."""

    fixed_share_bp: Annotated[int, Field(ge=0, le=BASIS_POINTS)] = DEFAULT_FIXED_SHARE_BP
    results_cap_cents: Annotated[int, Field(ge=0, le=MAX_CENTS)] | None = None
    payment_frequency: Frequency = Frequency.quarterly
    period_start: date | None = None
    period_end: date | None = None

    _dates = field_validator("period_start", "period_end")(_in_range)

    @field_validator("period_end")
    @classmethod
    def _period_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("period_start")
        if start and value and value <= start:
            raise PydanticCustomError("period_order", "period end before start")
        return value


class PartyOut(BaseModel):
    organisation_id: int
    name: str
    kvk_number: str | None
    lead: bool
    role: str
    budget_cents: int


class PeriodOut(BaseModel):
    number: int
    start: date
    end: date
    due: date


class ContractIndicatorOut(BaseModel):
    indicator_id: int
    name: str
    unit: str
    direction: Direction
    baseline_value: float | None
    baseline_date: date | None
    committed_target: float
    reporting_frequency: Frequency
    periods: list[PeriodOut]


class PaymentOut(BaseModel):
    number: int
    start: date
    end: date
    amount_cents: int


class PaymentModelOut(BaseModel):
    fixed_share_bp: int
    fixed_cents: int
    results_share_cents: int
    results_cap_cents: int
    payment_frequency: Frequency
    fixed_schedule: list[PaymentOut]


class ContractSummaryOut(BaseModel):
    id: int
    reference: str
    status: ContractStatus
    challenge_id: int
    challenge_title: str
    municipality: str
    organisation_id: int
    coalition: str
    lead: str
    value_cents: int
    currency: str = "EUR"
    period_start: date
    period_end: date
    created_at: datetime
    url: str


class ContractOut(ContractSummaryOut):
    # The SHA-256 of the opened version the contract was made from (as on its receipt).
    content_hash: str
    version: int
    parties: list[PartyOut]
    indicators: list[ContractIndicatorOut]
    payment_model: PaymentModelOut


class ContractPage(BaseModel):
    items: list[ContractSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int
