"""Sign-in, browser sessions, API tokens and login throttling."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.audit.service import record
from app.auth.models import ApiToken, LoginFailure, WebSession
from app.auth.passwords import verify_password
from app.config import Settings
from app.errors import TooManyRequests, Unauthenticated
from app.organisations.models import User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def _throttle(
    db: AsyncSession, settings: Settings, email: str, ip: str, now: datetime
) -> None:
    since = now - timedelta(seconds=settings.login_window_seconds)
    per_account = await db.scalar(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.at >= since)
    )
    per_address = await db.scalar(
        select(func.count()).where(LoginFailure.client_ip == ip, LoginFailure.at >= since)
    )
    if per_account >= settings.login_max_failures or per_address >= settings.login_max_failures * 4:
        raise TooManyRequests(
            "Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
            minutes=settings.login_window_seconds // 60,
        )


async def authenticate(
    db: AsyncSession, settings: Settings, *, email: str, password: str, ip: str, now: datetime
) -> User:
    """Check the password; every failure counts towards the throttle."""
    email = normalise_email(email)
    await _throttle(db, settings, email, ip, now)
    user = await db.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        db.add(LoginFailure(email=email, client_ip=ip, at=now))
        await db.flush()
        raise Unauthenticated("Email address or password is not correct.", code="bad_credentials")
    await db.execute(delete(LoginFailure).where(LoginFailure.email == email))
    return user


async def start_session(
    db: AsyncSession,
    user: User,
    now: datetime,
    days: int,
    *,
    oidc_provider: str | None = None,
    id_token: str | None = None,
) -> str:
    """A new browser session; after OIDC sign-in it keeps what the provider's sign-out needs."""
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
            oidc_provider=oidc_provider,
            id_token=id_token,
        )
    )
    await record(
        db,
        now=now,
        actor_id=user.id,
        action="user.signed_in",
        entity_type="user",
        entity_id=user.id,
        data={"provider": oidc_provider} if oidc_provider else None,
    )
    return token


async def end_session(db: AsyncSession, token: str, now: datetime) -> WebSession | None:
    session = await db.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if session is not None:
        await db.delete(session)
        await record(
            db,
            now=now,
            actor_id=session.user_id,
            action="user.signed_out",
            entity_type="user",
            entity_id=session.user_id,
        )
    return session


def _with_organisation():
    return select(User).options(joinedload(User.organisation)).where(User.is_active.is_(True))


async def user_for_session(db: AsyncSession, token: str, now: datetime) -> User | None:
    return await db.scalar(
        _with_organisation()
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == token_hash(token), WebSession.expires_at > now)
    )


async def user_for_api_token(db: AsyncSession, token: str) -> User | None:
    return await db.scalar(
        _with_organisation()
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    )


async def create_api_token(db: AsyncSession, user: User, now: datetime, name: str = "cli") -> str:
    token = "uk_" + secrets.token_urlsafe(32)
    db.add(ApiToken(token_hash=token_hash(token), user_id=user.id, name=name, created_at=now))
    await record(
        db,
        now=now,
        actor_id=user.id,
        action="api_token.created",
        entity_type="user",
        entity_id=user.id,
        data={"name": name},
    )
    return token
