"""The admin's page of their organisation's API clients: register, disable, rotate.

A new secret is shown on the page that answers the POST itself, not after a redirect: it must
not travel in a URL nor be kept anywhere to show later (the answer is never cached)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.api_clients import service
from app.api_clients.models import SCOPES
from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.context import Context
from app.errors import ValidationFailed
from app.routing import CommittingRoute
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)


async def _page(
    request: Request, ctx: Context, status_code: int = 200, **extra: object
) -> Response:
    context = {
        "clients": await service.list_clients(ctx),
        "scopes": SCOPES,
        "errors": {},
        "token_minutes": request.app.state.settings.api_token_seconds // 60,
    }
    context.setdefault("values", {"scopes": []})
    return render(request, "api_clients/clients.html", context | extra, status_code=status_code)


@router.get("/admin/api-clients")
async def clients_page(request: Request, ctx: WebCtx, disabled: str | None = None) -> Response:
    return await _page(request, ctx, disabled=disabled)


@router.post("/admin/api-clients")
async def register_client(
    request: Request,
    ctx: WebCtx,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {"name": name, "scopes": scopes or []}
    try:
        client, secret = await service.create_client(ctx, values)
    except ValidationFailed as failed:
        return await _page(request, ctx, 422, errors=failed.field_texts(), values=values)
    return await _page(request, ctx, 201, secret=secret, shown=client)


@router.post("/admin/api-clients/{client_id}/rotate")
async def rotate_secret(request: Request, ctx: WebCtx, client_id: str) -> Response:
    client, secret = await service.rotate_secret(ctx, client_id)
    return await _page(request, ctx, secret=secret, shown=client, rotated=True)


@router.post("/admin/api-clients/{client_id}/disable")
async def disable_client(request: Request, ctx: WebCtx, client_id: str) -> Response:
    await service.disable_client(ctx, client_id)
    return redirect(request, f"/admin/api-clients?disabled={client_id}")
