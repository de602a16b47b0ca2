"""The admin's page of their organisation's people, where roles are granted."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import role_fits
from app.db import Id
from app.organisations import service
from app.organisations.models import Role
from app.organisations.schemas import RoleIn
from app.routing import CommittingRoute
from app.validation import checked
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)


@router.get("/admin/users")
async def users_page(request: Request, ctx: WebCtx, saved: str | None = None) -> Response:
    members = await service.members(ctx)
    changed = next((m for m in members if str(m.id) == saved), None)
    # Only the roles this kind of organisation may hold are offered.
    roles = [role for role in Role if role_fits(ctx.user.organisation.kind, role)]
    return render(
        request,
        "organisations/users.html",
        {"members": members, "roles": roles, "saved": changed},
    )


@router.post("/admin/users/{user_id}/role")
async def change_role(
    request: Request, ctx: WebCtx, user_id: Id, role: Annotated[str, Form()] = ""
) -> Response:
    """The same rule as the API's: a role from the list, or none to take it away."""
    data = checked(RoleIn, {"role": role or None})
    await service.set_role(ctx, user_id, data.role)
    return redirect(request, f"/admin/users?saved={user_id}")
