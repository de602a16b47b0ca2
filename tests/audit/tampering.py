"""What an attacker with write access to the database does to the audit log."""

from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.service import event_hash

# The append-only triggers of migration 0001, per dialect.
TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
    ],
    "sqlite": ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
}


async def drop_guard(db: AsyncSession) -> None:
    """Drop the triggers; the test's outer transaction is rolled back, triggers included."""
    for statement in TRIGGERS[db.get_bind().dialect.name]:
        await db.execute(text(statement))


async def cut_last(db: AsyncSession, stream: str) -> int:
    """Delete the last event of a stream; returns the seq that remains."""
    await drop_guard(db)
    last = await db.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.stream == stream)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    await db.execute(delete(AuditEvent).where(AuditEvent.stream == stream, AuditEvent.seq == last))
    db.expunge_all()
    return last - 1


async def remove_stream(db: AsyncSession, stream: str) -> None:
    await drop_guard(db)
    await db.execute(delete(AuditEvent).where(AuditEvent.stream == stream))
    db.expunge_all()


async def rewrite(db: AsyncSession, stream: str, seq: int, data: dict[str, Any]) -> None:
    """Change one event and re-hash it and every event after it, so the chain holds again."""
    await drop_guard(db)
    rows = (
        (
            await db.execute(
                select(AuditEvent)
                .where(AuditEvent.stream == stream, AuditEvent.seq >= seq)
                .order_by(AuditEvent.seq)
            )
        )
        .scalars()
        .all()
    )
    prev_hash = rows[0].prev_hash
    changes = []
    for row in rows:
        fields = dict(
            stream=row.stream,
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor_id=row.actor_id,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            data=data if row.seq == seq else row.data,
            prev_hash=prev_hash,
        )
        prev_hash = event_hash(**fields)
        changes.append((row.id, fields["data"], fields["prev_hash"], prev_hash))
    db.expunge_all()
    for event_id, new_data, new_prev, new_hash in changes:
        await db.execute(
            update(AuditEvent)
            .where(AuditEvent.id == event_id)
            .values(data=new_data, prev_hash=new_prev, hash=new_hash)
        )
