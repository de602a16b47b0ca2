"""What result reports, queries and payments take and give."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.contracts.schemas import MAX_CENTS
from app.db import MAX_INT
from app.results.models import SignalTheme
from app.validation import TEXT_MAX, Input

MAX_VALUE = 1_000_000_000_000  # far beyond any indicator; keeps the float exact to the unit
MAX_PEOPLE = 100_000_000
Text = Annotated[str, Field(max_length=TEXT_MAX)]
Required = Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


class ValueIn(Input):
    """The value of one of the contract's indicators (by its indicator id), with the number of
    people it concerns."""

    indicator_id: Annotated[int, Field(ge=1, le=MAX_INT)]
    value: Annotated[float, Field(ge=-MAX_VALUE, le=MAX_VALUE, allow_inf_nan=False)]
    people: Annotated[int, Field(ge=0, le=MAX_PEOPLE)]


class SignalIn(Input):
    theme: SignalTheme
    text: Required


class ReportIn(Input):
    """A report on one reporting period; submitting again for the period makes a new version
    (answering the municipality's question, when it asked one)."""

    period: Annotated[int, Field(ge=1, le=1_000)]
    values: Annotated[list[ValueIn], Field(max_length=100)]
    narrative: Text = ""
    signals: Annotated[list[SignalIn], Field(max_length=20)] = []
    answer: Text = ""


class QueryIn(Input):
    question: Required


class PaymentIn(Input):
    """A payment made for one payment period; paid today unless a day is given."""

    period: Annotated[int, Field(ge=1, le=1_000)]
    amount_cents: Annotated[int, Field(ge=-MAX_CENTS, le=MAX_CENTS)]
    paid_on: date | None = None


class CorrectionIn(Input):
    """A payment recorded in error, corrected: the amount that was really paid (0 takes the
    payment back entirely) and why. The payment itself stays as recorded; the difference is a
    new entry that names it."""

    amount_cents: Annotated[int, Field(ge=-MAX_CENTS, le=MAX_CENTS)]
    reason: Required


class ValueOut(BaseModel):
    indicator_id: int
    indicator: str
    unit: str
    value: float
    people: int | None  # None: fewer than 5, not shown to this reader
    people_shown: str


class SignalOut(BaseModel):
    theme: SignalTheme
    text: str


class EvidenceOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class QueryOut(BaseModel):
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class ReportOut(BaseModel):
    id: int
    contract_id: int
    period: int
    version: int
    status: str
    late: bool
    narrative: str
    submitted_at: datetime
    decided_at: datetime | None
    values: list[ValueOut]
    signals: list[SignalOut]
    evidence: list[EvidenceOut]
    queries: list[QueryOut]


class ReportPeriodOut(BaseModel):
    """A reporting period with its state: not yet due, due, overdue, submitted (late or not),
    queried or accepted, and every version submitted for it, the newest first."""

    number: int
    start: date
    end: date
    opens: date
    due: date
    state: str
    late: bool
    versions: list[ReportOut]


class ResultPointOut(BaseModel):
    period: int
    start: date
    end: date
    value: float | None = Field(
        description="The accepted value; null when not yet accepted, or when the reader sees "
        'its number of people as "<5" (a value about so few people is not published).'
    )
    people: int | None = Field(description='The number of people; null when shown as "<5".')
    people_shown: str = Field(description="The number of people as this reader may see it.")


class IndicatorResultOut(BaseModel):
    indicator_id: int
    name: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    status: str
    status_label: str
    explanation: str
    rule: str
    periods: list[ResultPointOut]


class ResultsOut(BaseModel):
    contract_id: int
    reader: str  # public, municipality, coalition or auditor: who sees exact small counts
    indicators: list[IndicatorResultOut]


class PaymentPeriodOut(BaseModel):
    number: int
    start: date
    end: date
    ended: bool
    fixed_cents: int
    results_cents: int
    achievement_percent: str
    pending_indicator_ids: list[int]
    due_cents: int
    paid_cents: int
    open_cents: int


class PaymentRecordOut(BaseModel):
    """A payment as recorded, or a correction of one: `corrects` names the payment it corrects
    and `amount_cents` is the difference (negative when it takes money back). A payment's
    `net_cents` is what it stands at with its corrections (null for a correction)."""

    id: int
    period: int
    amount_cents: int
    paid_on: date
    recorded_at: datetime
    corrects: int | None = None
    reason: str | None = None
    net_cents: int | None = None
    corrected_by: list[int] = []


class PaymentsOut(BaseModel):
    contract_id: int
    rule: str
    due_cents: int
    paid_cents: int
    open_cents: int
    periods: list[PaymentPeriodOut]
    payments: list[PaymentRecordOut]
