"""The audit log as a paged feed for the programs of auditors: API clients with `audit:read`.

The same log, rules and answers as /api/v1/audit for auditors signed in as people (see
app/audit/reading.py), read on behalf of the municipality whose admin registered the client. A
client registered at the command line (no organisation), or by an organisation that is not a
municipality, reads as the public: the platform stream only, in full only the public acts of
published challenges and what concerns the platform as a whole, every other event redacted to
its place in the chain. Sealed streams stay hidden until their deadline, with the same 404 as a
stream that does not exist.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy import select

from app.api_clients.deps import ClientCaller, require_scope
from app.audit import reading
from app.audit.checkpoint import build_checkpoint
from app.audit.reading import AuditReader
from app.audit.schemas import (
    AuditEventOut,
    Checkpoint,
    CheckpointVerificationOut,
    SaltOut,
    VerificationOut,
)
from app.audit.service import PLATFORM
from app.audit.signing import SigningKey, signing_key
from app.auth.deps import Now
from app.auth.permissions import client_reads_for
from app.db import MAX_INT, DbSession
from app.organisations.models import Organisation
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1/auditor/audit",
    route_class=CommittingRoute,
    tags=["auditor"],
    dependencies=[require_scope("audit:read")],
)

HASH = "9c1185a5c5e9fc54612808977ee8f548b2258d31a7f1b8e9d4b2f1c0e3a6d7b8"
PREV = "4f2a0c9e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f"
RATE_LIMITED = {429: {"description": "Too many requests from this API client; see `Retry-After`"}}
HIDDEN = {404: {"description": "No such stream, or it is still sealed, or not yours to read"}}


def _example(value: Any, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": description, "content": {"application/json": {"example": value}}},
        **RATE_LIMITED,
    }


async def client_reader(caller: ClientCaller, db: DbSession, now: Now) -> AuditReader:
    """On whose behalf the client reads: the municipality that registered it, else the public."""
    kind = None
    if caller.client.organisation_id is not None:
        kind = await db.scalar(
            select(Organisation.kind).where(Organisation.id == caller.client.organisation_id)
        )
    return AuditReader(client_reads_for(caller.client, kind), now)


Reader = Annotated[AuditReader, Depends(client_reader)]


def _key(request: Request) -> SigningKey:
    return signing_key(request.app.state.settings)


@router.get(
    "/streams",
    response_model=list[str],
    summary="The audit streams this client reads",
    responses=_example(["platform", "sealed:challenge:4"], "Stream names, the platform first"),
)
async def list_streams(db: DbSession, reader: Reader) -> list[str]:
    """The platform stream, and the sealed streams of the registering municipality's challenges
    whose submission deadline has passed."""
    return await reading.readable_streams(db, reader)


EVENT_EXAMPLE = [
    {
        "stream": "platform",
        "seq": 41,
        "occurred_at": "2026-03-02T09:00:00Z",
        "actor_id": 7,
        "action": "challenge.published",
        "entity_type": "challenge",
        "entity_id": 4,
        "data": {"title": "Thuiszitters terug naar school"},
        "prev_hash": PREV,
        "hash": HASH,
        "redacted": False,
    },
    {
        "stream": "platform",
        "seq": 42,
        "occurred_at": None,
        "actor_id": None,
        "action": None,
        "entity_type": None,
        "entity_id": None,
        "data": None,
        "prev_hash": HASH,
        "hash": "0d6f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3",
        "redacted": True,
    },
]


@router.get(
    "/events",
    response_model=list[AuditEventOut],
    summary="A page of one stream's events, with their hashes",
    responses={
        **_example(
            EVENT_EXAMPLE,
            "Events in seq order. Each carries every field its hash covers (stream, seq, "
            "occurred_at, actor_id, action, entity_type, entity_id, data, prev_hash) and the "
            "hash; a redacted one only its place in the chain",
        ),
        **HIDDEN,
    },
)
async def events(
    db: DbSession,
    reader: Reader,
    stream: Annotated[str, Query(max_length=60, description="A name from /streams")] = PLATFORM,
    after: Annotated[
        int, Query(ge=0, le=MAX_INT, description="The last seq you have; 0 from the start")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventOut]:
    """Events of one stream in order, paged by `seq`: pass the last seq you have as `after`; a
    page shorter than `limit` is the end. Recompute each hash with the README's hashing rule;
    an event that does not concern the registering municipality comes redacted (`redacted`
    true: every field but stream, seq, prev_hash and hash null), so its link still checks."""
    page = await reading.events_page(db, reader, stream, after, limit)
    return [AuditEventOut.of(row, full) for row, full in page]


@router.get(
    "/verify",
    response_model=VerificationOut,
    summary="The server checks the chains this client reads",
    responses=_example(
        {"ok": True, "checked": 812, "stream": None, "broken_seq": None, "reason": None},
        "`ok`, or the first broken link: its stream, seq and why",
    ),
)
async def verify(db: DbSession, reader: Reader) -> VerificationOut:
    """Recompute every hash of every stream this client reads (redacted events included) and
    report the first event whose link or content does not hold."""
    result = await reading.verify_readable(db, reader)
    return VerificationOut(**result.__dict__)


@router.post(
    "/verify",
    response_model=CheckpointVerificationOut,
    summary="The same, and kept checkpoints against what the log holds now",
    responses=_example(
        {
            "ok": False,
            "checked": 812,
            "stream": None,
            "broken_seq": None,
            "reason": None,
            "checkpoints": 2,
            "skipped": 1,
            "findings": [
                {
                    "kind": "truncated",
                    "stream": "platform",
                    "issued_at": "2026-03-02T09:00:00+00:00",
                    "message": "Stream platform ends at seq 4, but the checkpoint of "
                    "2026-03-02T09:00:00+00:00 saw seq 7.",
                }
            ],
        },
        "`ok` is true when nothing was found; entries for streams you do not read are skipped",
    ),
)
async def verify_against_checkpoints(
    request: Request,
    db: DbSession,
    reader: Reader,
    checkpoints: Annotated[
        Checkpoint | list[Checkpoint],
        Body(description="a checkpoint you kept (from /checkpoint), or a list of them"),
    ],
) -> CheckpointVerificationOut:
    """Check the chains, and that every stream still holds the heads your checkpoints saw."""
    kept = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    report = await reading.verify_with_checkpoints(
        db, reader, [checkpoint.model_dump() for checkpoint in kept], _key(request)
    )
    return reading.checkpoint_report_out(report)


@router.get(
    "/checkpoint",
    response_model=Checkpoint,
    summary="A freshly signed checkpoint of every stream head",
    responses=_example(
        {
            "format": "uitkomst-checkpoint/1",
            "issued_at": "2026-03-02T09:00:00+00:00",
            "key_id": "3f9a0c1b2d4e5f60",
            "nonce": "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
            "streams": [
                {"stream": "platform", "seq": 812, "hash": HASH},
                {"stream": "sealed:challenge:4", "seq": 17, "hash": PREV},
            ],
            "sealed": [{"challenge_id": 7, "commitment": HASH}],
            "signature": "q83v…",
        },
        "The same checkpoint as /api/v1/audit/checkpoint, which anyone reads without a token",
    ),
)
async def checkpoint(request: Request, db: DbSession, now: Now) -> dict[str, Any]:
    """Keep it outside Uitkomst; later POST it to /verify, or give it to
    scripts/verify_audit_feed.py, to show the log still holds what it saw."""
    return await build_checkpoint(db, now, _key(request))


@router.get(
    "/checkpoint/salt",
    response_model=SaltOut,
    summary="The salt that opens a checkpoint's commitment to a sealed stream",
    responses={
        **_example(
            {
                "challenge_id": 7,
                "nonce": "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
                "key_id": "3f9a0c1b2d4e5f60",
                "salt": "5e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6",
            },
            "commitment = sha256(salt || canonical head)",
        ),
        **HIDDEN,
    },
)
async def checkpoint_salt(
    request: Request,
    db: DbSession,
    reader: Reader,
    challenge_id: Annotated[int, Query(ge=1, le=MAX_INT)],
    nonce: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")],
) -> SaltOut:
    """For a sealed stream this client may now read (the registering municipality's, after
    the deadline); any other answers 404."""
    key = _key(request)
    salt = await reading.commitment_salt(db, reader, key, challenge_id, nonce)
    return SaltOut(challenge_id=challenge_id, nonce=nonce, key_id=key.key_id, salt=salt)
