"""Append events to the hash-chained audit streams and verify them."""

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent

GENESIS = "0" * 64
PLATFORM = "platform"


def sealed_stream(challenge_id: int) -> str:
    """The stream for events that would reveal sealed proposals before the deadline."""
    return f"sealed:challenge:{challenge_id}"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
    stream: str,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = canonical(
        {
            "stream": stream,
            "seq": seq,
            "occurred_at": occurred_at.isoformat(),
            "actor_id": actor_id,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "data": data,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_key(stream: str) -> int:
    return int.from_bytes(hashlib.sha256(stream.encode()).digest()[:8], "big", signed=True)


async def record(
    db: AsyncSession,
    *,
    now: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    data: dict[str, Any] | None = None,
    stream: str = PLATFORM,
) -> AuditEvent:
    """Append one event; concurrent writers queue on a per-stream lock so no chain forks."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(stream)})
    last = (
        await db.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.stream == stream)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    now = now.astimezone(UTC)  # hash the moment as it will read back from the database
    data = json.loads(canonical(data or {}))
    fields = dict(
        stream=stream,
        seq=seq,
        occurred_at=now,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data,
        prev_hash=prev_hash,
    )
    event = AuditEvent(**fields, hash=event_hash(**fields))
    db.add(event)
    await db.flush()
    return event


@dataclass
class Verification:
    ok: bool
    checked: int
    stream: str | None = None
    broken_seq: int | None = None
    reason: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"ok ({self.checked} events)"
        return f"broken in stream {self.stream} at event {self.broken_seq}: {self.reason}"


async def _events(db: AsyncSession, stream: str, batch: int = 1000) -> AsyncIterator[AuditEvent]:
    last = 0
    while True:
        query = (
            select(AuditEvent)
            .where(AuditEvent.stream == stream, AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(batch)
        )
        rows = (await db.scalars(query)).all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].seq
        db.expunge_all()


async def streams(db: AsyncSession) -> list[str]:
    return list((await db.scalars(select(AuditEvent.stream).distinct())).all())


async def verify_stream(db: AsyncSession, stream: str) -> Verification:
    """Walk one stream in order; report the first event whose link or content does not hold."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    async for event in _events(db, stream):
        if event.seq != expected_seq:
            return Verification(False, checked, stream, expected_seq, "an event is missing")
        if event.prev_hash != expected_prev:
            return Verification(
                False, checked, stream, event.seq, "previous-hash link does not match"
            )
        recomputed = event_hash(
            stream=event.stream,
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            data=event.data,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return Verification(
                False, checked, stream, event.seq, "content does not match its hash"
            )
        expected_prev, expected_seq = event.hash, expected_seq + 1
        checked += 1
    return Verification(True, checked, stream)


async def verify_chain(db: AsyncSession, only: list[str] | None = None) -> Verification:
    """Verify every stream (or the given ones); the first broken one is reported."""
    total = 0
    for stream in sorted(only if only is not None else await streams(db)):
        result = await verify_stream(db, stream)
        if not result.ok:
            return result
        total += result.checked
    return Verification(True, total)
