"""create_app(): the one place the application is assembled."""

import logging
import os
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from app.api_clients import api as api_clients_api
from app.api_clients import views as api_clients_views
from app.api_clients.deps import missing_token
from app.api_clients.limiter import FixedWindowLimiter
from app.audit import api as audit_api
from app.audit import client_api as audit_client_api
from app.auth import oidc, oidc_views
from app.auth import views as auth_views
from app.auth.deps import anonymous_behind_sign_in, requires_client_token
from app.awards import api as awards_api
from app.awards import views as awards_views
from app.challenges import api as challenges_api
from app.challenges import views as challenges_views
from app.clock import Clock
from app.coalitions import api as coalitions_api
from app.coalitions import views as coalitions_views
from app.config import ROOT, Settings, get_settings
from app.contracts import api as contracts_api
from app.contracts import views as contracts_views
from app.db import create_engine, install_database
from app.docs import install_docs
from app.documents.store import LocalDocumentStore
from app.errors import DomainError, Unauthenticated, ValidationFailed
from app.evaluation import api as evaluation_api
from app.evaluation import committee_views, report_views
from app.evaluation import views as evaluation_views
from app.i18n import translate
from app.middleware import AppSettings, RequestLocaleAndCsrf, SecurityHeaders
from app.ocds import api as ocds_api
from app.openapi import install_openapi
from app.organisations import api as organisations_api
from app.organisations import views as organisations_views
from app.proposals import api as proposals_api
from app.proposals import views as proposals_views
from app.results import api as results_api
from app.results import feed_api as results_feed_api
from app.results import portfolio_api, portfolio_views
from app.results import views as results_views
from app.scenarios import api as scenarios_api
from app.scenarios import views as scenarios_views
from app.validation import field_errors
from app.web import render

log = logging.getLogger("uitkomst")

_HTTP_MESSAGES = {
    400: ("The request could not be read.", "bad_request"),
    404: ("This page does not exist.", "not_found"),
    405: ("This method is not allowed here.", "method_not_allowed"),
    413: ("The request is too large.", "too_large"),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/oauth/"))


def _error_response(
    request: Request, status: int, message: str, code: str, errors: dict | None = None
) -> Response:
    if _wants_json(request):
        body = {"detail": message, "code": code}
        if errors:
            body["errors"] = errors
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "errors/error.html",
        {"status": status, "message": message, "errors": errors or {}},
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if (
            isinstance(exc, Unauthenticated)
            and request.method == "GET"
            and not _wants_json(request)
        ):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        errors = exc.field_texts() if isinstance(exc, ValidationFailed) else None
        response = _error_response(request, exc.status, exc.text(), exc.code, errors)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if anonymous_behind_sign_in(request):  # the body failed before the sign-in check ran
            if requires_client_token(request.scope.get("route")):
                return await domain_error(request, missing_token())
            return await domain_error(request, Unauthenticated("Please sign in first."))
        if not _wants_json(request):
            return _error_response(
                request, 404, translate("This page does not exist."), "not_found"
            )
        errors = field_errors(exc.errors())
        return _error_response(
            request,
            422,
            translate("The request is not valid."),
            "validation_error",
            {name: str(text) for name, text in errors.items()},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message, code = _HTTP_MESSAGES.get(exc.status_code, ("The request failed.", "http_error"))
        return _error_response(request, exc.status_code, translate(message), code)

    @app.exception_handler(DBAPIError)
    async def unstorable(request: Request, exc: DBAPIError) -> Response:
        """A value the validation let through but the database refuses (e.g. a NUL character)."""
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if "database is locked" in str(exc.orig):
            # SQLite's writers queue for up to busy_timeout; past that, ask to come back.
            log.warning("database busy on %s %s", request.method, request.url.path)
            response = _error_response(
                request,
                503,
                translate("The platform is very busy. Nothing was saved; please try again."),
                "busy",
            )
            response.headers["Retry-After"] = "5"
            return response
        if not (isinstance(exc, DataError) or sqlstate.startswith("22")):  # 22: data exception
            return await unexpected(request, exc)
        log.warning("database refused input on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(
            request,
            422,
            translate("The input contains characters or values that cannot be stored."),
            "unstorable_input",
        )

    @app.exception_handler(StatementError)
    async def unsendable(request: Request, exc: StatementError) -> Response:
        """A value that could not even be bound to the statement."""
        if isinstance(exc.orig, OverflowError):
            return await out_of_range(request, exc.orig)
        return await unexpected(request, exc)

    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, exc: OverflowError) -> Response:
        """A number or date beyond what the database or the calendar holds (SQLite refuses
        integers past 64 bits in the driver, before the database sees them)."""
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(
            request,
            422,
            translate("The input contains characters or values that cannot be stored."),
            "unstorable_input",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(
            request,
            500,
            translate("Something went wrong on our side. Nothing was saved."),
            "internal_error",
        )


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owns_engine = not hasattr(app.state, "sessionmaker")
        if owns_engine:
            install_database(app.state, create_engine(settings.database_url))
        yield
        if owns_engine:
            await app.state.engine.dispose()

    app = FastAPI(
        title="Uitkomst",
        version="0.1.0",
        summary="Outcome-based commissioning: challenges, joint proposals, results.",
        lifespan=lifespan,
        docs_url=None,  # app/docs.py serves Swagger UI from the app itself
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or Clock()
    app.state.documents = LocalDocumentStore(settings.documents_dir)
    app.state.api_rate_limiter = FixedWindowLimiter(
        settings.api_rate_limit, settings.api_rate_window_seconds
    )
    oidc.configure(app, oidc.providers_from_env(os.environ))
    app.add_middleware(
        RequestLocaleAndCsrf,
        secure_cookies=settings.secure_cookies,
        max_body=settings.max_upload_bytes + 1024 * 1024,
    )
    # Only the OpenID Connect flow keeps state here (state, nonce, PKCE verifier), briefly.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="uk_oidc",
        max_age=oidc.FLOW_SECONDS,
        path="/auth/oidc",
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.add_middleware(AppSettings, settings=settings)
    install_error_handlers(app)
    install_openapi(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(auth_views.router)
    app.include_router(oidc_views.router)
    app.include_router(organisations_views.router)
    app.include_router(organisations_api.router)
    app.include_router(challenges_views.router)
    app.include_router(challenges_views.public_router)  # after /challenges/new
    app.include_router(challenges_api.router)
    app.include_router(challenges_api.public_router)
    app.include_router(audit_api.router)
    app.include_router(audit_api.public_router)
    app.include_router(audit_client_api.router)
    app.include_router(coalitions_views.router)
    app.include_router(coalitions_api.router)
    app.include_router(proposals_views.router)
    app.include_router(proposals_api.router)
    app.include_router(contracts_views.public_router)
    app.include_router(contracts_api.public_router)
    app.include_router(ocds_api.public_router)
    app.include_router(evaluation_api.router)
    app.include_router(awards_api.router)
    app.include_router(awards_api.public_router)
    app.include_router(awards_views.router)
    app.include_router(evaluation_views.router)
    app.include_router(results_api.router)
    app.include_router(results_api.public_router)
    app.include_router(results_api.auditor_router)
    app.include_router(results_feed_api.router)
    app.include_router(results_views.router)
    app.include_router(portfolio_views.router)
    app.include_router(portfolio_api.router)
    app.include_router(scenarios_api.router)
    app.include_router(scenarios_views.router)
    app.include_router(api_clients_api.public_router)
    app.include_router(api_clients_api.router)
    app.include_router(api_clients_views.router)
    app.include_router(committee_views.router)
    app.include_router(report_views.router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    return app
