"""Every route for API clients answers a missing, wrong, narrow or exhausted token alike: 401
without a token (or with a person's, or a disabled client's), 403 `insufficient_scope` without
the route's scope, 429 with `Retry-After` when the client asks too often."""

import pytest

from app.api_clients import service
from app.api_clients.limiter import FixedWindowLimiter
from app.organisations.models import OrganisationKind, Role
from tests.audit.world import bearer, client_token, register

NONCE = "0" * 32
# (method, path, the scope it needs)
ROUTES = [
    ("GET", "/api/v1/auditor/audit/streams", "audit:read"),
    ("GET", "/api/v1/auditor/audit/events?stream=platform&after=0&limit=10", "audit:read"),
    ("GET", "/api/v1/auditor/audit/verify", "audit:read"),
    ("POST", "/api/v1/auditor/audit/verify", "audit:read"),
    ("GET", "/api/v1/auditor/audit/checkpoint", "audit:read"),
    ("GET", f"/api/v1/auditor/audit/checkpoint/salt?challenge_id=1&nonce={NONCE}", "audit:read"),
    ("GET", "/api/v1/auditor/results", "results:read"),
    ("GET", "/api/v1/auditor/results?format=csv", "results:read"),
    ("GET", "/api/v1/auditor/whoami", "ocds:read"),
]
IDS = [f"{method} {path.split('?')[0]}" + ("?" in path) * " (query)" for method, path, _ in ROUTES]
OTHER = {"audit:read": "results:read", "results:read": "ocds:read", "ocds:read": "audit:read"}


@pytest.fixture
async def admin(make):
    return await make.user(Role.admin, org=await make.org(OrganisationKind.municipality))


async def ask(client, method: str, path: str, headers: dict):
    body = None
    if method == "POST":  # a well-formed checkpoint, so only the token decides
        body = (await client.get("/api/v1/audit/checkpoint")).json()
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES, ids=IDS)
async def test_without_a_token_401(client, method, path, scope):
    refused = await ask(client, method, path, {})
    assert refused.status_code == 401, refused.text
    assert refused.json()["code"] == "missing_token"
    assert refused.headers["www-authenticate"] == 'Bearer realm="uitkomst"'


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES, ids=IDS)
async def test_a_persons_token_is_not_a_clients_401(client, make, method, path, scope):
    auditor = await make.user(Role.auditor, org=await make.org(OrganisationKind.municipality))
    refused = await ask(client, method, path, bearer(await make.token(auditor)))
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES, ids=IDS)
async def test_the_right_scope_reads_the_wrong_one_403(client, make, admin, method, path, scope):
    credentials = await register(make, admin, f"{scope} {OTHER[scope]}")
    allowed = await ask(client, method, path, await client_token(client, credentials))
    assert allowed.status_code in (200, 404), allowed.text  # 404: no such challenge's salt
    narrow, secret = await register(make, admin, OTHER[scope])
    refused = await ask(client, method, path, await client_token(client, (narrow, secret)))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "insufficient_scope"
    assert f'scope="{scope}"' in refused.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES, ids=IDS)
async def test_a_disabled_clients_token_401(client, make, admin, method, path, scope):
    client_id, secret = await register(make, admin, scope)
    headers = await client_token(client, (client_id, secret))
    assert (await ask(client, method, path, headers)).status_code in (200, 404)
    await service.disable_client(make.ctx(admin), client_id)
    refused = await ask(client, method, path, headers)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES, ids=IDS)
async def test_too_many_requests_429_with_retry_after(
    app, client, make, admin, method, path, scope
):
    app.state.api_rate_limiter = FixedWindowLimiter(limit=2, seconds=60)
    headers = await client_token(client, await register(make, admin, scope))
    for _ in range(2):
        assert (await ask(client, method, path, headers)).status_code in (200, 404)
    refused = await ask(client, method, path, headers)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
