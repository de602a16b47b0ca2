"""Plain ASGI middleware: per-request language, the CSRF cookie, the body size limit and the
security headers every response carries."""

import secrets
from http.cookies import SimpleCookie

from anyio.lowlevel import checkpoint
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.docs import DOCS_URL, OAUTH2_REDIRECT_URL, inline_script_hashes
from app.i18n import DEFAULT_LOCALE, LOCALES, set_locale, translate
from app.sealing import settings_of_app
from app.web import CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, render


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def _accept_language(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            first = value.decode("latin-1").split(",")[0].split(";")[0].strip().lower()
            return first[:2] if first[:2] in LOCALES else None
    return None


NO_COOKIE_PATHS = ("/api/", "/static/", "/healthz", "/openapi.json", "/oauth/")


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


class RequestLocaleAndCsrf:
    def __init__(self, app: ASGIApp, secure_cookies: bool = False, max_body: int = 0) -> None:
        self.app = app
        self.secure = "; Secure" if secure_cookies else ""
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        chosen = cookies.get(LANG_COOKIE)
        if chosen not in LOCALES:
            # Pages are Dutch until the user switches; programs may ask via Accept-Language.
            api = scope["path"].startswith(("/api/", "/oauth/"))
            chosen = (_accept_language(scope) if api else None) or DEFAULT_LOCALE
        set_locale(chosen)
        if self.max_body:
            if _content_length(scope) > self.max_body:
                # Refuse before reading: an oversized upload is never spooled to disk.
                await _too_large(scope, receive, send)
                return
            # Content-Length may also be absent (chunked) or dishonest: count what arrives.
            body = _CappedBody(receive, send, self.max_body)
            receive, send = body.receive, body.send
        nonce = cookies.get(CSRF_COOKIE)
        new_nonce = None
        if scope["path"].startswith(NO_COOKIE_PATHS):
            await self.app(scope, receive, send)
            return
        if not nonce or len(nonce) > 100:
            nonce = new_nonce = secrets.token_urlsafe(24)
        scope["csrf_nonce"] = nonce

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_nonce:
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie",
                    f"{CSRF_COOKIE}={new_nonce}; Path=/; HttpOnly; SameSite=Lax{self.secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class BodyTooLarge(HTTPException):
    """Raised from receive() once the body passes the limit; FastAPI passes HTTPExceptions on
    from body parsing (others become a 400), and the app's handler answers 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class _CappedBody:
    """receive() that raises BodyTooLarge once more than `limit` body bytes arrived, so the app
    answers 413 and nothing more is read or spooled.

    A response that listens for the client going away (file downloads) reads the body too, while
    it sends: once that response has started, the reader hears "disconnected" instead, which ends
    it, since a raise could no longer become a 413."""

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive = receive
        self._send = send
        self.limit = limit
        self.over = False
        self.received = 0
        self.started = False

    async def receive(self) -> Message:
        if not self.over:
            message = await self._receive()
            if message["type"] != "http.request":
                return message
            self.received += len(message.get("body", b""))
            self.over = self.received > self.limit
            if not self.over:
                return message
        await checkpoint()  # a response being started concurrently gets to send its start first
        if self.started:
            return {"type": "http.disconnect"}
        raise BodyTooLarge()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """The 413 the app's error handler would give: JSON for programs, a page for people."""
    message = translate("The request is too large.")
    if scope["path"].startswith(("/api/", "/oauth/")):
        response = JSONResponse({"detail": message, "code": "too_large"}, status_code=413)
    else:
        request = Request(scope, receive)
        page = {"status": 413, "message": message, "errors": {}}
        response = render(request, "errors/error.html", page, status_code=413)
    await response(scope, receive, send)


# No inline script or style anywhere: htmx's own indicator style is off (see base.html).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# Swagger UI (/api/docs) is served from this origin (app/docs.py); its two pages start with an
# inline script, which their policy allows by hash, exactly those and no other.
DOCS_PATHS = (DOCS_URL, OAUTH2_REDIRECT_URL)
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' {inline_script_hashes()}; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _has_header(scope: Scope, wanted: bytes) -> bool:
    return any(name == wanted for name, _value in scope.get("headers", []))


class SecurityHeaders:
    """CSP, framing, sniffing and referrer rules on every answer; HSTS over TLS; and no caching
    of anything shown to a signed-in user or to an API caller with credentials."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        csp = DOCS_CSP if path in DOCS_PATHS else CSP
        hsts = self.hsts or scope.get("scheme") == "https"
        no_store = (
            path.startswith("/oauth/")
            or (path.startswith("/api/") and _has_header(scope, b"authorization"))
            or (not path.startswith("/static/") and SESSION_COOKIE in _cookies(scope))
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AppSettings:
    """Sealing reads the settings of the app serving the request, not the process's defaults."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with settings_of_app(self.settings):
            await self.app(scope, receive, send)
