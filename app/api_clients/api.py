"""The token endpoint for API clients, and the first route that asks for a client's token."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api_clients.deps import ClientCaller, require_scope
from app.api_clients.schemas import TokenOut, WhoAmIOut
from app.api_clients.server import token_response
from app.auth.deps import Now
from app.context import Context
from app.db import DbSession
from app.routing import CommittingRoute

# Public: a program has no session and no person's token; it authenticates with its client id
# and secret, which the endpoint itself checks (RFC 6749 section 4.4).
public_router = APIRouter(route_class=CommittingRoute, tags=["oauth"])

_TOKEN_REQUEST = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {
            "type": "string",
            "description": "Space-separated; leave out for every scope the client was given",
        },
        "client_id": {"type": "string", "description": "Instead of HTTP Basic"},
        "client_secret": {"type": "string", "description": "Instead of HTTP Basic"},
    },
}
_REFUSAL = (
    "RFC 6749 section 5.2: `error` and `error_description` beside `detail` and `code` (the "
    "same machine code)."
)


@public_router.post(
    "/oauth/token",
    response_model=TokenOut,
    summary="Get a bearer token with an API client's id and secret",
    responses={
        200: {
            "description": "A bearer token, good for `expires_in` seconds",
            "content": {
                "application/json": {
                    "example": {
                        "access_token": "uka_Qm9vZ3N0cmFhdCAxMiwgVm9vcmJlZWxkc3RhZA",
                        "token_type": "Bearer",
                        "expires_in": 900,
                        "scope": "ocds:read results:read",
                    }
                }
            },
        },
        400: {
            "description": "`invalid_request`, `unsupported_grant_type` or `invalid_scope` "
            "(a scope that does not exist or was not given to this client). " + _REFUSAL
        },
        401: {
            "description": "`invalid_client`: the client is unknown or disabled, or its secret "
            "is not correct. " + _REFUSAL
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": _TOKEN_REQUEST,
                    "examples": {
                        "basic": {
                            "summary": "Client id and secret by HTTP Basic (preferred)",
                            "description": '`curl -u "$CLIENT_ID:$CLIENT_SECRET" -d '
                            "grant_type=client_credentials -d scope=ocds:read "
                            "https://uitkomst.example.nl/oauth/token`",
                            "value": {"grant_type": "client_credentials", "scope": "ocds:read"},
                        },
                        "form": {
                            "summary": "Client id and secret as form fields",
                            "value": {
                                "grant_type": "client_credentials",
                                "client_id": "ukc_8Jw3Vb0yQ2m1c5XkqS7d1A",
                                "client_secret": "ukcs_…",
                            },
                        },
                    },
                }
            },
        }
    },
)
async def token(request: Request, db: DbSession, now: Now) -> JSONResponse:
    """The client-credentials grant (RFC 6749 section 4.4). Authenticate by HTTP Basic or with
    `client_id` and `client_secret` in the form; the token lasts minutes, not days."""
    settings = request.app.state.settings
    form = await request.form()
    uri = str(request.url)
    if not settings.secure_cookies:
        # Authlib refuses plain http outside loopback. Where the platform itself does not ask
        # for TLS (development, tests, a local demo) the check is left to the deployment.
        uri = str(request.url.replace(scheme="https"))
    answer = await token_response(
        Context(db=db, user=None, now=now),
        uri,
        request.headers,
        request.headers.get("content-type", ""),
        form,
        settings.api_token_seconds,
    )
    headers = {name: value for name, value in answer.headers if name.lower() != "content-type"}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


router = APIRouter(prefix="/api/v1/auditor", route_class=CommittingRoute, tags=["auditor"])


@router.get(
    "/whoami",
    response_model=WhoAmIOut,
    dependencies=[require_scope("ocds:read")],
    responses={429: {"description": "Too many requests from this client; see `Retry-After`"}},
)
async def whoami(caller: ClientCaller) -> WhoAmIOut:
    """The client a token belongs to and its scopes: for checking a set-up. A placeholder until
    the OCDS and results feeds, which will ask for their scopes the same way."""
    return WhoAmIOut(
        client_id=caller.client.client_id,
        name=caller.client.name,
        scopes=sorted(caller.scopes),
        token_expires_at=caller.expires_at,
    )
