"""The OAuth2 token endpoint (RFC 6749 section 4.4, client credentials), made by Authlib.

Authlib has no FastAPI integration, and its server is synchronous while the database is not.
So this thin adapter works in three steps, per request:
1. read the form and load (async) the clients the request names, by HTTP Basic or form fields;
2. run Authlib's `AuthorizationServer` with a `ClientCredentialsGrant` over that snapshot:
   Authlib authenticates the client, checks the grant type and the scope, makes the token and
   hands it to `save_token`, which only keeps it;
3. store the kept token's hash (async) and answer Authlib's (status, body, headers).
Every refusal is Authlib's RFC 6749 section 5.2 body (`error`, `error_description`) with the
platform's own `detail` (in the caller's language) and `code` beside it.
"""

from dataclasses import dataclass
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InsecureTransportError,
    InvalidScopeError,
    OAuth2Payload,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import extract_basic_authorization, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from starlette.datastructures import FormData, Headers

from app.api_clients import service
from app.api_clients.models import SCOPES, ApiClient
from app.context import Context
from app.i18n import translate

# The platform's words for each RFC 6749 error code, in `detail`.
_MESSAGES = {
    "invalid_client": "The client is unknown or disabled, or its secret is not correct.",
    "invalid_scope": "The scope asked for is unknown, or was not given to this client.",
    "unsupported_grant_type": "Only grant_type=client_credentials is supported.",
    "invalid_request": "The token request is not valid: send grant_type=client_credentials "
    "as a form (application/x-www-form-urlencoded).",
    "insecure_transport": "Ask for tokens over HTTPS.",
}
_FORM = "application/x-www-form-urlencoded"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


class _Client(ClientMixin):
    """A stored client as Authlib asks about it: confidential, client credentials only."""

    def __init__(self, row: ApiClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return service.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        """No scope asked: all the client was given (checked against it already)."""
        return " ".join(scope_to_list(scope)) if scope else self.row.scopes


class _Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()  # authenticates, then checks the scopes are known
        asked = set(scope_to_list(self.request.payload.scope) or [])
        beyond = asked - set(self.request.client.row.scope_list)
        if beyond:
            raise InvalidScopeError(
                description=f"This client was not given: {' '.join(sorted(beyond))}."
            )


class _Payload(OAuth2Payload):
    def __init__(self, form: FormData) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return {key: value for key, value in self._form.items() if isinstance(value, str)}

    @property
    def datalist(self) -> dict[str, list]:
        return {key: self._form.getlist(key) for key in self._form.keys()}


class _Request(OAuth2Request):
    def __init__(self, uri: str, headers: Headers, form: FormData) -> None:
        super().__init__("POST", uri, headers=headers)
        self.payload = _Payload(form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


class _TokenServer(AuthorizationServer):
    """One request's server, over the clients loaded for it; it keeps what it issues."""

    def __init__(self, clients: dict[str, ApiClient], seconds: int) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.clients = clients
        self.issued: list[tuple[ApiClient, dict[str, Any]]] = []
        self.register_grant(_Grant)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: service.new_access_token(),
                expires_generator=seconds,
            ),
        )

    def query_client(self, client_id: str) -> _Client | None:
        row = self.clients.get(client_id)
        return _Client(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.issued.append((request.client.row, token))

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> Answer:
        return Answer(status, body, headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: nothing listens."""


def _refusal(error: str, description: str, status: int = 400) -> Answer:
    body = {"error": error, "error_description": description}
    return Answer(status, body, [("Cache-Control", "no-store"), ("Pragma", "no-cache")])


def _in_platform_words(answer: Answer) -> Answer:
    error = answer.body.get("error")
    if error is None:
        return answer
    message = _MESSAGES.get(error, "The token request was refused.")
    answer.body.setdefault("error_description", message)  # RFC 6749: ASCII, for developers
    answer.body["detail"] = translate(message)
    answer.body["code"] = error
    if error == "invalid_client":
        # RFC 6749 section 5.2 lets a server always answer 401; the platform does, so a wrong
        # secret sounds the same whichever way it was sent.
        answer.status = 401
        if not any(name == "WWW-Authenticate" for name, _ in answer.headers):
            answer.headers.append(("WWW-Authenticate", 'Basic realm="uitkomst"'))
    return answer


async def token_response(
    ctx: Context, uri: str, headers: Headers, content_type: str, form: FormData, seconds: int
) -> Answer:
    """The token endpoint's answer to one request (its form already read)."""
    if content_type.split(";")[0].strip().lower() != _FORM:
        return _in_platform_words(_refusal("invalid_request", f"The body must be {_FORM}."))
    try:
        basic_id, _secret = extract_basic_authorization(headers)
    except UnicodeDecodeError:
        return _in_platform_words(
            _refusal("invalid_client", "The Authorization header cannot be read.")
        )
    named = {basic_id, form.get("client_id")} - {None, ""}
    wanted = {value for value in named if isinstance(value, str) and len(value) <= 64}
    try:
        request = _Request(uri, headers, form)
    except InsecureTransportError as error:
        return _in_platform_words(Answer(*error()))
    server = _TokenServer(await service.active_clients(ctx, wanted), seconds)
    answer = server.create_token_response(request)
    for client, token in server.issued:
        await service.save_token(ctx, client, token["access_token"], token["scope"], seconds)
    return _in_platform_words(answer)
