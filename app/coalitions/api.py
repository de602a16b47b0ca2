"""Coalitions through the JSON API, so providers can work from their own systems."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.coalitions import service
from app.coalitions.models import Coalition, CoalitionMember
from app.coalitions.schemas import (
    CoalitionIn,
    CoalitionOut,
    InviteIn,
    MemberOut,
    MembershipIn,
    OrganisationOut,
    ResponseIn,
)
from app.db import Id
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["coalitions"], dependencies=SIGNED_IN_API
)


def member_out(m: CoalitionMember, *, lead: bool) -> MemberOut:
    return MemberOut(
        organisation_id=m.organisation_id,
        organisation=m.organisation.name,
        kvk_number=m.organisation.kvk_number,
        status=m.status,
        lead=lead,
        role=m.role,
        contribution=m.contribution,
        invited_at=m.invited_at,
        responded_at=m.responded_at,
    )


def coalition_out(coalition: Coalition) -> CoalitionOut:
    return CoalitionOut(
        id=coalition.public_id,
        challenge_id=coalition.challenge_id,
        challenge=coalition.challenge.title,
        name=coalition.name,
        lead_organisation_id=coalition.lead_organisation_id,
        created_at=coalition.created_at,
        members=[
            member_out(m, lead=m.organisation_id == coalition.lead_organisation_id)
            for m in coalition.members
        ],
    )


@router.get("/organisations", response_model=list[OrganisationOut])
async def find_organisations(
    ctx: ApiCtx, q: Annotated[str, Query(min_length=2, max_length=200)]
) -> list[OrganisationOut]:
    """Find organisations to invite, by (part of) the name or the exact KvK number."""
    return [OrganisationOut.model_validate(o) for o in await service.find_organisations(ctx, q)]


@router.post("/challenges/{challenge_id}/coalitions", status_code=201, response_model=CoalitionOut)
async def start(ctx: ApiCtx, challenge_id: Id, body: CoalitionIn) -> CoalitionOut:
    """Start a coalition for an open challenge, with your organisation as lead (penvoerder)."""
    return coalition_out(await service.start_coalition(ctx, challenge_id, body))


@router.get("/coalitions", response_model=list[CoalitionOut])
async def mine(ctx: ApiCtx) -> list[CoalitionOut]:
    """The coalitions your organisation is in or invited to."""
    return [coalition_out(c) for c in await service.my_coalitions(ctx)]


@router.get("/coalitions/{coalition_id}", response_model=CoalitionOut)
async def get(ctx: ApiCtx, coalition_id: UUID) -> CoalitionOut:
    return coalition_out(await service.get_coalition(ctx, coalition_id))


@router.post("/coalitions/{coalition_id}/invitations", status_code=201, response_model=CoalitionOut)
async def invite(ctx: ApiCtx, coalition_id: UUID, body: InviteIn) -> CoalitionOut:
    await service.invite(ctx, coalition_id, body.organisation_id)
    return coalition_out(await service.get_coalition(ctx, coalition_id))


@router.post("/coalitions/{coalition_id}/response", response_model=MemberOut)
async def respond(ctx: ApiCtx, coalition_id: UUID, body: ResponseIn) -> MemberOut:
    """Accept or decline an invitation for your organisation."""
    member = await service.respond(ctx, coalition_id, body)
    return member_out(member, lead=False)


@router.put("/coalitions/{coalition_id}/membership", response_model=CoalitionOut)
async def update_membership(ctx: ApiCtx, coalition_id: UUID, body: MembershipIn) -> CoalitionOut:
    """State your organisation's role and contribution."""
    await service.update_membership(ctx, coalition_id, body)
    return coalition_out(await service.get_coalition(ctx, coalition_id))


@router.post("/coalitions/{coalition_id}/leave", status_code=204)
async def leave(ctx: ApiCtx, coalition_id: UUID) -> None:
    await service.leave(ctx, coalition_id)


@router.delete("/coalitions/{coalition_id}/members/{organisation_id}", response_model=CoalitionOut)
async def remove_member(ctx: ApiCtx, coalition_id: UUID, organisation_id: Id) -> CoalitionOut:
    """The lead withdraws an invitation or removes a member."""
    await service.remove_member(ctx, coalition_id, organisation_id)
    return coalition_out(await service.get_coalition(ctx, coalition_id))
