"""Registering, listing, disabling and rotating API clients: admins only, audited, hash only."""

import hashlib

import pytest
from sqlalchemy import select

from app.api_clients import service
from app.api_clients.models import ApiClient
from app.audit.models import AuditEvent
from app.errors import Forbidden, InvalidTransition, NotFound, Unauthenticated, ValidationFailed
from app.organisations.models import OrganisationKind, Role


@pytest.fixture
async def admins(make):
    town = await make.org(OrganisationKind.municipality, name="Gemeente Klantstad")
    return {
        "admin": await make.user(Role.admin, org=town),
        "other_admin": await make.user(Role.admin),
        "auditor": await make.user(Role.auditor, org=town),
    }


async def test_the_secret_is_returned_once_and_only_its_hash_is_kept(make, admins):
    ctx = make.ctx(admins["admin"])
    client, secret = await service.create_client(
        ctx, {"name": "Rekenkamer", "scopes": "ocds:read audit:read"}
    )
    assert client.client_id.startswith("ukc_") and secret.startswith("ukcs_")
    assert len(secret) > 40
    stored = await make.db.scalar(select(ApiClient).where(ApiClient.id == client.id))
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    columns = [getattr(stored, c.key) for c in ApiClient.__table__.columns]
    assert not any(isinstance(value, str) and secret in value for value in columns)
    assert stored.scope_list == ["audit:read", "ocds:read"]
    assert stored.organisation_id == admins["admin"].organisation_id
    assert stored.created_by_id == admins["admin"].id
    assert service.secret_matches(stored, secret)
    assert not service.secret_matches(stored, secret + "x")


async def test_create_disable_and_rotate_are_audited(make, admins):
    ctx = make.ctx(admins["admin"])
    client, first = await service.create_client(
        ctx, {"name": "Accountant", "scopes": ["ocds:read"]}
    )
    _, second = await service.rotate_secret(ctx, client.client_id)
    assert second != first and client.rotated_at == ctx.now
    assert service.secret_matches(client, second) and not service.secret_matches(client, first)
    await service.disable_client(ctx, client.client_id)
    assert client.disabled
    events = await make.db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "api_client", AuditEvent.entity_id == client.id)
        .order_by(AuditEvent.id)
    )
    events = list(events)
    assert [e.action for e in events] == [
        "api_client.created",
        "api_client.secret_rotated",
        "api_client.disabled",
    ]
    assert all(e.actor_id == admins["admin"].id for e in events)
    assert all(first not in str(e.data) and second not in str(e.data) for e in events)
    with pytest.raises(InvalidTransition):
        await service.rotate_secret(ctx, client.client_id)
    with pytest.raises(InvalidTransition):
        await service.disable_client(ctx, client.client_id)


async def test_only_admins_manage_and_only_their_own_organisations_clients(make, admins):
    mine, _ = await service.create_client(
        make.ctx(admins["admin"]), {"name": "Eigen", "scopes": "results:read"}
    )
    with pytest.raises(Forbidden):
        await service.create_client(
            make.ctx(admins["auditor"]), {"name": "X", "scopes": "ocds:read"}
        )
    with pytest.raises(Forbidden):
        await service.list_clients(make.ctx(admins["auditor"]))
    with pytest.raises(Unauthenticated):
        await service.list_clients(make.ctx(None))
    other = make.ctx(admins["other_admin"])
    assert await service.list_clients(other) == []
    with pytest.raises(NotFound):
        await service.disable_client(other, mine.client_id)
    with pytest.raises(NotFound):
        await service.rotate_secret(other, mine.client_id)
    assert [c.client_id for c in await service.list_clients(make.ctx(admins["admin"]))] == [
        mine.client_id
    ]


async def test_the_operator_sees_every_client(make, admins):
    ctx = make.ctx(None)
    made, _ = await service.create_client(
        ctx, {"name": "Open data", "scopes": "ocds:read"}, operator=True
    )
    assert made.organisation_id is None and made.created_by_id is None
    assert made.client_id in {c.client_id for c in await service.list_clients(ctx, operator=True)}
    # A client of no organisation is not an admin's to manage.
    with pytest.raises(NotFound):
        await service.disable_client(make.ctx(admins["admin"]), made.client_id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "X", "scopes": "ocds:write"}, "scopes.0"),
        ({"name": "X", "scopes": ""}, "scopes"),
        ({"name": "", "scopes": "ocds:read"}, "name"),
        ({"name": "X" * 201, "scopes": "ocds:read"}, "name"),
    ],
)
async def test_bad_input_names_the_field(make, admins, data, field):
    with pytest.raises(ValidationFailed) as refused:
        await service.create_client(make.ctx(admins["admin"]), data)
    assert field in refused.value.errors
