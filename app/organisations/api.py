"""Role granting through the JSON API, for an organisation's admin with a bearer token."""

from fastapi import APIRouter

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.db import Id
from app.organisations import service
from app.organisations.schemas import MemberOut, RoleIn
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1/admin", route_class=CommittingRoute, tags=["admin"], dependencies=SIGNED_IN_API
)


@router.get("/users", response_model=list[MemberOut])
async def list_users(ctx: ApiCtx) -> list[MemberOut]:
    """Everyone in your organisation; `waiting_for_role` marks new accounts without a role."""
    return [MemberOut.model_validate(user) for user in await service.members(ctx)]


@router.put("/users/{user_id}/role", response_model=MemberOut)
async def set_role(ctx: ApiCtx, user_id: Id, body: RoleIn) -> MemberOut:
    """Grant or change a role, or take it away with `{"role": null}`; not your own."""
    return MemberOut.model_validate(await service.set_role(ctx, user_id, body.role))
