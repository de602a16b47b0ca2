"""Creating an account is one service: the role must fit the organisation, and it is audited."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.service import create_user
from app.errors import Forbidden
from app.organisations.models import OrganisationKind, Role, User
from tests.conftest import NOW


async def test_an_account_is_made_and_audited_with_the_callers_details(db, make):
    org = await make.org(kind=OrganisationKind.municipality)
    user = await create_user(
        db,
        org,
        email="nieuw@gemeente.nl",
        name="Nieuw",
        role=Role.auditor,
        password_hash=None,
        now=NOW,
        details={"via": "test"},
    )
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.entity_id == user.id
        )
    )
    assert (event.actor_id, event.data) == (None, {"via": "test"})


async def test_a_role_the_organisation_cannot_hold_is_refused_before_anything_is_written(db, make):
    org = await make.org(kind=OrganisationKind.company)
    with pytest.raises(Forbidden):
        await create_user(
            db,
            org,
            email="x@bouw.nl",
            name="X",
            role=Role.policy_officer,
            password_hash=None,
            now=NOW,
        )
    assert (
        await db.scalar(select(func.count()).select_from(User).where(User.email == "x@bouw.nl"))
        == 0
    )


async def test_an_account_made_at_sign_in_is_its_own_actor(db, make):
    org = await make.org(kind=OrganisationKind.company)
    user = await create_user(
        db,
        org,
        email="z@bouw.nl",
        name="Z",
        role=None,
        password_hash=None,
        now=NOW,
        self_created=True,
    )
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.entity_id == user.id
        )
    )
    assert event.actor_id == user.id
