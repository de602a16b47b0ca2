"""Finding challenges: the filtered, paged list and the municipalities that have any."""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.permissions import readable_challenges
from app.challenges.models import Challenge, ChallengeStatus, Theme
from app.context import Context
from app.organisations.models import Organisation


@dataclass
class ChallengeFilter:
    status: str | None = None
    municipality: int | None = None
    theme: Theme | None = None
    q: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class Page:
    items: list[Challenge]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _filtered(ctx: Context, f: ChallengeFilter) -> Select:
    query = select(Challenge).where(readable_challenges(ctx.user))
    if f.status == "open":
        query = query.where(
            Challenge.status == ChallengeStatus.published, Challenge.submission_deadline > ctx.now
        )
    elif f.status == "closed":
        query = query.where(
            Challenge.status == ChallengeStatus.published, Challenge.submission_deadline <= ctx.now
        )
    elif f.status in ("draft", "cancelled"):
        query = query.where(Challenge.status == ChallengeStatus(f.status))
    if f.municipality:
        query = query.where(Challenge.organisation_id == f.municipality)
    if f.theme:
        query = query.where(Challenge.theme == f.theme)
    for term in (f.q or "").replace("\x00", "").split()[:8]:
        pattern = f"%{term.lower().replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                func.lower(Challenge.title).like(pattern),
                func.lower(Challenge.summary).like(pattern),
                func.lower(Challenge.desired_result).like(pattern),
                func.lower(Challenge.target_group).like(pattern),
            )
        )
    return query


def _stage_order(now: datetime) -> ColumnElement[int]:
    """Open challenges first (soonest deadline first), then drafts, closed, cancelled."""
    return case(
        (
            and_(
                Challenge.status == ChallengeStatus.published, Challenge.submission_deadline > now
            ),
            0,
        ),
        (Challenge.status == ChallengeStatus.draft, 1),
        (Challenge.status == ChallengeStatus.published, 2),
        else_=3,
    )


async def list_challenges(ctx: Context, f: ChallengeFilter) -> Page:
    base = _filtered(ctx, f)
    total = await ctx.db.scalar(select(func.count()).select_from(base.subquery()))
    items = (
        await ctx.db.scalars(
            base.options(selectinload(Challenge.organisation))
            .order_by(_stage_order(ctx.now), Challenge.submission_deadline, Challenge.id.desc())
            .limit(f.per_page)
            .offset((f.page - 1) * f.per_page)
        )
    ).all()
    return Page(items=list(items), total=total or 0, page=f.page, per_page=f.per_page)


async def municipalities_with_challenges(ctx: Context) -> list[Organisation]:
    ids = select(Challenge.organisation_id).where(readable_challenges(ctx.user))
    return list(
        (
            await ctx.db.scalars(
                select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
            )
        ).all()
    )
