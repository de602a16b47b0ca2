"""What the award steps take and give."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.challenges.schemas import Reason
from app.validation import Input

DECISION_REASONS_MAX = 20_000
Reasons = Annotated[str, Field(min_length=3, max_length=DECISION_REASONS_MAX)]


class DecisionIn(Input):
    """Why the best-ranked valid proposal gets the contract; every bidder reads it."""

    reasons: Reasons


class ObjectionIn(Input):
    reasons: Reasons


class Outcome(StrEnum):
    upheld = "upheld"
    rejected = "rejected"


class ResolutionIn(Input):
    """How an objection ended: upheld withdraws the decision, rejected lets the standstill run."""

    outcome: Outcome
    reasons: Reason


class CriterionResult(BaseModel):
    criterion_id: int
    criterion: str
    weight: int
    score: str | None
    rationale: str | None


class ProposalResult(BaseModel):
    """One bidder's result as the decision tells it: scores with reasons, total, place."""

    proposal_id: UUID
    coalition: str
    place: int | None
    total: str | None
    decided_by: str | None
    excluded: bool
    exclusion_reasons: list[str]
    criteria: list[CriterionResult]


class ObjectionOut(BaseModel):
    id: UUID
    coalition: str
    reasons: str
    status: str
    lodged_at: datetime
    resolution: str | None
    resolved_at: datetime | None


class DecisionOut(BaseModel):
    challenge_id: int
    status: str
    winner: str
    winner_proposal_id: UUID
    reasons: str | None  # the public sees who won, not the reasons meant for the bidders
    decided_at: datetime
    standstill_last_day: date
    standstill_ends_at: datetime
    tie_break: str | None
    lot_seed: str | None  # when a lot decided a place: anyone can redo it with this seed
    withdrawn_at: datetime | None
    withdraw_reason: str | None
    # Whom the caller may see: a bidder its own and the winner's; the municipality every one.
    results: list[ProposalResult]
    objections: list[ObjectionOut]


class UnsuccessfulOut(BaseModel):
    challenge_id: int
    status: str
    reason: str | None
    ended_at: datetime | None
