"""The evaluation on the way in and out of the API; the services apply the same input schemas."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.challenges.schemas import REASON_MAX
from app.evaluation.models import CommitteeRole
from app.validation import Input

# The limits of what the committee writes, named once for the API, the forms and the messages.
MAX_MEMBERS = 25
MAX_ROWS = 200
EXPLANATION_MAX = 5000
RATIONALE_MAX = 10_000

UserId = Annotated[int, Field(ge=1, le=2_147_483_647)]
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Explanation = Annotated[str, Field(max_length=EXPLANATION_MAX)]
Rationale = Annotated[str, Field(max_length=RATIONALE_MAX)]
WholeScore = Annotated[int, Field(ge=0, le=100)]


class CommitteeChoice(Input):
    """The committee as the page's form sends it: a chair not chosen yet is one more error to
    name beside the others (the service checks both shapes alike)."""

    chair_user_id: UserId | None = None
    evaluator_user_ids: Annotated[list[UserId], Field(max_length=MAX_MEMBERS)]
    reason: Annotated[str, Field(max_length=REASON_MAX)] | None = None


class CommitteeIn(CommitteeChoice):
    """One chair and at least two evaluators, nobody twice; a reason once scoring has begun."""

    chair_user_id: UserId


class MemberOut(BaseModel):
    user_id: int
    name: str
    organisation_id: int
    role: CommitteeRole


class CommitteeChangeOut(BaseModel):
    number: int
    changed_by_id: int
    changed_at: datetime
    reason: str | None
    old: dict
    new: dict


class CommitteeOut(BaseModel):
    challenge_id: int
    chair: MemberOut | None
    evaluators: list[MemberOut]
    scoring_started: bool
    history: list[CommitteeChangeOut]


class DeclarationIn(Input):
    proposal_id: UUID
    conflict: bool
    explanation: Explanation = ""


class DeclarationsIn(Input):
    declarations: Annotated[list[DeclarationIn], Field(min_length=1, max_length=MAX_ROWS)]


class ScoreIn(Input):
    criterion_id: RowId
    score: WholeScore
    rationale: Rationale = ""


class ScoresIn(Input):
    """A member's scores on one proposal; a draft may leave criteria out."""

    scores: Annotated[list[ScoreIn], Field(max_length=MAX_ROWS)]


class VerdictIn(Input):
    requirement_id: RowId
    passed: bool
    reason: Explanation = ""


class VerdictsIn(Input):
    verdicts: Annotated[list[VerdictIn], Field(min_length=1, max_length=MAX_ROWS)]


class ConsensusIn(Input):
    scores: Annotated[list[ScoreIn], Field(min_length=1, max_length=MAX_ROWS)]


# --- answers ----------------------------------------------------------------------------------


class SeatOut(BaseModel):
    challenge_id: int
    title: str
    role: CommitteeRole
    submission_deadline: datetime | None
    opened: bool = Field(description="The submission deadline has passed: the evaluation runs")
    submitted_at: datetime | None = Field(description="When the caller submitted their scores")


class ProposalTask(BaseModel):
    proposal_id: UUID
    coalition: str
    members: list[str]
    declared: bool
    conflict: bool | None
    recused: bool
    scored: int
    to_score: int


class TasksOut(BaseModel):
    """The caller's tasks: declare on every proposal, then score; progress as 'n of m'."""

    challenge_id: int
    role: CommitteeRole
    declared_all: bool
    scores_done: int
    scores_total: int
    progress: str
    submitted: bool
    submitted_at: datetime | None
    proposals: list[ProposalTask]


class ScoreOut(BaseModel):
    criterion_id: int
    criterion: str
    score: int | None
    rationale: str


class FormulaOut(BaseModel):
    criterion_id: int
    criterion: str
    score: str | None
    rule: str
    explanation: str


class MemberScoresOut(BaseModel):
    user_id: int
    name: str
    submitted: bool
    scores: list[ScoreOut]


class ProposalScoresOut(BaseModel):
    """A member's own scores on a proposal, the computed formula criteria, and (once they have
    submitted all theirs) the other members' scores."""

    proposal_id: UUID
    coalition: str
    content: dict
    scale_min: int
    scale_max: int
    final: bool
    missing: list[int]
    own: list[ScoreOut]
    formula: list[FormulaOut]
    others: list[MemberScoresOut] | None


class VerdictOut(BaseModel):
    requirement_id: int
    requirement: str
    passed: bool
    reason: str


class SpreadOut(BaseModel):
    lowest: str
    highest: str
    width: str
    large: bool = Field(description="The scores lie far apart: worth discussing")


class IndividualOut(BaseModel):
    user_id: int
    name: str
    score: int | None
    rationale: str


class CriterionConsensusOut(BaseModel):
    """One quality criterion of one proposal: the individual scores side by side (when the
    caller may see them), their spread, and the consensus."""

    criterion_id: int
    criterion: str
    weight: int
    individual: list[IndividualOut] | None
    spread: SpreadOut | None
    consensus: int | None
    rationale: str


class ProposalEvaluationOut(BaseModel):
    proposal_id: UUID
    coalition: str
    members: list[str]
    verdicts: list[VerdictOut]
    excluded: bool
    criteria: list[CriterionConsensusOut]
    formula: list[FormulaOut]
    waiting_for: int = Field(description="Members who judge it and have not submitted yet")
    total: str | None


class CriterionOut(BaseModel):
    id: int
    name: str
    kind: str
    weight: int


class ReportDeclarationOut(BaseModel):
    proposal_id: UUID
    user_id: int
    name: str
    conflict: bool
    explanation: str
    declared_at: datetime


class PlaceOut(BaseModel):
    position: int
    proposal_id: UUID
    coalition: str
    total: str
    decided_by: str
    explanation: str
    tied_with: list[UUID]


class LotOut(BaseModel):
    seed: str
    proposals: list[UUID]
    draws: list[str]


class RankingOut(BaseModel):
    rule: str
    rule_text: str
    seed: str | None = Field(description="The lot's seed, once a lot was needed")
    places: list[PlaceOut]
    excluded: list[UUID]
    lots: list[LotOut]


class ReportOut(BaseModel):
    """The evaluation report: declarations, every score and rationale, consensus, exclusions,
    totals, the ranking and the tie-break used (a recused member's copy leaves that proposal
    out)."""

    challenge_id: int
    scale_min: int
    scale_max: int
    criteria: list[CriterionOut]
    committee: list[MemberOut]
    declarations: list[ReportDeclarationOut]
    proposals: list[ProposalEvaluationOut]
    complete: bool
    missing: list[str]
    ranking: RankingOut | None
