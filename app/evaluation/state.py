"""The evaluation of one challenge as read from the database: the opened proposals, the
committee, the declarations and who submitted; seats for the rules in permissions.py."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from app.audit.service import sealed_stream
from app.auth.permissions import (
    Action,
    ProposalSeat,
    Seat,
    assert_signed_in,
    awaits_opening,
    can,
    unsealed_at,
)
from app.awards.queries import decision_in_force
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus, CriterionKind
from app.context import Context
from app.errors import Conflict, Forbidden, InvalidTransition, NotFound
from app.evaluation.eligibility import Declaration as DeclarationFact
from app.evaluation.eligibility import Recusals, recusals
from app.evaluation.models import CommitteeMember, CommitteeRole, Declaration, ScoringSubmission
from app.evaluation.scores import Criterion as CriterionFact
from app.evaluation.scores import Scale
from app.evaluation.seats import committee_role, current_members
from app.i18n.formats import moment
from app.proposals.opening import OpenedProposal, opened_for_evaluation


@dataclass
class Evaluation:
    challenge: Challenge
    opened: list[OpenedProposal]
    members: list[CommitteeMember]
    declarations: list[Declaration]
    submitted: dict[int, datetime]  # user id -> when they submitted their scores

    @property
    def stream(self) -> str:
        return sealed_stream(self.challenge.id)

    @property
    def scale(self) -> Scale:
        return Scale(self.challenge.scale_min, self.challenge.scale_max)

    @property
    def quality(self) -> list:
        return [c for c in self.challenge.criteria if c.kind == CriterionKind.quality]

    @property
    def formula(self) -> list:
        return [c for c in self.challenge.criteria if c.kind == CriterionKind.formula]

    def criterion_facts(self) -> list[CriterionFact]:
        return [
            CriterionFact(
                key=c.id,
                weight=c.weight,
                position=c.position,
                kind=c.kind.value,
                name=c.name,
                indicator=c.indicator_position,
            )
            for c in self.challenge.criteria
        ]

    def role_of(self, user_id: int | None) -> CommitteeRole | None:
        return next((m.role for m in self.members if m.user_id == user_id), None)

    @property
    def chair(self) -> CommitteeMember | None:
        return next((m for m in self.members if m.role == CommitteeRole.chair), None)

    def proposal(self, proposal_id: UUID) -> OpenedProposal:
        found = next((p for p in self.opened if p.proposal_id == proposal_id), None)
        if found is None:
            raise NotFound("This proposal does not exist or is not visible to you.")
        return found

    def judging(self) -> Recusals:
        """Who may judge which proposal, from the declarations (eligibility.recusals)."""
        by_coalition = {p.coalition_id: str(p.proposal_id) for p in self.opened}
        return recusals(
            [m.user_id for m in self.members],
            [str(p.proposal_id) for p in self.opened],
            [
                DeclarationFact(d.user_id, by_coalition[d.coalition_id], d.conflict, d.explanation)
                for d in self.declarations
                if d.coalition_id in by_coalition and self.role_of(d.user_id) is not None
            ],
        )

    def declaration(self, user_id: int, proposal: OpenedProposal) -> Declaration | None:
        return next(
            (
                d
                for d in self.declarations
                if d.user_id == user_id and d.coalition_id == proposal.coalition_id
            ),
            None,
        )

    def seat(self, user_id: int | None) -> Seat:
        role = self.role_of(user_id)
        declared = {d.coalition_id for d in self.declarations if d.user_id == user_id}
        undeclared = sum(1 for p in self.opened if p.coalition_id not in declared)
        return Seat(
            self.challenge,
            role,
            undeclared=undeclared if role else 0,
            submitted=user_id in self.submitted,
        )

    def place(self, user_id: int | None, proposal: OpenedProposal) -> ProposalSeat:
        declaration = self.declaration(user_id, proposal) if user_id else None
        return ProposalSeat(
            self.seat(user_id),
            declared=declaration is not None,
            recused=bool(declaration and declaration.conflict),
        )


async def load(
    ctx: Context,
    challenge_id: int,
    with_content: Collection[UUID] = (),
    *,
    challenge: Challenge | None = None,
) -> Evaluation:
    """The evaluation as it stands; the challenge must be readable and opened (a caller that
    has just read it through `get_challenge` passes it, so it is not read twice)."""
    if challenge is None or challenge.id != challenge_id:
        challenge = await get_challenge(ctx, challenge_id)
    opened = await opened_for_evaluation(ctx, challenge, with_content)
    members = await current_members(ctx, challenge.id)
    declarations = list(
        await ctx.db.scalars(
            select(Declaration)
            .where(Declaration.challenge_id == challenge.id)
            .order_by(Declaration.id)
        )
    )
    submitted = {
        row.user_id: row.submitted_at
        for row in await ctx.db.scalars(
            select(ScoringSubmission).where(ScoringSubmission.challenge_id == challenge.id)
        )
    }
    return Evaluation(challenge, opened, members, declarations, submitted)


async def for_member(ctx: Context, challenge_id: int) -> Evaluation:
    """The evaluation, for a member of its committee once the proposals are opened: before the
    deadline a member hears it is sealed (409), anyone else that they are not on it (403)."""
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id)
    seated = await committee_role(ctx, challenge.id) is not None
    if awaits_opening(challenge, ctx.now) and seated:
        raise Conflict(
            "The proposals stay sealed until the submission deadline (%(deadline)s).",
            code="sealed",
            deadline=moment(unsealed_at(challenge)),
        )
    if not seated:
        raise Forbidden("You are not on this challenge's committee.", code="not_on_committee")
    evaluation = await load(ctx, challenge.id, challenge=challenge)
    if not can(ctx.user, Action.evaluation_take_part, evaluation.seat(ctx.user.id), ctx.now):
        raise Forbidden("You are not on this challenge's committee.", code="not_on_committee")
    return evaluation


async def assert_evaluating(ctx: Context, evaluation: Evaluation) -> None:
    """Declarations, scores and the chair's records change only on a published challenge, and
    not while an award decision stands on them (withdrawing it opens the evaluation again)."""
    if evaluation.challenge.status != ChallengeStatus.published:
        raise InvalidTransition(
            "The challenge is cancelled; its evaluation can no longer change.", code="cancelled"
        )
    if await decision_in_force(ctx.db, evaluation.challenge.id) is not None:
        raise InvalidTransition(
            "An award decision rests on this evaluation; it changes only if the decision is "
            "withdrawn.",
            code="award_in_force",
        )
