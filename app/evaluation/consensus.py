"""The chair's part: minimum requirements (pass/fail with a reason) and, once every member who
judges a proposal has submitted, a consensus score with rationale per quality criterion."""

from uuid import UUID

from sqlalchemy import select

from app.auth.permissions import Action, can
from app.context import Context
from app.errors import Conflict, Forbidden, ValidationFailed
from app.evaluation.models import CommitteeRole, ConsensusScore, RequirementVerdict
from app.evaluation.schemas import ConsensusIn, VerdictsIn
from app.evaluation.scoring import assert_may, check_scores
from app.evaluation.state import Evaluation, assert_evaluating, for_member
from app.i18n import Lazy
from app.proposals.opening import OpenedProposal
from app.validation import checked


def not_submitted(evaluation: Evaluation, proposal: OpenedProposal) -> list[int]:
    """The members who judge the proposal (every member not recused from it) and have not
    submitted their scores yet."""
    recused = {
        d.user_id
        for d in evaluation.declarations
        if d.coalition_id == proposal.coalition_id and d.conflict
    }
    return [
        m.user_id
        for m in evaluation.members
        if m.user_id not in recused and m.user_id not in evaluation.submitted
    ]


async def for_chair(
    ctx: Context, challenge_id: int, proposal_id: UUID
) -> tuple[Evaluation, OpenedProposal]:
    """The evaluation and the proposal, for its chair who may judge it."""
    evaluation = await for_member(ctx, challenge_id)
    proposal = evaluation.proposal(proposal_id)
    place = evaluation.place(ctx.user.id, proposal)
    if place.seat.role != CommitteeRole.chair:
        raise Forbidden("Only the chair of the committee records this.", code="not_chair")
    if place.recused:
        raise Conflict(
            "The chair is recused from this proposal and cannot record this. The policy "
            "officer must change the committee, with a reason, so another chair can.",
            code="chair_recused",
        )
    assert_may(ctx, Action.evaluation_chair, place)
    return evaluation, proposal


async def record_requirements(
    ctx: Context, challenge_id: int, proposal_id: UUID, data: VerdictsIn
) -> tuple[Evaluation, OpenedProposal]:
    """Pass or fail per minimum requirement, with a reason (required for a fail, which
    excludes the proposal from the ranking)."""
    data = checked(VerdictsIn, data.model_dump())
    evaluation, proposal = await for_chair(ctx, challenge_id, proposal_id)
    await assert_evaluating(ctx, evaluation)
    known = {r.id for r in evaluation.challenge.requirements}
    errors: dict[str, Lazy] = {}
    seen: set[int] = set()
    for index, item in enumerate(data.verdicts):
        where = f"verdicts.{index}"
        if item.requirement_id not in known:
            errors[f"{where}.requirement_id"] = Lazy(
                "This minimum requirement is not part of the challenge."
            )
        elif item.requirement_id in seen:
            errors[f"{where}.requirement_id"] = Lazy("Judge each requirement once.")
        seen.add(item.requirement_id)
        if not item.passed and not item.reason:
            errors[f"{where}.reason"] = Lazy("Say why the proposal fails this requirement.")
    if errors:
        raise ValidationFailed(errors)
    existing = {
        v.requirement_id: v
        for v in await ctx.db.scalars(
            select(RequirementVerdict).where(
                RequirementVerdict.coalition_id == proposal.coalition_id
            )
        )
    }
    changed = []
    for item in data.verdicts:
        verdict = existing.get(item.requirement_id)
        if verdict is None:
            verdict = RequirementVerdict(
                challenge_id=evaluation.challenge.id,
                coalition_id=proposal.coalition_id,
                requirement_id=item.requirement_id,
            )
            ctx.db.add(verdict)
        elif (verdict.passed, verdict.reason) == (item.passed, item.reason):
            continue
        verdict.passed, verdict.reason = item.passed, item.reason
        verdict.recorded_by_id, verdict.recorded_at = ctx.user.id, ctx.now
        changed.append(item)
    if changed:
        await ctx.flush_or_conflict(_concurrent())
        await ctx.record(
            "evaluation.requirements_recorded",
            "challenge",
            evaluation.challenge.id,
            proposal_id=str(proposal_id),
            verdicts=[item.model_dump() for item in changed],
            stream=evaluation.stream,
        )
    return evaluation, proposal


async def record_consensus(
    ctx: Context, challenge_id: int, proposal_id: UUID, data: ConsensusIn
) -> tuple[Evaluation, OpenedProposal]:
    """The consensus score and rationale per quality criterion, once every member who judges
    the proposal has submitted their scores."""
    data = checked(ConsensusIn, data.model_dump())
    evaluation, proposal = await for_chair(ctx, challenge_id, proposal_id)
    await assert_evaluating(ctx, evaluation)
    waiting = not_submitted(evaluation, proposal)
    if waiting:
        raise Conflict(
            "%(count)s committee member(s) who judge this proposal have not submitted their "
            "scores yet; the consensus waits for them.",
            code="not_all_submitted",
            count=len(waiting),
        )
    check_scores(evaluation, data.scores)
    existing = {
        c.criterion_id: c
        for c in await ctx.db.scalars(
            select(ConsensusScore).where(ConsensusScore.coalition_id == proposal.coalition_id)
        )
    }
    changed = []
    for item in data.scores:
        consensus = existing.get(item.criterion_id)
        if consensus is None:
            consensus = ConsensusScore(
                challenge_id=evaluation.challenge.id,
                coalition_id=proposal.coalition_id,
                criterion_id=item.criterion_id,
            )
            ctx.db.add(consensus)
        elif (consensus.score, consensus.rationale) == (item.score, item.rationale):
            continue
        consensus.score, consensus.rationale = item.score, item.rationale
        consensus.recorded_by_id, consensus.recorded_at = ctx.user.id, ctx.now
        changed.append(item)
    if changed:
        await ctx.flush_or_conflict(_concurrent())
        await ctx.record(
            "evaluation.consensus_recorded",
            "challenge",
            evaluation.challenge.id,
            proposal_id=str(proposal_id),
            scores=[item.model_dump() for item in changed],
            stream=evaluation.stream,
        )
    return evaluation, proposal


def may_see_scores(ctx: Context, evaluation: Evaluation, proposal: OpenedProposal) -> bool:
    place = evaluation.place(ctx.user.id, proposal)
    return can(ctx.user, Action.evaluation_read_scores, place, ctx.now)


def _concurrent() -> Conflict:
    return Conflict(
        "This was recorded at the same moment from elsewhere; reload and try again.",
        code="concurrent_change",
    )
