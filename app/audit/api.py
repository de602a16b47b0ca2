"""Audit events and the verification of their chains, for auditors."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import PLATFORM, streams, verify_chain
from app.auth.deps import ApiCtx
from app.challenges.models import Challenge
from app.context import Context
from app.db import MAX_INT
from app.errors import Forbidden, NotFound, Unauthenticated
from app.organisations.models import Role
from app.routing import CommittingRoute

router = APIRouter(prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"])


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    stream: str
    seq: int
    occurred_at: datetime
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    stream: str | None
    broken_seq: int | None
    reason: str | None


def _require_auditor(ctx: Context) -> None:
    if ctx.user is None:
        raise Unauthenticated("Please sign in first.")
    if ctx.user.role not in (Role.auditor, Role.admin):
        raise Forbidden("Only auditors and admins can read the audit log.")


async def readable_streams(ctx: Context) -> list[str]:
    """The platform stream, and a challenge's sealed stream once its deadline has passed."""
    names = await streams(ctx.db)
    sealed = {int(name.rsplit(":", 1)[1]): name for name in names if name.startswith("sealed:")}
    if not sealed:
        return [PLATFORM]
    opened = await ctx.db.scalars(
        select(Challenge.id).where(
            Challenge.id.in_(sealed), Challenge.submission_deadline <= ctx.now
        )
    )
    return [PLATFORM] + sorted(sealed[challenge_id] for challenge_id in opened)


@router.get("/streams", response_model=list[str])
async def list_streams(ctx: ApiCtx) -> list[str]:
    """The streams you can read now (sealed streams appear once their deadline has passed)."""
    _require_auditor(ctx)
    return await readable_streams(ctx)


@router.get(
    "/events",
    response_model=list[AuditEventOut],
    responses={404: {"description": "No such stream, or it is still sealed"}},
)
async def events(
    ctx: ApiCtx,
    stream: Annotated[str, Query(max_length=60)] = PLATFORM,
    after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventOut]:
    """Events of one stream in order, paged by `seq` (pass the last seq you have as `after`)."""
    _require_auditor(ctx)
    if stream not in await readable_streams(ctx):
        raise NotFound("This audit stream does not exist or is still sealed.")
    rows = await ctx.db.scalars(
        select(AuditEvent)
        .where(AuditEvent.stream == stream, AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return [AuditEventOut.model_validate(row) for row in rows]


@router.get("/verify", response_model=VerificationOut)
async def verify(ctx: ApiCtx) -> VerificationOut:
    """Check the hash chains of every stream you can read."""
    _require_auditor(ctx)
    result = await verify_chain(ctx.db, only=await readable_streams(ctx))
    return VerificationOut(**result.__dict__)
