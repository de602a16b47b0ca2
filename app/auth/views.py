"""Sign in with a local account, sign out, and switch the language."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import oidc, service
from app.auth.deps import PUBLIC_PAGES, WebCtx
from app.auth.devices import read_device, remember_device
from app.config import Settings
from app.errors import DomainError
from app.i18n import LOCALES
from app.routing import CommittingRoute
from app.web import LANG_COOKIE, SESSION_COOKIE, redirect, render

# Public: signing in and out, and choosing the language.
router = APIRouter(route_class=CommittingRoute, dependencies=PUBLIC_PAGES, include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only local paths, so the sign-in page cannot be used to send people elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def client_ip(request: Request) -> str:
    """The connection's peer; uvicorn puts a proxy's X-Forwarded-For here only when that proxy is
    in FORWARDED_ALLOW_IPS, so a client cannot pick its own address to dodge the throttle."""
    return request.client.host if request.client else "unknown"


def login_page_response(
    request: Request,
    next: str | None,
    *,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The sign-in page: a button per identity provider, then the local account form."""
    context = {
        "next": safe_next(next),
        "email": email,
        "error": error,
        "providers": list(request.app.state.oidc_providers.values()),
    }
    return render(request, "auth/login.html", context, status_code=status_code)


@router.get("/login")
async def login_page(request: Request, ctx: WebCtx, next: str | None = None) -> Response:
    return login_page_response(request, next)


@router.post("/login")
async def login(
    request: Request,
    ctx: WebCtx,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    settings = request.app.state.settings
    device = read_device(request, settings, ctx.now)
    try:
        user = await service.authenticate(
            ctx.db,
            settings,
            email=email,
            password=password,
            ip=client_ip(request),
            now=ctx.now,
            device=device,
        )
    except DomainError as error:
        # Render (not raise) so the failed attempt is committed and counts towards the throttle.
        return login_page_response(
            request, next, email=email, error=error.text(), status_code=error.status
        )
    token = await service.start_session(ctx.db, user, ctx.now, settings.session_days)
    response = with_session_cookie(redirect(request, safe_next(next)), token, settings)
    return remember_device(response, settings, device, user.id, ctx.now)


def with_session_cookie(response: Response, token: str, settings: Settings) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.post("/logout")
async def logout(request: Request, ctx: WebCtx) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    ended = await service.end_session(ctx.db, token, ctx.now) if token else None
    target = "/"
    if ended is not None and ended.oidc_provider:
        # Signed in through an identity provider: let it end its session too, where it can.
        target = await oidc.end_session_url(request, ended.oidc_provider, ended.id_token) or "/"
    response = redirect(request, target)
    secure = request.app.state.settings.secure_cookies
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=secure)
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        secure = request.app.state.settings.secure_cookies
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure)
    return response
