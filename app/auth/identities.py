"""Accounts for people who sign in through an identity provider: linked, matched or created.

The provider says who someone is, never what they may do: a new account gets no role.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.auth.models import OidcIdentity
from app.auth.oidc import EmailNotVerified, Identity, OidcProvider, SignInFailed
from app.auth.service import create_user
from app.errors import Forbidden
from app.organisations.models import Organisation, User


async def _linked_user(db: AsyncSession, identity: Identity) -> tuple[OidcIdentity, User] | None:
    row = (
        await db.execute(
            select(OidcIdentity, User)
            .join(User, User.id == OidcIdentity.user_id)
            .where(OidcIdentity.issuer == identity.issuer, OidcIdentity.subject == identity.subject)
        )
    ).first()
    return (row[0], row[1]) if row else None


def _usable(user: User) -> User:
    if not user.is_active:
        raise Forbidden("This account has been disabled.", code="account_disabled")
    return user


async def _link(
    db: AsyncSession, provider: OidcProvider, identity: Identity, user: User, now: datetime
) -> None:
    link = OidcIdentity(
        user_id=user.id,
        provider=provider.name,
        issuer=identity.issuer,
        subject=identity.subject,
        created_at=now,
        last_sign_in_at=now,
    )
    db.add(link)
    await db.flush()
    await record(
        db,
        now=now,
        actor_id=user.id,
        action="user.identity_linked",
        entity_type="user",
        entity_id=user.id,
        data={"provider": provider.name, "issuer": identity.issuer},
    )


async def _create_account(
    db: AsyncSession, provider: OidcProvider, identity: Identity, email: str, now: datetime
) -> User:
    organisation = await db.scalar(
        select(Organisation).where(Organisation.name == provider.organisation)
    )
    if organisation is None:
        raise SignInFailed(
            "Sign-in through %(provider)s is not set up completely: the organisation for its "
            "users does not exist here. Please tell the platform admin.",
            code="oidc_no_organisation",
            provider=provider.label,
        )
    return await create_user(
        db,
        organisation,
        email=email,
        name=identity.name or email.split("@")[0],
        role=None,
        password_hash=None,
        now=now,
        self_created=True,
        details={"via": "oidc", "provider": provider.name, "organisation": organisation.name},
    )


async def account_for(
    db: AsyncSession, provider: OidcProvider, identity: Identity, now: datetime
) -> User:
    """The linked account; else the account with this verified email; else a new one.

    Every refusal is raised before anything is written, so a refused sign-in leaves no trace.
    """
    linked = await _linked_user(db, identity)
    if linked is not None:
        link, user = linked
        _usable(user)
        link.last_sign_in_at = now
        return user
    if not identity.email:
        raise SignInFailed(
            "%(provider)s did not share your email address, so no account can be found or made. "
            "Please ask your IT department to release the email claim.",
            code="oidc_no_email",
            provider=provider.label,
        )
    if not identity.email_verified:
        raise EmailNotVerified(
            "%(provider)s has not verified your email address %(email)s. Verify it there "
            "first, then sign in again.",
            provider=provider.label,
            email=identity.email,
        )
    user = await db.scalar(select(User).where(User.email == identity.email))
    if user is None:
        user = await _create_account(db, provider, identity, identity.email, now)
    await _link(db, provider, identity, _usable(user), now)
    return user
