"""Where the caller sits: the facts the evaluation's rules (permissions.py) decide on."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.context import Context
from app.evaluation.models import CommitteeMember, CommitteeRole


async def committee_role(ctx: Context, challenge_id: int) -> CommitteeRole | None:
    """The caller's role on the challenge's committee now, or None."""
    if ctx.user is None:
        return None
    return await ctx.db.scalar(
        select(CommitteeMember.role).where(
            CommitteeMember.challenge_id == challenge_id,
            CommitteeMember.user_id == ctx.user.id,
            CommitteeMember.removed_at.is_(None),
        )
    )


async def current_members(ctx: Context, challenge_id: int) -> list[CommitteeMember]:
    """The committee as it stands: the chair first, then the evaluators in the order added."""
    rows = await ctx.db.scalars(
        select(CommitteeMember)
        .options(joinedload(CommitteeMember.user))
        .where(CommitteeMember.challenge_id == challenge_id, CommitteeMember.removed_at.is_(None))
        .order_by(CommitteeMember.id)
    )
    members = list(rows)
    return sorted(members, key=lambda m: m.role != CommitteeRole.chair)
