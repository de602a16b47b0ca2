"""Who is calling and what time it is, for pages (session cookie) and the API (bearer token)."""

import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

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
