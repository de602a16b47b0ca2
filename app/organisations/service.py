"""The people of an organisation and the roles its admin grants them."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.permissions import Action, assert_can, assert_role_fits, can, manageable_users
from app.context import Context
from app.errors import Forbidden, NotFound, Unauthenticated
from app.organisations.models import Role, User


def _admin(ctx: Context) -> User:
    if ctx.user is None:
        raise Unauthenticated("Please sign in first.")
    assert_can(ctx.user, Action.user_manage)
    return ctx.user


async def members(ctx: Context) -> list[User]:
    """The admin's organisation, people waiting for a role first."""
    admin = _admin(ctx)
    rows = await ctx.db.scalars(
        select(User)
        .where(manageable_users(admin))
        .order_by(User.role.is_(None).desc(), User.name, User.id)
    )
    return list(rows)


async def set_role(ctx: Context, user_id: int, role: Role | None) -> User:
    """Grant, change or take away a role; the identity provider never does this.

    Only roles the organisation's kind may hold: so only a municipality's admin appoints its
    policy officers and auditors.
    """
    admin = _admin(ctx)
    member = await ctx.db.scalar(
        select(User)
        .options(joinedload(User.organisation))
        .where(User.id == user_id, manageable_users(admin))
    )
    if member is None:
        raise NotFound("This user does not exist.")
    if not can(admin, Action.user_manage, member):
        raise Forbidden(
            "You cannot change your own role; another admin of your organisation can.",
            code="own_role",
        )
    assert_role_fits(member.organisation, role)
    if member.role == role:
        return member
    previous, member.role = member.role, role
    await ctx.record(
        "user.role_granted" if role else "user.role_removed",
        "user",
        member.id,
        role=role,
        previous=previous,
    )
    await ctx.db.flush()
    return member
