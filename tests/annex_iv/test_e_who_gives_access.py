"""Annex IV (e): only authorised persons may give access to the data transmitted, and only
after the prescribed date.

Access to the proposals is given in two ways, and both are guarded. The opening gives the
municipality access: it happens at the deadline and not a moment before, and no one, not even
the municipality's own officer or admin, can open early. Appointment gives a person access: only
the municipality's own admin makes someone its policy officer or auditor, never an admin of
another organisation or of a provider, never oneself, and every grant is in the audit log. An
auditor appointed before the deadline still reads nothing until it has passed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.organisations.models import OrganisationKind, Role
from tests.annex_iv.conftest import SECRET, past_the_deadline, ref


async def grant(client, tender, admin_token, user, role):
    return await client.put(
        f"/api/v1/admin/users/{user.id}/role",
        json={"role": role},
        headers={"Authorization": f"Bearer {admin_token}"},
    )


@pytest.mark.parametrize("who", ["officer", "admin", "auditor"])
async def test_nobody_opens_before_the_deadline(client, tender, clock, app, who):
    clock.at = tender.deadline - timedelta(milliseconds=1)
    app.state.clock_offset_cache = None
    for url in (
        f"/api/v1/challenges/{tender.challenge.id}/opening",
        f"/api/v1/challenges/{tender.challenge.id}/proposals",
    ):
        response = await client.get(url, headers=tender.headers(who))
        assert response.status_code in (403, 409), (url, who, response.status_code)
        assert SECRET not in response.text


async def test_the_municipalitys_admin_appoints_an_auditor_and_it_is_recorded(
    client, tender, make, db
):
    colleague = await make.user(None, org=tender.users["officer"].organisation)
    response = await grant(client, tender, tender.tokens["admin"], colleague, "auditor")
    assert response.status_code == 200
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.role_granted", AuditEvent.entity_id == colleague.id
        )
    )
    assert event.actor_id == tender.users["admin"].id
    assert event.data["role"] == "auditor"


async def test_a_providers_admin_cannot_make_anyone_an_auditor(client, tender, make):
    provider = await make.org(OrganisationKind.welfare_organisation)
    admin = await make.user(Role.admin, org=provider)
    colleague = await make.user(None, org=provider)
    for role in ("auditor", "policy_officer"):
        response = await grant(client, tender, await make.token(admin), colleague, role)
        assert response.status_code == 403
        assert response.json()["code"] == "role_not_for_organisation"


async def test_no_admin_appoints_in_another_organisation_or_themselves(client, tender, make):
    colleague = await make.user(None, org=tender.users["officer"].organisation)
    other_admin = await make.user(Role.admin, org=tender.users["other_officer"].organisation)
    response = await grant(client, tender, await make.token(other_admin), colleague, "auditor")
    assert response.status_code == 404
    own = await grant(client, tender, tender.tokens["admin"], tender.users["admin"], "auditor")
    assert own.status_code == 403


async def test_an_auditor_appointed_before_the_deadline_reads_only_after_it(
    client, tender, make, clock, app
):
    newcomer = await make.user(None, org=tender.users["officer"].organisation)
    assert (await grant(client, tender, tender.tokens["admin"], newcomer, "auditor")).is_success
    auth = {"Authorization": f"Bearer {await make.token(newcomer)}"}
    url = f"/api/v1/coalitions/{ref(tender.coalition)}/submissions/{tender.submission.version}"
    before = await client.get(url, headers=auth)
    assert before.status_code == 404 and SECRET not in before.text
    past_the_deadline(tender, app, clock)
    after = await client.get(url, headers=auth)
    assert after.status_code == 200 and SECRET in after.text
