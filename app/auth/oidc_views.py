"""Sign in through the organisation's own identity provider (OpenID Connect).

Both routes are GETs: the first is a link on the sign-in page, the second the provider's redirect
back. The state, nonce and PKCE verifier travel in a short-lived signed cookie (SessionMiddleware,
path /auth/oidc) and bind the callback to the browser that started the flow.
"""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import identities, oidc, service
from app.auth.deps import WebCtx
from app.auth.devices import read_device, remember_device
from app.auth.views import login_page_response, safe_next, with_session_cookie
from app.db import writes_on_read
from app.errors import DomainError
from app.routing import CommittingRoute

# Public: signing in with an identity provider.
router = APIRouter(prefix="/auth/oidc", route_class=CommittingRoute, include_in_schema=False)

_NEXT = "uk_next"


@router.get("/{name}/login")
async def oidc_login(request: Request, ctx: WebCtx, name: str, next: str | None = None) -> Response:
    try:
        provider, client = oidc.provider_for(request, name)
        response = await oidc.begin(request, provider, client)
    except DomainError as error:
        return login_page_response(request, next, error=error.text(), status_code=error.status)
    request.session[_NEXT] = safe_next(next)
    return response


@router.get("/{name}/callback")
@writes_on_read
async def oidc_callback(request: Request, ctx: WebCtx, name: str) -> Response:
    next = safe_next(request.session.pop(_NEXT, None))
    try:
        provider, client = oidc.provider_for(request, name)
        identity = await oidc.complete(request, provider, client)
        user = await identities.account_for(ctx.db, provider, identity, ctx.now)
    except DomainError as error:
        return login_page_response(request, next, error=error.text(), status_code=error.status)
    settings = request.app.state.settings
    token = await service.start_session(
        ctx.db,
        user,
        ctx.now,
        settings.session_days,
        oidc_provider=provider.name,
        id_token=identity.id_token,
    )
    response = with_session_cookie(RedirectResponse(next, status_code=303), token, settings)
    # Never held by the password lock; and from now on a known device for the password too.
    device = read_device(request, settings, ctx.now)
    return remember_device(response, settings, device, user.id, ctx.now)
