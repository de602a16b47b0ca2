"""The award steps: decide, withdraw, objections, an unsuccessful end, and the contract.

Each step is a named state change that checks where the challenge is and refuses the rest:
  evaluation --decide--> standstill --(over, no open objection) make contract--> contracted
  standstill --withdraw / objection upheld--> withdrawn (the committee evaluates again)
  evaluation --no valid proposal--> unsuccessful
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.permissions import Action, assert_can, awaits_opening, can, unsealed_at
from app.awards.models import AwardDecision, DecisionStatus, Objection, ObjectionStatus
from app.awards.outcome import final_outcome, results, snapshot
from app.awards.queries import decision_in_force
from app.awards.schemas import DecisionIn, ObjectionIn, Outcome, ProposalResult, ResolutionIn
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus
from app.challenges.schemas import ReasonIn
from app.coalitions.models import Coalition, CoalitionMember
from app.context import Context
from app.contracts.models import Contract
from app.contracts.schemas import ContractTerms
from app.contracts.service import make_contract
from app.contracts.standstill import standstill
from app.errors import Conflict, InvalidTransition, NotFound
from app.i18n.formats import day, moment
from app.proposals.opening import opening
from app.validation import checked


async def _owned_challenge(ctx: Context, challenge_id: int, action: Action) -> Challenge:
    """The challenge, held against other award steps until commit; only its owner's officers."""
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    if awaits_opening(challenge, ctx.now) and can(
        ctx.user, action, challenge, unsealed_at(challenge)
    ):
        raise Conflict(
            "The proposals stay sealed until the submission deadline (%(deadline)s); the award "
            "follows their evaluation.",
            code="sealed",
            deadline=moment(challenge.submission_deadline),
        )
    assert_can(ctx.user, action, challenge, ctx.now)
    return challenge


def _assert_evaluating(challenge: Challenge) -> None:
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition(
            "This challenge is not in evaluation (it was cancelled or has ended), so it has no "
            "award to decide.",
            code="not_in_evaluation",
        )


async def decide_award(ctx: Context, challenge_id: int, data: DecisionIn) -> AwardDecision:
    """The gunningsbeslissing for the best-ranked valid proposal; the standstill starts."""
    data = checked(DecisionIn, data)
    challenge = await _owned_challenge(ctx, challenge_id, Action.award_decide)
    _assert_evaluating(challenge)
    if await decision_in_force(ctx.db, challenge.id) is not None:
        raise Conflict("An award decision is already in force.", code="award_in_force")
    found, ranking = await final_outcome(ctx, challenge)
    if ranking.winner is None:
        raise Conflict(
            "No proposal is valid, so none can be awarded: end the challenge as unsuccessful.",
            code="no_valid_proposal",
        )
    winner = next(
        p for p in found.evaluation.opened if str(p.proposal_id) == ranking.winner.proposal
    )
    period = standstill(ctx.now)
    decision = AwardDecision(
        challenge_id=challenge.id,
        coalition_id=winner.coalition_id,
        status=DecisionStatus.standstill,
        reasons=data.reasons,
        ranking=snapshot(found, ranking),
        decided_at=ctx.now,
        decided_by_id=ctx.user_id,
        standstill_last_day=period.last_day,
        standstill_ends_at=period.ends_at,
    )
    ctx.db.add(decision)
    await ctx.flush_or_conflict(
        Conflict("An award decision is already in force.", code="award_in_force")
    )
    await ctx.record(
        "award.decided",
        "challenge",
        challenge.id,
        decision=decision.id,
        winner=ranking.winner.proposal,
        standstill_ends_at=period.ends_at.isoformat(),
    )
    return decision


async def withdraw_award(ctx: Context, challenge_id: int, data: ReasonIn) -> AwardDecision:
    """The municipality takes its decision back; the committee may evaluate again."""
    data = checked(ReasonIn, data)
    challenge = await _owned_challenge(ctx, challenge_id, Action.award_decide)
    decision = await _standing_decision(ctx, challenge)
    await _withdraw(ctx, challenge, decision, data.reason)
    return decision


async def _withdraw(
    ctx: Context, challenge: Challenge, decision: AwardDecision, reason: str
) -> None:
    decision.status = DecisionStatus.withdrawn
    decision.withdrawn_at = ctx.now
    decision.withdrawn_by_id = ctx.user_id
    decision.withdraw_reason = reason
    open_objections = await ctx.db.scalars(
        select(Objection).where(
            Objection.decision_id == decision.id, Objection.status == ObjectionStatus.open
        )
    )
    for objection in open_objections:
        # Its point is moot: the decision it objected to is gone.
        objection.status = ObjectionStatus.upheld
        objection.resolution = reason
        objection.resolved_at = ctx.now
        objection.resolved_by_id = ctx.user_id
    await ctx.db.flush()
    await ctx.record(
        "award.withdrawn", "challenge", challenge.id, decision=decision.id, reason=reason
    )


async def _standing_decision(ctx: Context, challenge: Challenge) -> AwardDecision:
    decision = await decision_in_force(ctx.db, challenge.id)
    if decision is None:
        raise InvalidTransition("There is no award decision in force.", code="no_award")
    if decision.status != DecisionStatus.standstill:
        raise InvalidTransition(
            "The contract has been made; the award decision can no longer change.",
            code="award_final",
        )
    return decision


async def lodge_objection(ctx: Context, challenge_id: int, data: ObjectionIn) -> Objection:
    """A bidder objects during the standstill; the contract waits until it is resolved."""
    data = checked(ObjectionIn, data)
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    decision = await latest_decision(ctx, challenge.id)
    coalition = await own_bid(ctx, decision) if decision else None
    if coalition is None:
        raise NotFound("There is no award decision to show for this challenge.")
    assert_can(ctx.user, Action.objection_lodge, coalition, ctx.now)
    decision = await _standing_decision(ctx, challenge)
    if ctx.now >= decision.standstill_ends_at:
        raise Conflict(
            "The standstill is over; objections could be lodged until it ended.",
            code="standstill_over",
        )
    if decision.coalition_id == coalition.id:
        raise Conflict(
            "Your own proposal was chosen; there is nothing to object to.", code="own_award"
        )
    objection = Objection(
        decision_id=decision.id,
        coalition_id=coalition.id,
        reasons=data.reasons,
        status=ObjectionStatus.open,
        lodged_at=ctx.now,
        lodged_by_id=ctx.user_id,
    )
    ctx.db.add(objection)
    await ctx.flush_or_conflict(
        Conflict(
            "Your coalition has already lodged an objection to this decision.",
            code="objection_exists",
        )
    )
    await ctx.record(
        "award.objection_lodged",
        "challenge",
        challenge.id,
        objection=str(objection.public_id),
        coalition=str(coalition.public_id),
    )
    return objection


async def resolve_objection(
    ctx: Context, challenge_id: int, objection_id, data: ResolutionIn
) -> Objection:
    """Upheld: the decision is withdrawn and the committee evaluates again. Rejected: the
    standstill runs on."""
    data = checked(ResolutionIn, data)
    challenge = await _owned_challenge(ctx, challenge_id, Action.award_decide)
    objection = await ctx.db.scalar(
        select(Objection)
        .join(AwardDecision, AwardDecision.id == Objection.decision_id)
        .where(Objection.public_id == objection_id, AwardDecision.challenge_id == challenge.id)
    )
    if objection is None:
        raise NotFound("This objection does not exist.")
    if objection.status != ObjectionStatus.open:
        raise InvalidTransition(
            "This objection has already been resolved.", code="objection_resolved"
        )
    objection.status = (
        ObjectionStatus.upheld if data.outcome == Outcome.upheld else ObjectionStatus.rejected
    )
    objection.resolution = data.reasons
    objection.resolved_at = ctx.now
    objection.resolved_by_id = ctx.user_id
    await ctx.db.flush()
    await ctx.record(
        "award.objection_resolved",
        "challenge",
        challenge.id,
        objection=str(objection.public_id),
        outcome=data.outcome.value,
        reasons=data.reasons,
    )
    if data.outcome == Outcome.upheld:
        decision = await ctx.db.get(AwardDecision, objection.decision_id)
        await _withdraw(ctx, challenge, decision, data.reasons)
    return objection


async def may_end_unsuccessful(ctx: Context, challenge_id: int) -> Challenge:
    """The challenge, if it may end without an award: refused (404, 403, 409) otherwise, so the
    page can ask for a reason and a confirmation only when ending is possible."""
    challenge = await _owned_challenge(ctx, challenge_id, Action.award_decide)
    _assert_evaluating(challenge)
    if await decision_in_force(ctx.db, challenge.id) is not None:
        raise Conflict("An award decision is in force; withdraw it first.", code="award_in_force")
    if (await opening(ctx, challenge.id)).entries:
        _found, ranking = await final_outcome(ctx, challenge)
        if ranking.winner is not None:
            raise Conflict(
                "A valid proposal is ranked first, so the challenge can be awarded.",
                code="valid_proposal_exists",
            )
    return challenge


async def declare_unsuccessful(ctx: Context, challenge_id: int, data: ReasonIn) -> Challenge:
    """No valid proposal (or none at all): the challenge ends without an award, with a reason."""
    data = checked(ReasonIn, data)
    challenge = await may_end_unsuccessful(ctx, challenge_id)
    challenge.status = ChallengeStatus.unsuccessful
    challenge.unsuccessful_at = ctx.now
    challenge.unsuccessful_reason = data.reason
    challenge.updated_at = ctx.now
    await ctx.db.flush()
    await ctx.record("challenge.unsuccessful", "challenge", challenge.id, reason=data.reason)
    return challenge


async def own_bid(ctx: Context, decision: AwardDecision) -> Coalition | None:
    """The caller's coalition among the bidders the decision went to, if they may read it."""
    if ctx.user is None:
        return None
    bidders = {item["coalition_id"] for item in decision.ranking["proposals"]}
    coalitions = await ctx.db.scalars(
        select(Coalition)
        .options(selectinload(Coalition.members), selectinload(Coalition.challenge))
        .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
        .where(
            Coalition.id.in_(bidders),
            CoalitionMember.organisation_id == ctx.user.organisation_id,
        )
        .order_by(Coalition.id)
    )
    return next((c for c in coalitions if can(ctx.user, Action.award_read, c, ctx.now)), None)


async def latest_decision(ctx: Context, challenge_id: int) -> AwardDecision | None:
    """The decision in force, else the last one withdrawn."""
    return await ctx.db.scalar(
        select(AwardDecision)
        .options(selectinload(AwardDecision.coalition))
        .where(AwardDecision.challenge_id == challenge_id)
        .order_by(AwardDecision.status == DecisionStatus.withdrawn, AwardDecision.id.desc())
        .limit(1)
    )


@dataclass
class AwardView:
    """The decision as the caller may see it: the municipality everything, a bidder its own
    result and the winner's and its own objections, the public the winner once contracted."""

    challenge: Challenge
    decision: AwardDecision
    results: list[ProposalResult]
    objections: list[Objection]
    full: bool  # reasons, results and objections shown (not only the public facts)


async def award_for(ctx: Context, challenge_id: int) -> AwardView:
    challenge = await get_challenge(ctx, challenge_id)
    decision = await latest_decision(ctx, challenge.id)
    missing = NotFound("There is no award decision to show for this challenge.")
    if decision is None:
        raise missing
    if can(ctx.user, Action.award_read, challenge, ctx.now):
        objections = await _objections(ctx, decision, None)
        return AwardView(challenge, decision, results(decision.ranking, None), objections, True)
    own = await own_bid(ctx, decision)
    if own is not None:
        shown = {own.id, decision.coalition_id}
        objections = await _objections(ctx, decision, own.id)
        return AwardView(challenge, decision, results(decision.ranking, shown), objections, True)
    if decision.status == DecisionStatus.contracted:
        return AwardView(challenge, decision, [], [], False)
    raise missing


async def get_objection(ctx: Context, objection_id: int) -> Objection:
    """An objection the caller just lodged or resolved, with its coalition."""
    return await ctx.db.scalar(
        select(Objection)
        .options(selectinload(Objection.coalition))
        .where(Objection.id == objection_id)
    )


async def has_award_page(ctx: Context, challenge: Challenge) -> bool:
    """Whether the challenge page links to the award: for the officers who decide it, and for
    whoever may see a decision that was taken."""
    if can(ctx.user, Action.award_decide, challenge, ctx.now):
        return True
    decision = await latest_decision(ctx, challenge.id)
    if decision is None:
        return False
    if can(ctx.user, Action.award_read, challenge, ctx.now):
        return True
    return decision.status == DecisionStatus.contracted or await own_bid(ctx, decision) is not None


async def _objections(
    ctx: Context, decision: AwardDecision, coalition_id: int | None
) -> list[Objection]:
    query = (
        select(Objection)
        .options(selectinload(Objection.coalition))
        .where(Objection.decision_id == decision.id)
        .order_by(Objection.id)
    )
    if coalition_id is not None:
        query = query.where(Objection.coalition_id == coalition_id)
    return list(await ctx.db.scalars(query))


async def make_award_contract(
    ctx: Context, challenge_id: int, terms: ContractTerms | None = None
) -> Contract:
    """After the standstill, with no objection open: the contract from the winning proposal."""
    challenge = await _owned_challenge(ctx, challenge_id, Action.award_decide)
    decision = await _standing_decision(ctx, challenge)
    if ctx.now < decision.standstill_ends_at:
        raise Conflict(
            "The standstill runs until the end of %(day)s; the contract can be made after it.",
            code="standstill_running",
            day=day(decision.standstill_last_day),
        )
    if await _objections_open(ctx, decision):
        raise Conflict(
            "An objection is open; resolve it before the contract is made.",
            code="objection_open",
        )
    winner = await ctx.db.get(Coalition, decision.coalition_id)
    contract = await make_contract(ctx, challenge.id, winner.public_id, terms)
    decision.status = DecisionStatus.contracted
    await ctx.db.flush()
    await ctx.record(
        "award.contracted", "challenge", challenge.id, decision=decision.id, contract=contract.id
    )
    return contract


async def _objections_open(ctx: Context, decision: AwardDecision) -> bool:
    found = await ctx.db.scalar(
        select(Objection.id).where(
            Objection.decision_id == decision.id, Objection.status == ObjectionStatus.open
        )
    )
    return found is not None
