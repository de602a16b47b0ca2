"""Who reads which part of the audit log: a municipality's auditors, or the public.

Both faces of the audit API read through here: auditors signed in as people (app/audit/api.py)
and the programs of API clients (app/audit/client_api.py). A reader reads on behalf of one
municipality, or of nobody (the public):
- streams: the platform stream, and the municipality's own sealed streams once their deadline
  has passed; the public reads the platform stream only;
- events of the platform stream in full only where they concern that municipality (see
  `shown_in_full`); the public in full only what any published challenge's page shows anyway
  and what concerns the platform as a whole. Every other event comes redacted to its place in
  the chain, so the whole stream still links up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.checkpoint import CheckpointReport, challenge_of, verify_checkpoints
from app.audit.models import AuditEvent
from app.audit.schemas import CheckpointVerificationOut, FindingOut
from app.audit.service import PLATFORM, Verification, streams, verify_chain
from app.audit.signing import SigningKey
from app.auth.permissions import sealed_streams_of
from app.challenges.models import Challenge
from app.errors import NotFound
from app.organisations.models import User

# What any published challenge's page shows anyway: its publication, amendments, answers (never
# who asked) and a cancellation with its reason. Drafts, questions and openings are not public.
PUBLIC_CHALLENGE_ACTIONS = frozenset(
    {"challenge.published", "challenge.amended", "question.answered", "challenge.cancelled"}
)


@dataclass(frozen=True)
class AuditReader:
    """On whose behalf the log is read: a municipality's id, or None for the public."""

    municipality_id: int | None
    now: datetime


async def opened_challenges(db: AsyncSession, reader: AuditReader) -> set[int]:
    """The challenges whose sealed stream the reader reads (audit.read_sealed)."""
    rows = await db.scalars(
        select(Challenge.id).where(sealed_streams_of(reader.municipality_id, reader.now))
    )
    return set(rows)


async def readable_streams(db: AsyncSession, reader: AuditReader) -> list[str]:
    """The platform stream, and the own municipality's sealed streams after their deadline."""
    opened = await opened_challenges(db, reader)
    names = [name for name in await streams(db) if challenge_of(name) in opened]
    return [PLATFORM, *sorted(names)]


async def shown_in_full(
    db: AsyncSession, reader: AuditReader, events: Sequence[AuditEvent]
) -> set[int]:
    """The ids of the platform events the reader reads in full; the others come redacted.

    In full: events about the municipality's own challenges, about or by its own users
    (actor, or entity_type "user"), about the organisation itself, about the platform as a whole
    (no organisation's: the demo clock moved, which moves every deadline), and the public events
    of any published challenge. The public reads only the last two. Never another
    organisation's drafts, openings, sign-ins, role grants or tokens. At most two queries for
    the whole page, whatever its length.
    """
    own = reader.municipality_id
    named = {e.actor_id for e in events} | {e.entity_id for e in events if e.entity_type == "user"}
    named.discard(None)
    own_users = set(
        await db.scalars(select(User.id).where(User.id.in_(named), User.organisation_id == own))
        if named and own is not None
        else ()
    )
    ids = {e.entity_id for e in events if e.entity_type == "challenge" and e.entity_id is not None}
    rows = (
        await db.execute(
            select(Challenge.id, Challenge.organisation_id, Challenge.published_at).where(
                Challenge.id.in_(ids)
            )
        )
        if ids
        else ()
    )
    challenges = {row.id: row for row in rows}

    def concerns_reader(event: AuditEvent) -> bool:
        if event.actor_id in own_users:
            return True
        if event.entity_type == "user":
            return event.entity_id in own_users
        if event.entity_type == "organisation":
            return own is not None and event.entity_id == own
        if event.entity_type == "platform":
            return True
        if event.entity_type == "challenge" and (row := challenges.get(event.entity_id)):
            if own is not None and row.organisation_id == own:
                return True
            return row.published_at is not None and event.action in PUBLIC_CHALLENGE_ACTIONS
        return False

    return {event.id for event in events if concerns_reader(event)}


async def events_page(
    db: AsyncSession, reader: AuditReader, stream: str, after: int, limit: int
) -> list[tuple[AuditEvent, bool]]:
    """Up to `limit` events of one stream after seq `after`, each with whether it is shown in
    full. A sealed stream that is not the reader's, or not yet open, is as missing as one that
    does not exist."""
    if stream != PLATFORM and challenge_of(stream) not in await opened_challenges(db, reader):
        raise NotFound("This audit stream does not exist or is still sealed.")
    rows = (
        await db.scalars(
            select(AuditEvent)
            .where(AuditEvent.stream == stream, AuditEvent.seq > after)
            .order_by(AuditEvent.seq)
            .limit(limit)
        )
    ).all()
    # A sealed stream readable here is the own municipality's challenge's, all of it.
    full = await shown_in_full(db, reader, rows) if stream == PLATFORM else {r.id for r in rows}
    return [(row, row.id in full) for row in rows]


async def verify_readable(db: AsyncSession, reader: AuditReader) -> Verification:
    """The hash chains of every stream the reader reads (its count moves with nothing else)."""
    return await verify_chain(db, only=await readable_streams(db, reader))


async def verify_with_checkpoints(
    db: AsyncSession, reader: AuditReader, kept: list[dict[str, Any]], key: SigningKey
) -> CheckpointReport:
    """The readable chains, and every kept checkpoint's heads of the streams the reader reads
    (entries for other streams are skipped, not reported)."""
    opened = await opened_challenges(db, reader)
    return await verify_checkpoints(
        db,
        kept,
        key,
        readable=lambda name: name == PLATFORM or challenge_of(name) in opened,
        only=await readable_streams(db, reader),
    )


def checkpoint_report_out(report: CheckpointReport) -> CheckpointVerificationOut:
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


async def commitment_salt(
    db: AsyncSession, reader: AuditReader, key: SigningKey, challenge_id: int, nonce: str
) -> str:
    """The salt (hex) that opens a checkpoint's commitment to a sealed stream the reader may
    now read; any other is as missing as a stream that does not exist."""
    if challenge_id not in await opened_challenges(db, reader):
        raise NotFound("This audit stream does not exist or is still sealed.")
    return key.salt(challenge_id, nonce).hex()
