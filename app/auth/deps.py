"""Who is calling and what time it is, for pages (session cookie) and the API (bearer token)."""

import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam

from app.auth.service import user_for_api_token, user_for_session
from app.clock import stored_offset
from app.context import Context
from app.db import DbSession
from app.errors import Forbidden, Unauthenticated
from app.web import SESSION_COOKIE, csrf_valid

_OFFSET_TTL = 2.0


async def platform_clock(request: Request, db: DbSession) -> Callable[[], datetime]:
    """The platform clock; in demo mode shifted by the offset `clock advance` stored."""
    state = request.app.state
    if not state.settings.demo_mode:
        return state.clock.now
    cached = getattr(state, "clock_offset_cache", None)
    if cached is None or time.monotonic() - cached[0] > _OFFSET_TTL:
        cached = (time.monotonic(), await stored_offset(db))
        state.clock_offset_cache = cached
    offset = cached[1]
    return lambda: state.clock.now() + offset


PlatformClock = Annotated[Callable[[], datetime], Depends(platform_clock)]


async def current_time(clock: PlatformClock) -> datetime:
    return clock()


Now = Annotated[datetime, Depends(current_time)]


async def web_context(request: Request, db: DbSession, now: Now, clock: PlatformClock) -> Context:
    token = request.cookies.get(SESSION_COOKIE)
    user = await user_for_session(db, token, now) if token else None
    request.state.user = user
    request.state.now = now
    return Context(db=db, user=user, now=now, clock=clock)


async def verify_csrf(request: Request) -> None:
    """Every state-changing form carries the CSRF token (form field or htmx header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = request.headers.get("X-CSRF-Token")
    if not submitted:
        form = await request.form()
        value = form.get("csrf_token")
        submitted = value if isinstance(value, str) else None
    if not csrf_valid(request, submitted):
        raise Forbidden(
            "The form has expired or did not come from this site. Reload the page and try again.",
            code="csrf_failed",
        )


async def api_context(request: Request, db: DbSession, now: Now, clock: PlatformClock) -> Context:
    header = request.headers.get("Authorization", "")
    user = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Use 'Authorization: Bearer <token>'.", code="bad_authorization")
        user = await user_for_api_token(db, token.strip())
        if user is None:
            raise Unauthenticated("The API token is unknown or revoked.", code="bad_token")
    request.state.user = user
    return Context(db=db, user=user, now=now, clock=clock)


WebCtx = Annotated[Context, Depends(web_context)]
ApiCtx = Annotated[Context, Depends(api_context)]


# --- signed in by default ----------------------------------------------------------------------
# Every router takes SIGNED_IN_PAGES or SIGNED_IN_API; public routes sit on a router named
# public_router that says why. The check runs before the body is read into the endpoint's
# parameters, so an anonymous caller hears "sign in" and never "your input is invalid".


async def signed_in_page(ctx: WebCtx) -> None:
    """Anonymous: a page redirects to /login, a form answers 401 (see app.main)."""
    if ctx.user is None:
        raise Unauthenticated("Please sign in first.")


async def signed_in_api(ctx: ApiCtx) -> None:
    if ctx.user is None:
        raise Unauthenticated("Please sign in first.")


SIGNED_IN_PAGES = [Depends(signed_in_page), Depends(verify_csrf)]
PUBLIC_PAGES = [Depends(verify_csrf)]
SIGNED_IN_API = [Depends(signed_in_api)]
_SIGN_IN_CHECKS = (signed_in_page, signed_in_api)


def requires_client_token(route: object) -> bool:
    """Whether a route answers only to an API client's token (app.api_clients.deps)."""
    return any(
        isinstance(dep, DependsParam) and getattr(dep.dependency, "requires_credentials", False)
        for dep in getattr(route, "dependencies", ())
    )


def requires_sign_in(route: object) -> bool:
    """Whether a route sits behind one of the sign-in checks above."""
    return any(
        isinstance(dep, DependsParam)
        and (
            dep.dependency in _SIGN_IN_CHECKS
            # an API client's token (app.api_clients.deps.require_scope)
            or getattr(dep.dependency, "requires_credentials", False)
        )
        for dep in getattr(route, "dependencies", ())
    )


def anonymous_behind_sign_in(request: Request) -> bool:
    """A request to a signed-in route that brought no credentials at all; for an error raised
    before the route's dependencies ran (FastAPI reads a JSON body before them)."""
    if not requires_sign_in(request.scope.get("route")):
        return False
    if request.url.path.startswith("/api/"):
        return not request.headers.get("Authorization")
    return not request.cookies.get(SESSION_COOKIE)
