"""Audit events and the verification of their chains, for auditors; signed checkpoints for all.

An auditor reads, once the deadline has passed, the sealed streams of the challenges of the
municipality that appointed them (their own organisation); never another municipality's. In the
platform stream, which every organisation writes to, they read in full only the events that
concern that municipality (`shown_in_full`); every other event comes redacted to its place in the
chain (stream, seq, prev_hash, hash), so the whole chain still links up against a checkpoint.
Admins manage accounts and read no audit stream: an organisation's admin reading other
municipalities' sealed streams is exactly the leak this guards against. The checkpoint and the
public key are public, so anyone can keep checkpoints. The rules are in app/audit/reading.py;
the programs of API clients read the same log through app/audit/client_api.py.
"""

import base64
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from app.audit import reading
from app.audit.checkpoint import build_checkpoint
from app.audit.models import AuditEvent
from app.audit.reading import AuditReader
from app.audit.schemas import (
    AuditEventOut,
    Checkpoint,
    CheckpointVerificationOut,
    PublicKeyOut,
    SaltOut,
    VerificationOut,
)
from app.audit.service import PLATFORM
from app.audit.signing import SigningKey, signing_key
from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.auth.permissions import Action, assert_signed_in, can
from app.context import Context
from app.db import MAX_INT
from app.errors import Forbidden
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"], dependencies=SIGNED_IN_API
)
# Public: signed checkpoints and the key that signs them, so anyone can keep and check them.
public_router = APIRouter(prefix="/api/v1/audit", route_class=CommittingRoute, tags=["audit"])


def _require_auditor(ctx: Context) -> None:
    if not can(ctx.user, Action.audit_read):
        assert_signed_in(ctx.user)
        raise Forbidden("Only auditors can read the audit log.")


def reader_of(ctx: Context) -> AuditReader:
    """A signed-in auditor reads on behalf of the municipality that appointed them."""
    assert ctx.user is not None
    return AuditReader(ctx.user.organisation_id, ctx.now)


async def shown_in_full(ctx: Context, events: Sequence[AuditEvent]) -> set[int]:
    """The ids of the platform events the auditor reads in full (app/audit/reading.py)."""
    return await reading.shown_in_full(ctx.db, reader_of(ctx), events)


def _key(request: Request) -> SigningKey:
    return signing_key(request.app.state.settings)


@router.get("/streams", response_model=list[str])
async def list_streams(ctx: ApiCtx) -> list[str]:
    """The streams you can read now (sealed streams appear once their deadline has passed)."""
    _require_auditor(ctx)
    return await reading.readable_streams(ctx.db, reader_of(ctx))


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
    page = await reading.events_page(ctx.db, reader_of(ctx), stream, after, limit)
    return [AuditEventOut.of(row, full) for row, full in page]


@router.get("/verify", response_model=VerificationOut)
async def verify(ctx: ApiCtx) -> VerificationOut:
    """Check the hash chains of every stream you can read."""
    _require_auditor(ctx)
    result = await reading.verify_readable(ctx.db, reader_of(ctx))
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
    report = await reading.verify_with_checkpoints(
        ctx.db, reader_of(ctx), [checkpoint.model_dump() for checkpoint in kept], _key(request)
    )
    return reading.checkpoint_report_out(report)


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
    key = _key(request)
    salt = await reading.commitment_salt(ctx.db, reader_of(ctx), key, challenge_id, nonce)
    return SaltOut(challenge_id=challenge_id, nonce=nonce, key_id=key.key_id, salt=salt)


@public_router.get("/public-key", response_model=PublicKeyOut)
async def public_key(request: Request) -> PublicKeyOut:
    """The Ed25519 key that signs checkpoints; pin it once and check every checkpoint with it."""
    key = _key(request)
    return PublicKeyOut(
        key_id=key.key_id, public_key=base64.b64encode(key.public_raw).decode(), pem=key.public_pem
    )
