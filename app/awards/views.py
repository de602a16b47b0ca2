"""The award page: the officer decides, withdraws, resolves objections and makes the contract;
a bidder reads its result and the winner's and may object during the standstill."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, can, is_unsealed
from app.awards import service
from app.awards.models import DecisionStatus, ObjectionStatus
from app.awards.outcome import final_outcome, results, shown, snapshot
from app.awards.schemas import DecisionIn, ObjectionIn, ResolutionIn
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus
from app.challenges.schemas import ReasonIn
from app.context import Context
from app.contracts.schemas import ContractTerms
from app.db import Id
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import Lazy
from app.proposals.opening import any_opened
from app.routing import CommittingRoute
from app.validation import checked, problems
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)


async def _values(request: Request, *names: str) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in names}


async def _preview(ctx: Context, challenge: Challenge) -> dict[str, Any]:
    """For the officer before deciding: the ranking the decision would follow, or what is
    still missing."""
    try:
        found, ranking = await final_outcome(ctx, challenge)
    except Conflict as unfinished:
        return {"missing": unfinished.text(), "results": [], "winner": None}
    kept = snapshot(found, ranking)
    return {"missing": None, "results": results(kept, None), "winner": kept["winner"]}


async def _page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    form: str | None = None,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    challenge = await get_challenge(ctx, challenge_id)
    deciding = can(ctx.user, Action.award_decide, challenge, ctx.now)
    try:
        view = await service.award_for(ctx, challenge.id)
    except NotFound:
        if not deciding:
            raise
        view = None
    in_force = view is not None and view.decision.status != DecisionStatus.withdrawn
    evaluating = challenge.status == ChallengeStatus.published
    # Nothing arrived before the deadline: nothing to evaluate, only an unsuccessful end.
    no_proposals = (
        deciding
        and evaluating
        and view is None
        and is_unsealed(challenge, ctx.now)
        and not await any_opened(ctx, challenge.id)
    )
    own = None
    if view is not None and not deciding:
        own = await service.own_bid(ctx, view.decision)
    context = {
        "challenge": challenge,
        "view": view,
        "kept_rule": shown(view.decision.ranking["rule_text"]) if view else None,
        "deciding": deciding,
        "preview": await _preview(ctx, challenge)
        if deciding and evaluating and not in_force and not no_proposals
        else None,
        "no_proposals": no_proposals,
        "ended": challenge.status == ChallengeStatus.unsuccessful,
        "standstill_over": view is not None and ctx.now >= view.decision.standstill_ends_at,
        "open_objections": view is not None
        and any(o.status == ObjectionStatus.open for o in view.objections),
        "may_object": own is not None
        and in_force
        and view.decision.status == DecisionStatus.standstill
        and ctx.now < view.decision.standstill_ends_at
        and own.id != view.decision.coalition_id
        and not view.objections
        and can(ctx.user, Action.objection_lodge, own, ctx.now),
        "form": form,
        "values": values or {},
        "errors": {k: str(v) for k, v in (errors or {}).items()},
    }
    return render(request, "awards/award.html", context, status_code=status_code)


@router.get("/challenges/{challenge_id}/award")
async def award_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    return await _page(request, ctx, challenge_id)


async def _attempt(request, ctx, challenge_id, form, values, step) -> Response:
    """Run a step; a form with errors comes back with every error named and the text kept."""
    try:
        await step()
    except ValidationFailed as failed:
        return await _page(request, ctx, challenge_id, form, values, failed.errors, 422)
    return redirect(request, f"/challenges/{challenge_id}/award")


@router.post("/challenges/{challenge_id}/award")
async def decide(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    values = await _values(request, "reasons")

    async def step():
        await service.decide_award(ctx, challenge_id, checked(DecisionIn, values))

    return await _attempt(request, ctx, challenge_id, "decide", values, step)


@router.post("/challenges/{challenge_id}/award/withdraw")
async def withdraw(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    values = await _values(request, "reason")

    async def step():
        await service.withdraw_award(ctx, challenge_id, checked(ReasonIn, values))

    return await _attempt(request, ctx, challenge_id, "withdraw", values, step)


@router.post("/challenges/{challenge_id}/unsuccessful")
async def unsuccessful(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    """Ending without an award is final: a reason and a ticked box, once it may end at all."""
    values = await _values(request, "reason", "confirm")

    async def step():
        await service.may_end_unsuccessful(ctx, challenge_id)
        errors = problems(ReasonIn, {"reason": values["reason"]})
        if values["confirm"] != "yes":
            errors["confirm"] = Lazy(
                "Tick the box to confirm that the challenge ends without an award."
            )
        if errors:
            raise ValidationFailed(errors)
        await service.declare_unsuccessful(ctx, challenge_id, ReasonIn(reason=values["reason"]))

    return await _attempt(request, ctx, challenge_id, "unsuccessful", values, step)


@router.post("/challenges/{challenge_id}/objections")
async def lodge(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    values = await _values(request, "reasons")

    async def step():
        await service.lodge_objection(ctx, challenge_id, checked(ObjectionIn, values))

    return await _attempt(request, ctx, challenge_id, "object", values, step)


@router.post("/challenges/{challenge_id}/objections/{objection_id}/resolution")
async def resolve(request: Request, ctx: WebCtx, challenge_id: Id, objection_id: UUID) -> Response:
    values = await _values(request, "outcome", "reasons")

    async def step():
        data = checked(ResolutionIn, values)
        await service.resolve_objection(ctx, challenge_id, objection_id, data)

    return await _attempt(request, ctx, challenge_id, f"resolve-{objection_id}", values, step)


@router.post("/challenges/{challenge_id}/contract")
async def contract(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    """The contract after the standstill; the fixed share in whole percent (default 70)."""
    values = await _values(request, "fixed_share_percent")
    percent = values["fixed_share_percent"] or "70"
    try:
        if not percent.isdigit():
            raise ValidationFailed({"fixed_share_percent": Lazy("Enter a whole number.")})
        try:
            terms = checked(ContractTerms, {"fixed_share_bp": int(percent) * 100})
        except ValidationFailed as failed:
            raise ValidationFailed(
                {"fixed_share_percent": Lazy("Enter a whole percentage from 0 to 100.")}
            ) from failed
        made = await service.make_award_contract(ctx, challenge_id, terms)
    except ValidationFailed as failed:
        return await _page(request, ctx, challenge_id, "contract", values, failed.errors, 422)
    return redirect(request, f"/contracts/{made.id}")
