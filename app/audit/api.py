"""Audit events and the verification of their chains, for auditors; signed checkpoints for all.

An auditor reads, once the deadline has passed, the sealed streams of the challenges of the
municipality that appointed them (their own organisation); never another municipality's. In the
platform stream, which every organisation writes to, they read in full only the events that
concern that municipality (`shown_in_full`); every other event comes redacted to its place in the
chain (stream, seq, prev_hash, hash), so the whole chain still links up against a checkpoint.
Admins manage accounts and read no audit stream: an organisation's admin reading other
municipalities' sealed streams is exactly the leak this guards against. The checkpoint and the
public key are public, so anyone can keep checkpoints.
"""

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.audit.checkpoint import build_checkpoint, challenge_of, verify_checkpoints
from app.audit.models import AuditEvent
from app.audit.schemas import Checkpoint, PublicKeyOut, SaltOut
from app.audit.service import PLATFORM, streams, verify_chain
from app.audit.signing import SigningKey, signing_key
from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.auth.permissions import Action, assert_signed_in, can, readable_audit_challenges
from app.challenges.models import Challenge
from app.context import Context
from app.db import MAX_INT
from app.errors import Forbidden, NotFound
from app.organisations.models import User
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"], dependencies=SIGNED_IN_API
)
# Public: signed checkpoints and the key that signs them, so anyone can keep and check them.
public_router = APIRouter(prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"])


class AuditEventOut(BaseModel):
    """An event; one that does not concern your municipality comes redacted: only its place in
    the chain (stream, seq, prev_hash, hash), every other field null and `redacted` true."""

    model_config = ConfigDict(from_attributes=True)
    stream: str
    seq: int
    occurred_at: datetime | None
    actor_id: int | None
    action: str | None
    entity_type: str | None
    entity_id: int | None
    data: dict[str, Any] | None
    prev_hash: str
    hash: str
    redacted: bool = Field(
        description="true: the event concerns another organisation; check its link "
        "(prev_hash, hash), its content is not yours to see",
    )

    @classmethod
    def of(cls, event: AuditEvent, full: bool) -> "AuditEventOut":
        chain = ("stream", "seq", "prev_hash", "hash")
        fields = {
            name: getattr(event, name) if full or name in chain else None
            for name in cls.model_fields
            if name != "redacted"
        }
        return cls(**fields, redacted=not full)


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    stream: str | None
    broken_seq: int | None
    reason: str | None


class FindingOut(BaseModel):
    kind: str = Field(
        description="unknown_key, bad_signature, stream_removed, truncated, rewritten, "
        "sealed_changed or chain_broken"
    )
    stream: str | None
    issued_at: str | None
    message: str


class CheckpointVerificationOut(VerificationOut):
    checkpoints: int
    skipped: int = Field(description="checkpoint entries for streams you may not read")
    findings: list[FindingOut]


def _require_auditor(ctx: Context) -> None:
    if not can(ctx.user, Action.audit_read):
        assert_signed_in(ctx.user)
        raise Forbidden("Only auditors can read the audit log.")


async def readable_challenges(ctx: Context) -> set[int]:
    """The challenges whose sealed stream the caller reads (audit.read_sealed)."""
    rows = await ctx.db.scalars(
        select(Challenge.id).where(readable_audit_challenges(ctx.user, ctx.now))
    )
    return set(rows)


async def readable_streams(ctx: Context) -> list[str]:
    """The platform stream, and the own municipality's sealed streams after their deadline."""
    opened = await readable_challenges(ctx)
    names = [name for name in await streams(ctx.db) if challenge_of(name) in opened]
    return [PLATFORM, *sorted(names)]


# What any published challenge's page shows anyway: its publication, amendments, answers (never
# who asked) and a cancellation with its reason. Drafts, questions and openings are not public.
PUBLIC_CHALLENGE_ACTIONS = frozenset(
    {"challenge.published", "challenge.amended", "question.answered", "challenge.cancelled"}
)


async def shown_in_full(ctx: Context, events: Sequence[AuditEvent]) -> set[int]:
    """The ids of the platform events the auditor reads in full; the others come redacted.

    In full: events about the auditor's own municipality's challenges, about or by its own users
    (actor, or entity_type "user"), about the organisation itself, about the platform as a whole
    (no organisation's: the demo clock moved, which moves every deadline), and the public events
    of any published challenge. Never another organisation's drafts, openings, sign-ins, role
    grants or tokens. Two queries for the whole page, whatever its length.
    """
    assert ctx.user is not None
    own = ctx.user.organisation_id
    named = {e.actor_id for e in events} | {e.entity_id for e in events if e.entity_type == "user"}
    named.discard(None)
    own_users = set(
        await ctx.db.scalars(select(User.id).where(User.id.in_(named), User.organisation_id == own))
        if named
        else ()
    )
    ids = {e.entity_id for e in events if e.entity_type == "challenge" and e.entity_id is not None}
    rows = (
        await ctx.db.execute(
            select(Challenge.id, Challenge.organisation_id, Challenge.published_at).where(
                Challenge.id.in_(ids)
            )
        )
        if ids
        else ()
    )
    challenges = {row.id: row for row in rows}

    def concerns_own(event: AuditEvent) -> bool:
        if event.actor_id in own_users:
            return True
        if event.entity_type == "user":
            return event.entity_id in own_users
        if event.entity_type == "organisation":
            return event.entity_id == own
        if event.entity_type == "platform":
            return True
        if event.entity_type == "challenge" and (row := challenges.get(event.entity_id)):
            if row.organisation_id == own:
                return True
            return row.published_at is not None and event.action in PUBLIC_CHALLENGE_ACTIONS
        return False

    return {event.id for event in events if concerns_own(event)}


def _key(request: Request) -> SigningKey:
    return signing_key(request.app.state.settings)


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
    """Events of one stream in order, paged by `seq` (pass the last seq you have as `after`).

    In the platform stream, events that do not concern your municipality come redacted."""
    _require_auditor(ctx)
    if stream != PLATFORM and challenge_of(stream) not in await readable_challenges(ctx):
        raise NotFound("This audit stream does not exist or is still sealed.")
    rows = (
        await ctx.db.scalars(
            select(AuditEvent)
            .where(AuditEvent.stream == stream, AuditEvent.seq > after)
            .order_by(AuditEvent.seq)
            .limit(limit)
        )
    ).all()
    # A sealed stream readable here is the own municipality's challenge's, all of it.
    full = await shown_in_full(ctx, rows) if stream == PLATFORM else {row.id for row in rows}
    return [AuditEventOut.of(row, row.id in full) for row in rows]


@router.get("/verify", response_model=VerificationOut)
async def verify(ctx: ApiCtx) -> VerificationOut:
    """Check the hash chains of every stream you can read."""
    _require_auditor(ctx)
    result = await verify_chain(ctx.db, only=await readable_streams(ctx))
    return VerificationOut(**result.__dict__)


@router.post("/verify", response_model=CheckpointVerificationOut)
async def verify_against_checkpoints(
    ctx: ApiCtx,
    request: Request,
    checkpoints: Annotated[
        Checkpoint | list[Checkpoint],
        Body(description="a checkpoint you kept, or a list of them"),
    ],
) -> CheckpointVerificationOut:
    """Check the chains and that every stream still holds the heads your checkpoints saw."""
    _require_auditor(ctx)
    kept = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    opened = await readable_challenges(ctx)
    report = await verify_checkpoints(
        ctx.db,
        [checkpoint.model_dump() for checkpoint in kept],
        _key(request),
        readable=lambda name: name == PLATFORM or challenge_of(name) in opened,
        only=await readable_streams(ctx),
    )
    return CheckpointVerificationOut(
        **{**report.chain.__dict__, "ok": report.ok},
        checkpoints=report.checkpoints,
        skipped=report.skipped,
        findings=[
            FindingOut(
                kind=finding.kind,
                stream=finding.stream,
                issued_at=finding.params.get("issued_at"),
                message=finding.text(),
            )
            for finding in report.findings
        ],
    )


@public_router.get("/checkpoint", response_model=Checkpoint)
async def checkpoint(ctx: ApiCtx, request: Request) -> dict[str, Any]:
    """A freshly signed checkpoint of every stream head; keep it outside Uitkomst (no token)."""
    return await build_checkpoint(ctx.db, ctx.now, _key(request))


@router.get(
    "/checkpoint/salt",
    response_model=SaltOut,
    responses={404: {"description": "No such challenge of yours, or it is still sealed"}},
)
async def checkpoint_salt(
    ctx: ApiCtx,
    request: Request,
    challenge_id: Annotated[int, Query(ge=1, le=MAX_INT)],
    nonce: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")],
) -> SaltOut:
    """The salt of a checkpoint's commitment to a sealed stream you may now read."""
    _require_auditor(ctx)
    if challenge_id not in await readable_challenges(ctx):
        raise NotFound("This audit stream does not exist or is still sealed.")
    key = _key(request)
    salt = key.salt(challenge_id, nonce).hex()
    return SaltOut(challenge_id=challenge_id, nonce=nonce, key_id=key.key_id, salt=salt)


@public_router.get("/public-key", response_model=PublicKeyOut)
async def public_key(request: Request) -> PublicKeyOut:
    """The Ed25519 key that signs checkpoints; pin it once and check every checkpoint with it."""
    key = _key(request)
    return PublicKeyOut(
        key_id=key.key_id, public_key=base64.b64encode(key.public_raw).decode(), pem=key.public_pem
    )
