"""The award through the JSON API: decision, withdrawal, objections, unsuccessful, contract."""

from uuid import UUID

from fastapi import APIRouter

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.awards import service
from app.awards.models import Objection
from app.awards.outcome import shown
from app.awards.schemas import (
    DecisionIn,
    DecisionOut,
    ObjectionIn,
    ObjectionOut,
    ResolutionIn,
    UnsuccessfulOut,
)
from app.challenges.schemas import ReasonIn
from app.contracts import search as contracts
from app.contracts.api import contract_out
from app.contracts.schemas import ContractOut, ContractTerms
from app.db import Id
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["award"], dependencies=SIGNED_IN_API
)
# The award of a contracted challenge is published; before that only the municipality and the
# bidders see it, and the service answers everyone else as if there were none.
public_router = APIRouter(prefix="/api/v1", route_class=CommittingRoute, tags=["award"])


def objection_out(objection: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=objection.public_id,
        coalition=objection.coalition.name,
        reasons=objection.reasons,
        status=objection.status.value,
        lodged_at=objection.lodged_at,
        resolution=objection.resolution,
        resolved_at=objection.resolved_at,
    )


def decision_out(view: service.AwardView) -> DecisionOut:
    decision, kept = view.decision, view.decision.ranking
    return DecisionOut(
        challenge_id=view.challenge.id,
        status=decision.status.value,
        winner=decision.coalition.name,
        winner_proposal_id=decision.coalition.public_id,
        reasons=decision.reasons if view.full else None,
        decided_at=decision.decided_at,
        standstill_last_day=decision.standstill_last_day,
        standstill_ends_at=decision.standstill_ends_at,
        tie_break=shown(kept["rule_text"]) if view.full else None,
        lot_seed=kept["seed"] if view.full else None,
        withdrawn_at=decision.withdrawn_at,
        withdraw_reason=decision.withdraw_reason if view.full else None,
        results=view.results,
        objections=[objection_out(o) for o in view.objections],
    )


@public_router.get("/challenges/{challenge_id}/award", response_model=DecisionOut)
async def get_award(ctx: ApiCtx, challenge_id: Id) -> DecisionOut:
    """The award decision as you may see it: the municipality everything; a bidder its own
    scores and reasons and the winner's, and the standstill's end; anyone the winner once the
    contract is made."""
    return decision_out(await service.award_for(ctx, challenge_id))


@router.post("/challenges/{challenge_id}/award", status_code=201, response_model=DecisionOut)
async def decide(ctx: ApiCtx, challenge_id: Id, body: DecisionIn) -> DecisionOut:
    """Decide the award for the best-ranked valid proposal (gunningsbeslissing); the standstill
    of 20 calendar days starts."""
    await service.decide_award(ctx, challenge_id, body)
    return decision_out(await service.award_for(ctx, challenge_id))


@router.post("/challenges/{challenge_id}/award/withdraw", response_model=DecisionOut)
async def withdraw(ctx: ApiCtx, challenge_id: Id, body: ReasonIn) -> DecisionOut:
    """Withdraw the award decision, with a reason; the committee may evaluate again."""
    await service.withdraw_award(ctx, challenge_id, body)
    return decision_out(await service.award_for(ctx, challenge_id))


@router.get("/challenges/{challenge_id}/objections", response_model=list[ObjectionOut])
async def objections(ctx: ApiCtx, challenge_id: Id) -> list[ObjectionOut]:
    """Objections to the current decision: all for the municipality, a bidder its own."""
    view = await service.award_for(ctx, challenge_id)
    return [objection_out(o) for o in view.objections]


@router.post("/challenges/{challenge_id}/objections", status_code=201, response_model=ObjectionOut)
async def lodge(ctx: ApiCtx, challenge_id: Id, body: ObjectionIn) -> ObjectionOut:
    """Object to the award decision during the standstill (the lead, for its coalition)."""
    objection = await service.lodge_objection(ctx, challenge_id, body)
    return objection_out(await service.get_objection(ctx, objection.id))


@router.post(
    "/challenges/{challenge_id}/objections/{objection_id}/resolution", response_model=ObjectionOut
)
async def resolve(
    ctx: ApiCtx, challenge_id: Id, objection_id: UUID, body: ResolutionIn
) -> ObjectionOut:
    """Record how an objection ended: upheld withdraws the decision, rejected lets the
    standstill run on."""
    objection = await service.resolve_objection(ctx, challenge_id, objection_id, body)
    return objection_out(await service.get_objection(ctx, objection.id))


@router.post("/challenges/{challenge_id}/unsuccessful", response_model=UnsuccessfulOut)
async def unsuccessful(ctx: ApiCtx, challenge_id: Id, body: ReasonIn) -> UnsuccessfulOut:
    """End the challenge without an award: no proposal is valid (or none came in)."""
    challenge = await service.declare_unsuccessful(ctx, challenge_id, body)
    return UnsuccessfulOut(
        challenge_id=challenge.id,
        status=challenge.status.value,
        reason=challenge.unsuccessful_reason,
        ended_at=challenge.unsuccessful_at,
    )


@router.post("/challenges/{challenge_id}/contract", status_code=201, response_model=ContractOut)
async def contract(ctx: ApiCtx, challenge_id: Id, body: ContractTerms | None = None) -> ContractOut:
    """After the standstill, with no objection open: make the contract from the winning
    proposal, with the payment model (defaults: 70 % fixed, the rest on results)."""
    made = await service.make_award_contract(ctx, challenge_id, body)
    return contract_out(await contracts.get_contract(ctx, made.id))
