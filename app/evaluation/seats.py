"""Where the caller sits: the facts the evaluation's rules (permissions.py) decide on."""

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app.auth.permissions import Action, assert_can
from app.challenges.models import Challenge
from app.context import Context
from app.evaluation.models import CommitteeMember, CommitteeRole, ScoringSubmission


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


async def my_seats(ctx: Context) -> list[tuple[Challenge, CommitteeRole, datetime | None]]:
    """The caller's seats on committees now: (challenge, role, when they submitted their
    scores or None), the latest deadline first; for those who may sit on one."""
    assert_can(ctx.user, Action.evaluation_list_own)
    rows = await ctx.db.execute(
        select(Challenge, CommitteeMember.role, ScoringSubmission.submitted_at)
        .join(CommitteeMember, CommitteeMember.challenge_id == Challenge.id)
        .outerjoin(
            ScoringSubmission,
            and_(
                ScoringSubmission.challenge_id == Challenge.id,
                ScoringSubmission.user_id == ctx.user.id,
            ),
        )
        .where(CommitteeMember.user_id == ctx.user.id, CommitteeMember.removed_at.is_(None))
        .order_by(Challenge.submission_deadline.desc(), Challenge.id.desc())
    )
    return [(challenge, role, submitted_at) for challenge, role, submitted_at in rows]
