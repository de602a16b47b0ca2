"""Coalition pages: start one, my coalitions and invitations, members, inviting, leaving."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, assert_can, can
from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.coalitions import service
from app.coalitions.models import Coalition, MemberStatus
from app.coalitions.schemas import CoalitionIn, MembershipIn, ResponseIn
from app.context import Context
from app.db import Id
from app.errors import NotFound, ValidationFailed
from app.i18n import Lazy
from app.proposals.queries import current_submission
from app.routing import CommittingRoute
from app.validation import checked
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

MEMBER_FIELDS = ("role", "contribution")
START_FIELDS = ("name", *MEMBER_FIELDS)
MAX_QUERY = 200


async def _values(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in names}


def _texts(errors: dict) -> dict[str, str]:
    return {name: str(message) for name, message in errors.items()}


def is_open(coalition: Coalition, ctx: Context) -> bool:
    return lifecycle.is_open(coalition.challenge, ctx.now)


# --- on the challenge page ---------------------------------------------------------------------


async def challenge_panel(ctx: Context, challenge: Challenge) -> dict[str, Any]:
    """What the challenge page shows about coalitions: only the caller's own, never others'."""
    open_ = lifecycle.is_open(challenge, ctx.now)
    mine: list[Coalition] = []
    if ctx.user is not None and can(ctx.user, Action.coalition_start):
        mine = [c for c in await service.my_coalitions(ctx) if c.challenge_id == challenge.id]
    in_one = any(c.member(ctx.user.organisation_id).status == MemberStatus.accepted for c in mine)
    return {
        "mine": mine,
        "can_start": open_
        and can(ctx.user, Action.coalition_start, challenge)
        and (challenge.allow_multiple_coalitions or not in_one),
        "opening": can(ctx.user, Action.opening_read, challenge, ctx.now),
    }


def _start_page(
    request: Request, challenge: Challenge, values: dict, errors: dict, status_code: int = 200
) -> Response:
    return render(
        request,
        "coalitions/start.html",
        {"challenge": challenge, "values": values, "errors": _texts(errors)},
        status_code=status_code,
    )


@router.get("/challenges/{challenge_id}/coalitions/new")
async def start_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.coalition_start, challenge)
    lifecycle.assert_open(challenge, ctx)
    return _start_page(request, challenge, {}, {})


@router.post("/challenges/{challenge_id}/coalitions")
async def start(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    values = await _values(request, START_FIELDS)
    try:
        coalition = await service.start_coalition(ctx, challenge_id, checked(CoalitionIn, values))
    except ValidationFailed as failed:
        challenge = await lifecycle.get_challenge(ctx, challenge_id)
        return _start_page(request, challenge, values, failed.errors, status_code=422)
    return redirect(request, f"/coalitions/{coalition.public_id}")


# --- my coalitions ---------------------------------------------------------------------------


def _mine_page(
    request: Request,
    ctx: Context,
    coalitions: list[Coalition],
    errors: dict[UUID, dict] | None = None,
    values: dict[UUID, dict] | None = None,
    status_code: int = 200,
) -> Response:
    org_id = ctx.user.organisation_id
    invited = [c for c in coalitions if c.member(org_id).status == MemberStatus.invited]
    joined = [c for c in coalitions if c.member(org_id).status == MemberStatus.accepted]
    return render(
        request,
        "coalitions/mine.html",
        {
            "invited": invited,
            "joined": joined,
            "org_id": org_id,
            "open": {c.public_id: is_open(c, ctx) for c in coalitions},
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/coalitions")
async def my_coalitions(request: Request, ctx: WebCtx) -> Response:
    return _mine_page(request, ctx, await service.my_coalitions(ctx))


@router.post("/coalitions/{coalition_id}/response")
async def respond(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    """Accept (with role and contribution) or decline an invitation; back where it was given."""
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in MEMBER_FIELDS}
    decision = form.get("decision")
    back = "/coalitions" if form.get("from") == "mine" else f"/coalitions/{coalition_id}"
    try:
        if decision not in ("accept", "decline"):
            raise ValidationFailed({"decision": Lazy("Choose to accept or decline.")})
        data = checked(ResponseIn, {**values, "accept": decision == "accept"})
        await service.respond(ctx, coalition_id, data)
    except ValidationFailed as failed:
        if back == "/coalitions":
            return _mine_page(
                request,
                ctx,
                await service.my_coalitions(ctx),
                errors={coalition_id: _texts(failed.errors)},
                values={coalition_id: values},
                status_code=422,
            )
        return await _coalition_page(
            request, ctx, coalition_id, response_values=values, errors=failed.errors
        )
    if decision == "decline":
        return redirect(request, "/coalitions")
    return redirect(request, f"/coalitions/{coalition_id}")


# --- one coalition ---------------------------------------------------------------------------


async def _coalition_page(
    request: Request,
    ctx: Context,
    coalition_id: UUID,
    *,
    member_values: dict | None = None,
    response_values: dict | None = None,
    errors: dict | None = None,
) -> Response:
    coalition = await service.get_coalition(ctx, coalition_id)
    me = coalition.member(ctx.user.organisation_id) if ctx.user else None
    open_ = is_open(coalition, ctx)
    manage = open_ and can(ctx.user, Action.coalition_manage, coalition)
    q = (request.query_params.get("q") or "").strip()[:MAX_QUERY] if manage else ""
    results = await service.find_organisations(ctx, q) if q else []
    active = {m.organisation_id for m in coalition.active_members()}
    member = me is not None and me.status in (MemberStatus.invited, MemberStatus.accepted)
    submitted = await current_submission(ctx, coalition) if member else None
    mine = {"role": me.role, "contribution": me.contribution} if me else {}
    context = {
        "coalition": coalition,
        "challenge": coalition.challenge,
        "me": me if member else None,
        "open": open_,
        "manage": manage,
        "respond": open_ and can(ctx.user, Action.coalition_respond, coalition),
        "edit_membership": open_ and can(ctx.user, Action.proposal_edit, coalition),
        "leave": open_ and can(ctx.user, Action.coalition_leave, coalition),
        "read_proposal": can(ctx.user, Action.proposal_read, coalition, ctx.now),
        "edit_proposal": can(ctx.user, Action.proposal_edit, coalition),
        "submitted": submitted,
        "members": [m for m in coalition.members if m.status in service.ACTIVE],
        "former": [m for m in coalition.members if m.status not in service.ACTIVE],
        "q": q,
        "results": results,
        "active": active,
        "member_values": member_values or mine,
        "response_values": response_values or {},
        "errors": _texts(errors or {}),
    }
    status_code = 422 if errors else 200
    return render(
        request, "coalitions/detail.html", context, status_code=status_code, block="invite_results"
    )


@router.get("/coalitions/{coalition_id}")
async def coalition_page(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    return await _coalition_page(request, ctx, coalition_id)


@router.post("/coalitions/{coalition_id}/invitations")
async def invite(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    form = await request.form()
    try:
        organisation_id = int(str(form.get("organisation_id") or ""))
    except ValueError:
        organisation_id = 0
    if not 1 <= organisation_id <= 2_147_483_647:
        raise NotFound("This organisation does not exist or cannot join a coalition.")
    await service.invite(ctx, coalition_id, organisation_id)
    return redirect(request, f"/coalitions/{coalition_id}#members")


@router.post("/coalitions/{coalition_id}/members/{organisation_id}/remove")
async def remove_member(
    request: Request, ctx: WebCtx, coalition_id: UUID, organisation_id: Id
) -> Response:
    await service.remove_member(ctx, coalition_id, organisation_id)
    return redirect(request, f"/coalitions/{coalition_id}#members")


@router.post("/coalitions/{coalition_id}/membership")
async def update_membership(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    values = await _values(request, MEMBER_FIELDS)
    try:
        await service.update_membership(ctx, coalition_id, checked(MembershipIn, values))
    except ValidationFailed as failed:
        return await _coalition_page(
            request, ctx, coalition_id, member_values=values, errors=failed.errors
        )
    return redirect(request, f"/coalitions/{coalition_id}#members")


@router.post("/coalitions/{coalition_id}/leave")
async def leave(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    await service.leave(ctx, coalition_id)
    return redirect(request, "/coalitions")
