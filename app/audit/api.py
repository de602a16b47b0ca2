"""Audit events and the verification of their chain, for auditors."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.auth.deps import ApiCtx
from app.errors import Forbidden, Unauthenticated
from app.organisations.models import Role
from app.routing import CommittingRoute

router = APIRouter(prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"])


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
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
    broken_event_id: int | None
    reason: str | None


def _require_auditor(ctx) -> None:
    if ctx.user is None:
        raise Unauthenticated("Please sign in first.")
    if ctx.user.role not in (Role.auditor, Role.admin):
        raise Forbidden("Only auditors and admins can read the audit log.")


@router.get("/events", response_model=list[AuditEventOut])
async def events(
    ctx: ApiCtx,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventOut]:
    """Events in order, paged by id (pass the last id you have as `after`)."""
    _require_auditor(ctx)
    rows = await ctx.db.scalars(
        select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(limit)
    )
    return [AuditEventOut.model_validate(row) for row in rows]


@router.get("/verify", response_model=VerificationOut)
async def verify(ctx: ApiCtx) -> VerificationOut:
    _require_auditor(ctx)
    result = await verify_chain(ctx.db)
    return VerificationOut(**result.__dict__)
