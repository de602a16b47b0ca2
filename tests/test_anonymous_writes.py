"""Signed in by default: every route asks for sign-in unless it is listed here as public, and an
anonymous write hears "sign in" (401) before anything about its body."""

import re

import pytest
from fastapi.routing import APIRoute

from app.auth.deps import requires_sign_in

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI before routers were included lazily: app.routes is flat

    def iter_route_contexts(routes):  # type: ignore[no-redef]
        return iter(routes)


# Every route open to anyone not signed in, with the reason. Anything else asks for sign-in.
PUBLIC = {
    "GET /healthz": "the load balancer's probe",
    "GET /api/docs": "the API's documentation (Swagger UI)",
    "GET /docs/oauth2-redirect": "its sign-in return page",
    "GET /": "the list of published challenges",
    "GET /challenges": "the list of published challenges",
    "GET /challenges/{challenge_id}": "a published challenge is public",
    "GET /challenges/{challenge_id}/attachments/{attachment_id}": "its documents too",
    "GET /api/v1/challenges": "the same, for programs",
    "GET /api/v1/challenges/{challenge_id}": "the same, for programs",
    "GET /api/v1/challenges/{challenge_id}/amendments": "amendments of a published challenge",
    "GET /api/v1/challenges/{challenge_id}/questions": "answered questions are public",
    "GET /api/v1/challenges/{challenge_id}/attachments/{attachment_id}": "its documents",
    "GET /contracts": "contracts are published information",
    "GET /contracts/{contract_id}": "one contract's summary",
    "GET /api/v1/contracts": "the same, for programs",
    "GET /api/v1/contracts/{contract_id}": "the same, for programs",
    "GET /api/v1/challenges/{challenge_id}/award": "the award, once contracted, is published",
    "GET /api/v1/contracts/{contract_id}/results": "accepted results are public (small counts <5)",
    "GET /api/v1/contracts/{contract_id}/payments": "payments due, paid and open are public",
    "GET /api/v1/audit/checkpoint": "anyone keeps signed checkpoints",
    "GET /api/v1/ocds/releases": "OCDS open data: the release feed",
    "GET /api/v1/ocds/releases.jsonl": "OCDS open data: the bulk download",
    "GET /api/v1/ocds/releases.zip": "OCDS open data: the bulk download, zipped",
    "GET /api/v1/ocds/records/{ocid}": "OCDS open data: one process's record",
    "GET /api/v1/audit/public-key": "anyone checks them",
    "GET /login": "signing in",
    "POST /login": "signing in",
    "POST /logout": "signing out works without a session too",
    "GET /lang/{code}": "choosing the language",
    "GET /auth/oidc/{name}/login": "signing in with an identity provider",
    "GET /auth/oidc/{name}/callback": "its return",
    "POST /oauth/token": "API clients authenticate with their id and secret, not a session",
}
# Public writes (their reasons above). Every other write is refused to an anonymous caller. The
# OpenAPI description FastAPI serves itself (/openapi.json) is public and writes nothing.
PUBLIC_WRITES = {"POST /login", "POST /logout", "POST /oauth/token"}


def _routes(app) -> list[tuple[str, APIRoute]]:
    found = []
    for route in iter_route_contexts(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                found.append((f"{method} {route.path_format}", route))
    return found


def _fill(path: str) -> str:
    """A path with every parameter filled in with a value of a plausible shape."""
    values = {
        "coalition_id": "00000000-0000-4000-8000-000000000000",
        "sha256": "0" * 64,
        "code": "nl",
        "name": "none",
    }
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "1"), path)


def test_every_route_is_signed_in_unless_listed_public(app):
    routes = _routes(app)
    public = {key for key, route in routes if not requires_sign_in(route)}
    assert public == set(PUBLIC)
    assert {key for key, _route in routes} >= set(PUBLIC), "a listed public route is gone"


def _api_writes(app) -> list[tuple[str, str]]:
    schema = app.openapi()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    ]


def test_the_openapi_description_has_writes(app):
    assert len(_api_writes(app)) > 15


BODIES = {
    "empty": {},
    "invalid JSON": {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
    "empty JSON": {"json": {}},
    "broken multipart": {
        "content": b"--x\r\nbroken",
        "headers": {"Content-Type": "multipart/form-data; boundary=x"},
    },
}


@pytest.mark.parametrize("body", list(BODIES))
async def test_every_api_write_asks_an_anonymous_caller_to_sign_in(app, client, body):
    """401 with the JSON error body, never 422 about a body nobody may send."""
    answers = {}
    for method, path in _api_writes(app):
        if f"{method} {path}" in PUBLIC_WRITES:
            continue
        response = await client.request(method, _fill(path), **BODIES[body])
        answers[f"{method} {path}"] = (response.status_code, response.json().get("code"))
    wrong = {key: answer for key, answer in answers.items() if answer != _sign_in(key)}
    assert wrong == {}


def _sign_in(key: str) -> tuple[int, str]:
    """What "sign in" is: an API client's route asks for the client's token, the others for a
    person's session or token."""
    if " /api/v1/auditor/" in key:
        return (401, "missing_token")
    return (401, "not_authenticated")


@pytest.mark.parametrize("body", ["empty", "broken multipart"])
async def test_every_form_answers_an_anonymous_caller_like_a_signed_out_user(app, client, body):
    """A form posted by someone not signed in is 401 (the sign-in page), not 404 or 422."""
    answers = {}
    for key, _route in _routes(app):
        method, path = key.split(" ", 1)
        if method != "POST" or path.startswith("/api/") or key in PUBLIC_WRITES:
            continue
        response = await client.post(_fill(path), **BODIES[body])
        answers[key] = response.status_code
    assert answers and {key: s for key, s in answers.items() if s != 401} == {}
