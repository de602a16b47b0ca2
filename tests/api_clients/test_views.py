"""The admin's page of API clients: register (secret shown once), rotate, disable."""

import re

import pytest
from sqlalchemy import select

from app.api_clients.models import ApiClient
from app.organisations.models import OrganisationKind, Role
from tests.conftest import csrf, sign_in

SECRET_RE = re.compile(r"<dt>client_secret</dt><dd><code>(ukcs_[^<]+)</code>")


@pytest.fixture
async def admins(make):
    town = await make.org(OrganisationKind.municipality, name="Gemeente Paginastad")
    return {
        "admin": await make.user(Role.admin, org=town, email="admin@paginastad.nl"),
        "auditor": await make.user(Role.auditor, org=town, email="audit@paginastad.nl"),
        "other": await make.user(Role.admin, email="admin@elders.nl"),
    }


async def post(client, path: str, data: dict | None = None):
    token = await csrf(client, "/admin/api-clients")
    return await client.post(path, data={**(data or {}), "csrf_token": token})


async def test_an_admin_registers_a_client_and_sees_its_secret_once(client, db, admins):
    await sign_in(client, "admin@paginastad.nl")
    client.cookies.set("uk_lang", "en")
    page = await client.get("/admin/api-clients")
    assert page.status_code == 200
    assert 'href="/admin/api-clients"' in page.text and "No API clients yet." in page.text
    made = await post(
        client,
        "/admin/api-clients",
        {"name": "Rekenkamer Paginastad", "scopes": ["ocds:read", "audit:read"]},
    )
    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    secret = SECRET_RE.search(made.text).group(1)
    stored = await db.scalar(select(ApiClient).where(ApiClient.name == "Rekenkamer Paginastad"))
    assert stored.scopes == "audit:read ocds:read" and stored.secret_hash != secret
    again = await client.get("/admin/api-clients")
    assert stored.client_id in again.text and secret not in again.text

    rotated = await post(client, f"/admin/api-clients/{stored.client_id}/rotate")
    assert rotated.status_code == 200
    new_secret = SECRET_RE.search(rotated.text).group(1)
    assert new_secret != secret and "no longer work" in rotated.text

    disabled = await post(client, f"/admin/api-clients/{stored.client_id}/disable")
    assert disabled.status_code == 303
    page = await client.get(disabled.headers["location"])
    assert "is disabled" in page.text and "(disabled)" in page.text
    assert f"/admin/api-clients/{stored.client_id}/rotate" not in page.text


async def test_bad_input_re_renders_the_form_with_the_errors(client, admins):
    await sign_in(client, "admin@paginastad.nl")
    client.cookies.set("uk_lang", "en")
    refused = await post(client, "/admin/api-clients", {"name": "Zonder scope"})
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.text and 'value="Zonder scope"' in refused.text
    odd = await post(client, "/admin/api-clients", {"name": "X", "scopes": ["ocds:write"]})
    assert odd.status_code == 422


async def test_only_an_admin_and_only_their_organisations_clients(client, db, admins):
    await sign_in(client, "admin@elders.nl")
    await post(client, "/admin/api-clients", {"name": "Van elders", "scopes": ["ocds:read"]})
    theirs = await db.scalar(select(ApiClient).where(ApiClient.name == "Van elders"))
    await sign_in(client, "admin@paginastad.nl")
    page = await client.get("/admin/api-clients")
    assert "Van elders" not in page.text
    assert (await post(client, f"/admin/api-clients/{theirs.client_id}/disable")).status_code == 404
    await sign_in(client, "audit@paginastad.nl")
    assert (await client.get("/admin/api-clients")).status_code == 403
    assert 'href="/admin/api-clients"' not in (await client.get("/challenges")).text
