"""POST /oauth/token (RFC 6749 section 4.4) and a route that asks for a client's token."""

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.api_clients import service
from app.api_clients.limiter import FixedWindowLimiter
from app.api_clients.models import ClientToken
from app.auth.service import token_hash
from app.organisations.models import OrganisationKind, Role

WHOAMI = "/api/v1/auditor/whoami"


@pytest.fixture
async def registered(make):
    """An enabled client with ocds:read and results:read; returns (client, secret)."""
    admin = await make.user(Role.admin, org=await make.org(OrganisationKind.municipality))
    return await service.create_client(
        make.ctx(admin), {"name": "Rekenkamer Voorbeeldstad", "scopes": "ocds:read results:read"}
    )


async def get_token(client, client_id, secret, *, basic=True, **form) -> httpx.Response:
    data = {"grant_type": "client_credentials", **form}
    if basic:
        return await client.post("/oauth/token", data=data, auth=(client_id, secret))
    return await client.post(
        "/oauth/token", data={**data, "client_id": client_id, "client_secret": secret}
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_rfc_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["code"] == error
    assert body["detail"] and isinstance(body["error_description"], str)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("basic", [True, False], ids=["http basic", "form fields"])
async def test_a_client_gets_a_short_lived_token_and_reads_with_it(
    client, db, registered, basic, clock
):
    registered_client, secret = registered
    response = await get_token(client, registered_client.client_id, secret, basic=basic)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    assert body["scope"] == "ocds:read results:read"
    access_token = body["access_token"]
    stored = await db.scalar(
        select(ClientToken).where(ClientToken.client_id == registered_client.id)
    )
    assert stored.token_hash == token_hash(access_token) and access_token not in stored.token_hash
    assert stored.expires_at == clock.now() + timedelta(minutes=15)

    me = await client.get(WHOAMI, headers=bearer(access_token))
    assert me.status_code == 200, me.text
    assert me.json()["name"] == "Rekenkamer Voorbeeldstad"
    assert me.json()["client_id"] == registered_client.client_id
    assert me.json()["scopes"] == ["ocds:read", "results:read"]


async def test_a_token_gets_only_the_scopes_asked_for(client, registered):
    registered_client, secret = registered
    response = await get_token(client, registered_client.client_id, secret, scope="results:read")
    assert response.json()["scope"] == "results:read"
    refused = await client.get(WHOAMI, headers=bearer(response.json()["access_token"]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="ocds:read"' in challenge


@pytest.mark.parametrize("basic", [True, False], ids=["http basic", "form fields"])
async def test_a_wrong_secret_is_refused(client, registered, basic):
    registered_client, secret = registered
    response = await get_token(client, registered_client.client_id, secret + "x", basic=basic)
    assert_rfc_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")
    unknown = await get_token(client, "ukc_nobody", secret, basic=basic)
    assert_rfc_error(unknown, 401, "invalid_client")
    missing = await client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert_rfc_error(missing, 401, "invalid_client")


async def test_an_unknown_or_ungiven_scope_is_invalid_scope(client, registered):
    registered_client, secret = registered
    for scope in ("ocds:write", "audit:read", "ocds:read audit:read"):
        response = await get_token(client, registered_client.client_id, secret, scope=scope)
        assert_rfc_error(response, 400, "invalid_scope")


async def test_malformed_requests_are_refused_in_rfc_terms(client, registered):
    registered_client, secret = registered
    auth = (registered_client.client_id, secret)
    wrong_grant = await client.post("/oauth/token", data={"grant_type": "password"}, auth=auth)
    assert_rfc_error(wrong_grant, 400, "unsupported_grant_type")
    as_json = await client.post(
        "/oauth/token", json={"grant_type": "client_credentials"}, auth=auth
    )
    assert_rfc_error(as_json, 400, "invalid_request")
    unreadable = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic //79"},  # not UTF-8 once decoded
    )
    assert_rfc_error(unreadable, 401, "invalid_client")


async def test_a_disabled_client_gets_no_token_and_its_tokens_stop(client, make, registered):
    registered_client, secret = registered
    token = (await get_token(client, registered_client.client_id, secret)).json()["access_token"]
    await service.disable_client(make.ctx(None), registered_client.client_id, operator=True)
    assert_rfc_error(
        await get_token(client, registered_client.client_id, secret), 401, "invalid_client"
    )
    refused = await client.get(WHOAMI, headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


async def test_a_rotated_secret_replaces_the_old_one_and_its_tokens(client, make, registered):
    registered_client, old = registered
    token = (await get_token(client, registered_client.client_id, old)).json()["access_token"]
    _, new = await service.rotate_secret(make.ctx(None), registered_client.client_id, operator=True)
    assert_rfc_error(
        await get_token(client, registered_client.client_id, old), 401, "invalid_client"
    )
    assert (await client.get(WHOAMI, headers=bearer(token))).status_code == 401
    fresh = await get_token(client, registered_client.client_id, new)
    assert fresh.status_code == 200
    ok = await client.get(WHOAMI, headers=bearer(fresh.json()["access_token"]))
    assert ok.status_code == 200


async def test_an_expired_token_is_refused(client, clock, registered):
    registered_client, secret = registered
    token = (await get_token(client, registered_client.client_id, secret)).json()["access_token"]
    clock.advance(timedelta(minutes=14, seconds=59))
    assert (await client.get(WHOAMI, headers=bearer(token))).status_code == 200
    clock.advance(timedelta(seconds=1))
    refused = await client.get(WHOAMI, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
    assert refused.headers["www-authenticate"] == 'Bearer realm="uitkomst", error="invalid_token"'


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer uka_made-up", "Basic dXNlcjpwYXNz", "uka_no-scheme"],
)
async def test_a_missing_or_wrong_token_is_refused(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    refused = await client.get(WHOAMI, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["code"] in ("missing_token", "invalid_token")
    assert refused.headers["www-authenticate"].startswith('Bearer realm="uitkomst"')


async def test_a_persons_api_token_is_not_a_clients_token(client, make):
    person = await make.token(await make.user(Role.auditor))
    refused = await client.get(WHOAMI, headers=bearer(person))
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


async def test_too_many_requests_get_429_with_retry_after(app, client, clock, registered):
    app.state.api_rate_limiter = FixedWindowLimiter(limit=3, seconds=60)
    registered_client, secret = registered
    token = (await get_token(client, registered_client.client_id, secret)).json()["access_token"]
    for _ in range(3):
        assert (await client.get(WHOAMI, headers=bearer(token))).status_code == 200
    refused = await client.get(WHOAMI, headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert str(wait) in refused.json()["detail"]
    clock.advance(timedelta(seconds=wait))
    assert (await client.get(WHOAMI, headers=bearer(token))).status_code == 200


async def test_refusals_speak_the_callers_language(client, registered):
    registered_client, secret = registered
    client.cookies.set("uk_lang", "en")
    english = await get_token(client, registered_client.client_id, "wrong")
    assert english.json()["detail"].startswith("The client is unknown")
    client.cookies.set("uk_lang", "nl")
    dutch = await get_token(client, registered_client.client_id, "wrong")
    assert dutch.json()["detail"].startswith("De client is onbekend")
