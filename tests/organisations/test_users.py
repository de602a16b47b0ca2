"""An organisation's admin grants roles: the page, the API and the rules behind them."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.organisations.models import OrganisationKind, Role, User
from tests.conftest import csrf, sign_in


async def role_of(db, user: User) -> Role | None:
    return await db.scalar(select(User.role).where(User.id == user.id))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def world(make):
    town = await make.org(OrganisationKind.municipality, name="Gemeente Rolstad")
    other = await make.org(OrganisationKind.municipality, name="Gemeente Elders")
    return {
        "admin": await make.user(Role.admin, org=town, email="admin@rolstad.nl"),
        "newcomer": await make.user(None, org=town, email="nieuw@rolstad.nl"),
        "officer": await make.user(Role.policy_officer, org=town, email="beleid@rolstad.nl"),
        "stranger": await make.user(None, org=other, email="iemand@elders.nl"),
    }


async def change(client, user_id: int, role: str):
    token = await csrf(client, "/admin/users")
    return await client.post(
        f"/admin/users/{user_id}/role", data={"role": role, "csrf_token": token}
    )


async def test_the_admin_sees_their_organisation_with_newcomers_first(client, world):
    await sign_in(client, "admin@rolstad.nl")
    client.cookies.set("uk_lang", "en")
    page = await client.get("/admin/users")
    assert page.status_code == 200
    text = page.text
    assert 'href="/admin/users"' in text  # in the menu
    assert "nieuw@rolstad.nl" in text and "beleid@rolstad.nl" in text
    assert "iemand@elders.nl" not in text
    assert text.index("nieuw@rolstad.nl") < text.index("admin@rolstad.nl")
    assert "Waiting for a role" in text
    assert f'action="/admin/users/{world["admin"].id}/role"' not in text  # not their own
    assert "your own role; another admin can change it" in text


async def test_granting_a_role(client, world, db):
    newcomer = world["newcomer"]
    await sign_in(client, "admin@rolstad.nl")
    response = await change(client, newcomer.id, "policy_officer")
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/users?saved={newcomer.id}"
    assert await role_of(db, newcomer) == Role.policy_officer
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_granted"))
    assert event.actor_id == world["admin"].id and event.entity_id == newcomer.id
    assert event.data == {"role": "policy_officer", "previous": None}
    client.cookies.set("uk_lang", "en")
    page = await client.get(response.headers["location"])
    assert f"Saved: {newcomer.name} now has the role Policy officer." in page.text


async def test_taking_a_role_away(client, world, db):
    officer = world["officer"]
    await sign_in(client, "admin@rolstad.nl")
    assert (await change(client, officer.id, "")).status_code == 303
    assert await role_of(db, officer) is None
    actions = list(await db.scalars(select(AuditEvent.action)))
    assert "user.role_removed" in actions


async def test_an_unchanged_role_writes_nothing(client, world, db):
    await sign_in(client, "admin@rolstad.nl")
    before = await db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert (await change(client, world["officer"].id, "policy_officer")).status_code == 303
    after = await db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert before == after


async def test_the_admin_cannot_change_their_own_role(client, world, db):
    admin = world["admin"]
    await sign_in(client, "admin@rolstad.nl")
    client.cookies.set("uk_lang", "en")
    response = await change(client, admin.id, "")
    assert response.status_code == 403
    assert "You cannot change your own role" in response.text
    assert await role_of(db, admin) == Role.admin


async def test_another_organisations_user_is_not_found(client, world, db):
    await sign_in(client, "admin@rolstad.nl")
    response = await change(client, world["stranger"].id, "admin")
    assert response.status_code == 404
    assert await role_of(db, world["stranger"]) is None


async def test_an_unknown_role_is_refused(client, world):
    await sign_in(client, "admin@rolstad.nl")
    client.cookies.set("uk_lang", "en")
    response = await change(client, world["newcomer"].id, "emperor")
    assert response.status_code == 422
    assert "Choose one of the options." in response.text  # the API's message for it too


@pytest.mark.parametrize("who", ["officer@", "newcomer"])
async def test_only_admins_manage_users(client, world, who):
    email = "beleid@rolstad.nl" if who == "officer@" else "nieuw@rolstad.nl"
    await sign_in(client, email)
    assert (await client.get("/admin/users")).status_code == 403
    assert (await change(client, world["newcomer"].id, "admin")).status_code == 403


async def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = await client.get("/admin/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"


async def test_a_user_without_a_role_is_told_so(client, world):
    await sign_in(client, "nieuw@rolstad.nl")
    client.cookies.set("uk_lang", "en")
    page = await client.get("/challenges")
    assert "Your account is waiting for a role." in page.text


# --- the same through the API ------------------------------------------------------------------


async def test_api_lists_and_grants(client, world, make, db):
    headers = bearer(await make.token(world["admin"]))
    listed = await client.get("/api/v1/admin/users", headers=headers)
    assert listed.status_code == 200
    body = {item["email"]: item for item in listed.json()}
    assert set(body) == {"admin@rolstad.nl", "nieuw@rolstad.nl", "beleid@rolstad.nl"}
    assert body["nieuw@rolstad.nl"]["waiting_for_role"] is True
    assert body["beleid@rolstad.nl"] == {
        "id": world["officer"].id,
        "email": "beleid@rolstad.nl",
        "name": world["officer"].name,
        "role": "policy_officer",
        "is_active": True,
        "waiting_for_role": False,
    }
    url = f"/api/v1/admin/users/{world['newcomer'].id}/role"
    granted = await client.put(url, json={"role": "auditor"}, headers=headers)
    assert granted.status_code == 200 and granted.json()["role"] == "auditor"
    removed = await client.put(url, json={"role": None}, headers=headers)
    assert removed.json()["waiting_for_role"] is True


@pytest.mark.parametrize(
    ("target", "payload", "status", "code"),
    [
        ("admin", {"role": None}, 403, "own_role"),
        ("stranger", {"role": "admin"}, 404, "not_found"),
        ("newcomer", {"role": "emperor"}, 422, "validation_error"),
        ("newcomer", {}, 422, "validation_error"),
        ("newcomer", {"role": "admin", "extra": 1}, 422, "validation_error"),
    ],
)
async def test_api_refusals(client, world, make, target, payload, status, code):
    headers = bearer(await make.token(world["admin"]))
    url = f"/api/v1/admin/users/{world[target].id}/role"
    response = await client.put(url, json=payload, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


async def test_api_needs_an_admin_token(client, world, make):
    assert (await client.get("/api/v1/admin/users")).status_code == 401
    headers = bearer(await make.token(world["officer"]))
    assert (await client.get("/api/v1/admin/users", headers=headers)).status_code == 403
    response = await client.put(
        f"/api/v1/admin/users/{world['newcomer'].id}/role", json={"role": "admin"}, headers=headers
    )
    assert response.status_code == 403
    out_of_range = "/api/v1/admin/users/99999999999/role"
    assert (await client.put(out_of_range, json={}, headers=headers)).status_code == 422
    # Anonymous: asked to sign in before anything about the input (issue 8).
    assert (await client.put(out_of_range, json={})).status_code == 401


# --- which roles an organisation may hold -------------------------------------------------------


@pytest.fixture
async def company(make):
    firm = await make.org(OrganisationKind.company, name="Bouwbedrijf Zijlstra")
    return {
        "admin": await make.user(Role.admin, org=firm, email="admin@zijlstra.nl"),
        "colleague": await make.user(None, org=firm, email="collega@zijlstra.nl"),
    }


@pytest.mark.parametrize("role", ["auditor", "policy_officer"])
async def test_a_provider_admin_cannot_appoint_municipal_roles_on_the_page(
    client, company, db, role
):
    await sign_in(client, "admin@zijlstra.nl")
    client.cookies.set("uk_lang", "en")
    page = await client.get("/admin/users")
    assert 'value="provider_member"' in page.text and 'value="evaluator"' in page.text
    assert f'value="{role}"' not in page.text  # not offered
    response = await change(client, company["colleague"].id, role)  # and refused when sent
    assert response.status_code == 403
    assert "Policy officers and auditors work for a municipality" in response.text
    assert "Bouwbedrijf Zijlstra is not one" in response.text
    assert await role_of(db, company["colleague"]) is None
    assert await db.scalar(select(AuditEvent).where(AuditEvent.action.like("user.role%"))) is None


@pytest.mark.parametrize("role", ["auditor", "policy_officer"])
async def test_a_provider_admin_cannot_appoint_municipal_roles_through_the_api(
    client, company, make, db, role
):
    headers = bearer(await make.token(company["admin"]))
    url = f"/api/v1/admin/users/{company['colleague'].id}/role"
    response = await client.put(
        url, json={"role": role}, headers={**headers, "Accept-Language": "en"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_for_organisation"
    assert "work for a municipality" in response.json()["detail"]
    assert await role_of(db, company["colleague"]) is None
    granted = await client.put(url, json={"role": "provider_member"}, headers=headers)
    assert granted.status_code == 200 and granted.json()["role"] == "provider_member"
    evaluator = await client.put(url, json={"role": "evaluator"}, headers=headers)
    assert evaluator.status_code == 200  # evaluators may be outside experts


async def test_a_municipality_admin_appoints_auditors_but_not_provider_members(
    client, world, make, db
):
    headers = bearer(await make.token(world["admin"]))
    url = f"/api/v1/admin/users/{world['newcomer'].id}/role"
    refused = await client.put(url, json={"role": "provider_member"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_not_for_organisation"
    assert await role_of(db, world["newcomer"]) is None
    assert (await client.put(url, json={"role": "auditor"}, headers=headers)).status_code == 200
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_granted"))
    assert event.actor_id == world["admin"].id and event.data["role"] == "auditor"
    await sign_in(client, "admin@rolstad.nl")
    page = await client.get("/admin/users")
    assert 'value="auditor"' in page.text and 'value="provider_member"' not in page.text


async def test_a_role_granted_before_the_rule_shows_and_is_refused_again(client, company, db):
    colleague = company["colleague"]
    colleague.role = Role.auditor  # as the old code let a provider's admin do
    await db.flush()
    await sign_in(client, "admin@zijlstra.nl")
    page = await client.get("/admin/users")
    assert 'value="auditor" selected' in page.text  # the page does not hide what is there
    assert (await change(client, colleague.id, "auditor")).status_code == 403
    assert (await change(client, colleague.id, "")).status_code == 303  # it can be taken away
    assert await role_of(db, colleague) is None
