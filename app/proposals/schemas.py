"""A proposal's content (the draft may be incomplete), receipts and the opening record."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.validation import Input

# The limits of what a coalition writes, named once for the API, the form and the messages.
LONG_TEXT_MAX = 50_000
EXPLANATION_MAX = 10_000

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX)]


class TargetIn(Input):
    indicator_id: Id
    value: Annotated[float, Field(allow_inf_nan=False)]


class BudgetShareIn(Input):
    organisation_id: Id
    amount_cents: Annotated[int, Field(ge=1, le=10**13)]


class RequirementAnswerIn(Input):
    requirement_id: Id
    met: bool | None = None
    explanation: Annotated[str, Field(max_length=EXPLANATION_MAX)] = ""


class ProposalContent(Input):
    """What the coalition writes together; saved as often as they like, sealed at rest."""

    approach: LongText = ""
    theory_of_change: LongText = ""
    targets: Annotated[list[TargetIn], Field(max_length=50)] = []
    budget: Annotated[list[BudgetShareIn], Field(max_length=100)] = []
    requirement_answers: Annotated[list[RequirementAnswerIn], Field(max_length=50)] = []


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class DraftOut(BaseModel):
    content: ProposalContent
    attachments: list[AttachmentOut]
    missing: dict[str, str]
    updated_at: datetime | None


class ReceiptOut(BaseModel):
    """The ontvangstbevestiging: what was received, when, and its fingerprint."""

    receipt_number: str
    version: int
    status: str
    submitted_at: datetime
    content_hash: str
    withdrawn_at: datetime | None


class SubmissionOut(ReceiptOut):
    content: dict


class OpeningEntry(BaseModel):
    receipt_number: str
    coalition: str
    coalition_id: UUID
    lead: str
    version: int
    submitted_at: datetime
    content_hash: str


class OpeningOut(BaseModel):
    challenge_id: int
    deadline: datetime
    opened_at: datetime
    proposals: list[OpeningEntry]
