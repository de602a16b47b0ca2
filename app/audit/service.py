"""Append events to the hash-chained audit log and verify the chain."""

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK = 7_270_001


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
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


async def record(
    db: AsyncSession,
    *,
    now: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; concurrent writers queue on a lock so the chain never forks."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    prev = await db.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    data = json.loads(canonical(data or {}))
    event = AuditEvent(
        occurred_at=now,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data,
        prev_hash=prev or GENESIS,
    )
    event.hash = event_hash(
        occurred_at=now,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data,
        prev_hash=event.prev_hash,
    )
    db.add(event)
    await db.flush()
    return event


@dataclass
class Verification:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"ok ({self.checked} events)"
        return f"broken at event {self.broken_event_id}: {self.reason}"


async def _events(db: AsyncSession, batch: int = 1000) -> AsyncIterator[AuditEvent]:
    last_id = 0
    while True:
        rows = (
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last_id = rows[-1].id
        db.expunge_all()


async def verify_chain(db: AsyncSession) -> Verification:
    """Walk the log in order; report the first event whose link or content does not hold."""
    expected_prev = GENESIS
    checked = 0
    async for event in _events(db):
        if event.prev_hash != expected_prev:
            return Verification(False, checked, event.id, "previous-hash link does not match")
        recomputed = event_hash(
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            data=event.data,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return Verification(False, checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return Verification(True, checked)
