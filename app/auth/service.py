"""Sign-in, browser sessions, API tokens and login throttling."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.audit.service import record
from app.auth.devices import KnownDevice
from app.auth.models import ApiToken, LoginFailure, WebSession
from app.auth.passwords import verify_password
from app.auth.permissions import assert_role_fits
from app.config import Settings
from app.errors import TooManyRequests, Unauthenticated
from app.organisations.models import Organisation, Role, User


async def create_user(
    db: AsyncSession,
    organisation: Organisation,
    /,
    *,
    email: str,
    name: str,
    role: Role | None,
    password_hash: str | None,
    now: datetime,
    self_created: bool = False,
    details: dict[str, object] | None = None,
) -> User:
    """The one way an account comes to be (CLI, identity provider, demo data): the role must fit
    the organisation's kind, and the creation is audited with the caller's `details`."""
    assert_role_fits(organisation, role)
    user = User(
        email=email,
        name=name,
        organisation_id=organisation.id,
        role=role,
        password_hash=password_hash,
        created_at=now,
    )
    user.organisation = organisation
    db.add(user)
    await db.flush()
    await record(
        db,
        now=now,
        actor_id=user.id if self_created else None,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        data=details,
    )
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _lock_key(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


async def _serialise(db: AsyncSession, *keys: str) -> None:
    """One attempt per account, address and device at a time, until its transaction ends, so
    concurrent guesses cannot all read the same count. SQLite's write lock taken at BEGIN does
    this there; sorted keys keep PostgreSQL's advisory locks free of deadlocks."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_lock_key(key) for key in keys}):
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def _failures(db: AsyncSession, since: datetime, condition: ColumnElement[bool]) -> int:
    return await db.scalar(select(func.count()).where(condition, LoginFailure.at >= since)) or 0


def _too_many(minutes: int) -> TooManyRequests:
    return TooManyRequests(
        "Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
        minutes=minutes,
    )


async def _throttle(
    db: AsyncSession, settings: Settings, email: str, ip: str, device: str | None, now: datetime
) -> None:
    """Per address always; per account for strangers; per device for a known device."""
    keys = [f"login:account:{email}", f"login:address:{ip}"]
    await _serialise(db, *keys, *([f"login:device:{device}"] if device else []))
    since = now - timedelta(seconds=settings.login_window_seconds)
    minutes = settings.login_window_seconds // 60
    if await _failures(db, since, LoginFailure.client_ip == ip) >= settings.login_max_failures * 4:
        raise _too_many(minutes)
    if device is not None:
        per_device = await _failures(db, since, LoginFailure.device == device)
        if per_device >= settings.login_max_device_failures:
            raise _too_many(minutes)
        return
    if await _failures(db, since, LoginFailure.email == email) >= settings.login_max_failures:
        raise TooManyRequests(
            "This account is locked for up to %(minutes)s minutes after too many wrong "
            "passwords. Is it yours? Wait, sign in from a browser where you signed in before, "
            "or sign in through your organisation's identity provider.",
            code="account_locked",
            minutes=minutes,
        )


async def authenticate(
    db: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    device: KnownDevice | None = None,
) -> User:
    """Check the password; every failure counts towards the throttle.

    A browser that signed in to this account before is not held by the account lock (someone
    else's guesses do not shut the owner out); its own failures count per device instead.
    """
    email = normalise_email(email)
    user = await db.scalar(select(User).where(User.email == email))
    known = device.id if device is not None and device.knows(user.id if user else None) else None
    await _throttle(db, settings, email, ip, known, now)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        db.add(LoginFailure(email=email, client_ip=ip, at=now, device=known))
        await db.flush()
        raise Unauthenticated("Email address or password is not correct.", code="bad_credentials")
    # Only this browser's own slips are forgiven; a stranger's guesses elsewhere still count.
    mine = LoginFailure.client_ip == ip
    if known is not None:
        mine = or_(mine, LoginFailure.device == known)
    await db.execute(delete(LoginFailure).where(LoginFailure.email == email, mine))
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
