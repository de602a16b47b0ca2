"""What API routes for clients depend on: a valid client token with the scope they need.

Authlib's ResourceProtector is synchronous, so the resource side is FastAPI's own OAuth2
security scheme (it also documents the client-credentials flow in OpenAPI) over an async
lookup of the token's hash. Answers follow RFC 6750 section 3: 401 with `WWW-Authenticate`
for a missing, malformed, unknown or expired token; 403 `insufficient_scope`; and 429 with
`Retry-After` when the client asks too often.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.params import Security as SecurityParam
from fastapi.security import OAuth2, SecurityScopes

from app.api_clients import service
from app.api_clients.models import SCOPES, ApiClient
from app.auth.deps import Now
from app.context import Context
from app.db import DbSession
from app.errors import Forbidden, TooManyRequests, Unauthenticated

REALM = 'realm="uitkomst"'

client_credentials = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=SCOPES)
    ),
    scheme_name="ApiClient",
    description="A registered API client's bearer token, from `POST /oauth/token`.",
    auto_error=False,
)


@dataclass(frozen=True)
class ClientAccess:
    """The client a request comes from, and what its token lets it read."""

    client: ApiClient
    scopes: frozenset[str]
    expires_at: datetime


def _refused_token(message: str, code: str, error: str | None) -> Unauthenticated:
    challenge = f"Bearer {REALM}" + (f', error="{error}"' if error else "")
    return Unauthenticated(message, code=code, headers={"WWW-Authenticate": challenge})


def missing_token() -> Unauthenticated:
    """No token at all: the same answer whether or not the request's body could be read."""
    return _refused_token(
        "Send an API client's bearer token; get one from POST /oauth/token.",
        "missing_token",
        None,
    )


async def client_access(
    request: Request,
    security_scopes: SecurityScopes,
    db: DbSession,
    now: Now,
    authorization: Annotated[str | None, Depends(client_credentials)],
) -> ClientAccess:
    if not authorization:
        raise missing_token()
    scheme, _, token = authorization.partition(" ")
    found = None
    if scheme.lower() == "bearer" and token.strip():
        found = await service.token_holder(Context(db=db, user=None, now=now), token.strip())
    if found is None:
        raise _refused_token(
            "The token is unknown, expired or revoked; get a new one from POST /oauth/token.",
            "invalid_token",
            "invalid_token",
        )
    client, issued = found
    wait = request.app.state.api_rate_limiter.hit(client.client_id, now)
    if wait is not None:
        raise TooManyRequests(
            "Too many requests from this API client. Try again in %(seconds)s seconds.",
            code="rate_limited",
            headers={"Retry-After": str(wait)},
            seconds=wait,
        )
    granted = frozenset(issued.scopes.split())
    missing = sorted(set(security_scopes.scopes) - granted)
    if missing:
        needed = " ".join(missing)
        raise Forbidden(
            "This token does not have the scope %(scope)s that this needs.",
            code="insufficient_scope",
            headers={
                "WWW-Authenticate": f'Bearer {REALM}, error="insufficient_scope", scope="{needed}"'
            },
            scope=needed,
        )
    access = ClientAccess(client=client, scopes=granted, expires_at=issued.expires_at)
    request.state.client_access = access
    return access


# A route behind it is not public (see app.auth.deps.requires_sign_in).
client_access.requires_credentials = True  # type: ignore[attr-defined]


def require_scope(*scopes: str) -> SecurityParam:
    """For a route's `dependencies`: a client token holding every one of these scopes."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}")
    return Security(client_access, scopes=list(scopes))


async def _current(request: Request) -> ClientAccess:
    return request.state.client_access


# The checked client, in an endpoint behind `require_scope(...)`.
ClientCaller = Annotated[ClientAccess, Depends(_current)]
