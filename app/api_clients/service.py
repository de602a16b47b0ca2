"""Registering API clients, their secrets, and the short-lived tokens they exchange them for.

Secrets and tokens are 32 random bytes, shown once; the database keeps only their SHA-256 (a
slow password hash adds nothing to a secret that cannot be guessed), compared in constant time.
"""

import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from app.api_clients.models import ApiClient, ClientToken
from app.api_clients.schemas import ApiClientIn
from app.auth.permissions import (
    Action,
    assert_can,
    assert_signed_in,
    manageable_api_clients,
)
from app.auth.service import token_hash
from app.context import Context
from app.errors import InvalidTransition, NotFound
from app.organisations.models import User
from app.validation import checked

CLIENT_ID_PREFIX = "ukc_"
SECRET_PREFIX = "ukcs_"
TOKEN_PREFIX = "uka_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_access_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def secret_matches(client: ApiClient, secret: str) -> bool:
    return hmac.compare_digest(token_hash(secret), client.secret_hash)


def _manager(ctx: Context, operator: bool) -> User | None:
    """The admin who manages clients; None for the operator at the command line."""
    if operator:
        return None
    admin = assert_signed_in(ctx.user)
    assert_can(admin, Action.api_client_manage)
    return admin


async def create_client(
    ctx: Context,
    data: ApiClientIn | dict,
    *,
    operator: bool = False,
    organisation_id: int | None = None,
) -> tuple[ApiClient, str]:
    """Register a client for the admin's organisation (the operator names one, or none); the
    secret is returned this once."""
    admin = _manager(ctx, operator)
    if admin is not None:
        organisation_id = admin.organisation_id
    data = data if isinstance(data, ApiClientIn) else checked(ApiClientIn, data)
    secret = new_secret()
    client = ApiClient(
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(16),
        secret_hash=token_hash(secret),
        name=data.name,
        scopes=" ".join(data.scopes),
        organisation_id=organisation_id,
        created_by_id=admin.id if admin else None,
        created_at=ctx.now,
    )
    ctx.db.add(client)
    await ctx.db.flush()
    await ctx.record(
        "api_client.created",
        "api_client",
        client.id,
        client_id=client.client_id,
        name=client.name,
        scopes=client.scope_list,
        **({"via": "cli"} if operator else {}),
    )
    return client, secret


async def list_clients(ctx: Context, *, operator: bool = False) -> list[ApiClient]:
    """The admin's organisation's clients (the operator sees all), newest first."""
    admin = _manager(ctx, operator)
    query = select(ApiClient).order_by(ApiClient.created_at.desc(), ApiClient.id.desc())
    if admin is not None:
        query = query.where(manageable_api_clients(admin))
    return list(await ctx.db.scalars(query))


async def get_client(ctx: Context, client_id: str, *, operator: bool = False) -> ApiClient:
    admin = _manager(ctx, operator)
    query = select(ApiClient).where(ApiClient.client_id == client_id)
    if admin is not None:
        query = query.where(manageable_api_clients(admin))
    client = await ctx.db.scalar(query)
    if client is None:
        raise NotFound("This API client does not exist.")
    if admin is not None:
        assert_can(admin, Action.api_client_manage, client)
    return client


def _assert_active(client: ApiClient) -> None:
    if client.disabled:
        raise InvalidTransition(
            "This API client is disabled; register a new one instead.", code="client_disabled"
        )


async def disable_client(ctx: Context, client_id: str, *, operator: bool = False) -> ApiClient:
    """For good: the client gets no more tokens and the ones it holds stop working."""
    client = await get_client(ctx, client_id, operator=operator)
    _assert_active(client)
    client.disabled_at = ctx.now
    await ctx.db.execute(delete(ClientToken).where(ClientToken.client_id == client.id))
    await ctx.record(
        "api_client.disabled",
        "api_client",
        client.id,
        client_id=client.client_id,
        **({"via": "cli"} if operator else {}),
    )
    await ctx.db.flush()
    return client


async def rotate_secret(
    ctx: Context, client_id: str, *, operator: bool = False
) -> tuple[ApiClient, str]:
    """A new secret, returned this once; the old one and every token it got stop working."""
    client = await get_client(ctx, client_id, operator=operator)
    _assert_active(client)
    secret = new_secret()
    client.secret_hash = token_hash(secret)
    client.rotated_at = ctx.now
    await ctx.db.execute(delete(ClientToken).where(ClientToken.client_id == client.id))
    await ctx.record(
        "api_client.secret_rotated",
        "api_client",
        client.id,
        client_id=client.client_id,
        **({"via": "cli"} if operator else {}),
    )
    await ctx.db.flush()
    return client, secret


# --- tokens: the token endpoint saves them, the resource routes look them up


async def active_clients(ctx: Context, client_ids: set[str]) -> dict[str, ApiClient]:
    """The enabled clients among these ids (a disabled one is as unknown as a made-up id)."""
    if not client_ids:
        return {}
    rows = await ctx.db.scalars(
        select(ApiClient).where(
            ApiClient.client_id.in_(client_ids), ApiClient.disabled_at.is_(None)
        )
    )
    return {row.client_id: row for row in rows}


async def save_token(
    ctx: Context, client: ApiClient, token: str, scopes: str, seconds: int
) -> None:
    """Keep the hash of a token just issued, and forget the client's expired ones."""
    await ctx.db.execute(
        delete(ClientToken).where(
            ClientToken.client_id == client.id, ClientToken.expires_at <= ctx.now
        )
    )
    ctx.db.add(
        ClientToken(
            token_hash=token_hash(token),
            client_id=client.id,
            scopes=scopes,
            issued_at=ctx.now,
            expires_at=ctx.now + timedelta(seconds=seconds),
        )
    )
    await ctx.db.flush()


async def token_holder(ctx: Context, token: str) -> tuple[ApiClient, ClientToken] | None:
    """The enabled client this unexpired token was issued to, or None."""
    row = (
        await ctx.db.execute(
            select(ApiClient, ClientToken)
            .join(ClientToken, ClientToken.client_id == ApiClient.id)
            .where(
                ClientToken.token_hash == token_hash(token),
                ClientToken.expires_at > ctx.now,
                ApiClient.disabled_at.is_(None),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
