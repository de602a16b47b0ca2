"""Signed checkpoints: the head of every audit stream, anchored outside the database.

The hash chain alone cannot show that its end was cut off, that a whole stream was deleted, or
that someone changed an event and re-hashed everything after it. A checkpoint can: it lists the
head (seq, hash) of the platform stream and of every sealed stream whose deadline has passed, and
for every challenge still taking proposals a salted commitment to the head of its sealed stream,
so before the deadline it shows neither whether nor when anyone acted. Auditors keep checkpoints
outside Uitkomst; `verify_checkpoints` then reports a log that no longer holds what they saw.
"""

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.schemas import FORMAT
from app.audit.service import GENESIS, PLATFORM, Verification, sealed_stream, verify_chain
from app.audit.signing import SigningKey, commitment, verify_signature
from app.auth.permissions import unsealed_clause
from app.challenges.models import Challenge
from app.i18n import translate

_SEALED = re.compile(r"sealed:challenge:([0-9]{1,18})")

_MESSAGES = {
    "unknown_key": "The checkpoint of %(issued_at)s was signed with key %(key_id)s, which is not "
    "this platform's audit key (%(current)s).",
    "bad_signature": "The checkpoint of %(issued_at)s does not carry a valid signature: it was "
    "changed or forged.",
    "stream_removed": "Stream %(stream)s is gone, but the checkpoint of %(issued_at)s saw it at "
    "seq %(seq)s.",
    "truncated": "Stream %(stream)s ends at seq %(found)s, but the checkpoint of %(issued_at)s "
    "saw seq %(seq)s.",
    "rewritten": "Event %(seq)s of stream %(stream)s is not the event the checkpoint of "
    "%(issued_at)s saw: the chain was rewritten.",
    "sealed_changed": "The sealed stream of challenge %(challenge_id)s no longer holds the state "
    "the checkpoint of %(issued_at)s committed to: events were removed or rewritten.",
    "chain_broken": "Stream %(stream)s is broken at event %(seq)s: %(reason)s.",
}


def challenge_of(stream: str) -> int | None:
    """The challenge id of a sealed stream's name, else None."""
    match = _SEALED.fullmatch(stream)
    return int(match.group(1)) if match else None


async def stream_heads(db: AsyncSession) -> dict[str, tuple[int, str]]:
    """The last (seq, hash) of every stream, in one query."""
    last = (
        select(AuditEvent.stream, func.max(AuditEvent.seq).label("seq"))
        .group_by(AuditEvent.stream)
        .subquery()
    )
    rows = await db.execute(
        select(AuditEvent.stream, AuditEvent.seq, AuditEvent.hash).join(
            last, (AuditEvent.stream == last.c.stream) & (AuditEvent.seq == last.c.seq)
        )
    )
    return {row.stream: (row.seq, row.hash) for row in rows}


async def _still_sealed(db: AsyncSession, now: datetime, heads: dict) -> list[int]:
    """Challenges before their deadline that are public (published) or have a sealed stream."""
    with_stream = {cid for name in heads if (cid := challenge_of(name)) is not None}
    rows = await db.execute(
        select(Challenge.id, Challenge.published_at).where(~unsealed_clause(now))
    )
    return sorted(row.id for row in rows if row.published_at is not None or row.id in with_stream)


async def build_checkpoint(db: AsyncSession, now: datetime, key: SigningKey) -> dict[str, Any]:
    """A freshly signed checkpoint; it only reads."""
    heads = await stream_heads(db)
    sealed_ids = await _still_sealed(db, now, heads)
    hidden = {sealed_stream(cid) for cid in sealed_ids}
    streams = {PLATFORM: (0, GENESIS)} | {n: h for n, h in heads.items() if n not in hidden}
    nonce = secrets.token_hex(16)
    body = {
        "format": FORMAT,
        "issued_at": now.astimezone(UTC).isoformat(),
        "key_id": key.key_id,
        "nonce": nonce,
        "streams": [
            {"stream": name, "seq": seq, "hash": head_hash}
            for name, (seq, head_hash) in sorted(streams.items())
        ],
        "sealed": [
            {
                "challenge_id": cid,
                "commitment": commitment(
                    key.salt(cid, nonce),
                    sealed_stream(cid),
                    *heads.get(sealed_stream(cid), (0, GENESIS)),
                ),
            }
            for cid in sealed_ids
        ],
    }
    return {**body, "signature": key.sign(body)}


@dataclass
class Finding:
    kind: str
    params: dict[str, Any]

    @property
    def stream(self) -> str | None:
        if "challenge_id" in self.params:
            return sealed_stream(self.params["challenge_id"])
        return self.params.get("stream")

    def english(self) -> str:
        return _MESSAGES[self.kind] % self.params

    def text(self) -> str:
        params = dict(self.params)
        if "reason" in params:
            params["reason"] = translate(params["reason"])
        return translate(_MESSAGES[self.kind], **params)


@dataclass
class CheckpointReport:
    chain: Verification
    checkpoints: int
    findings: list[Finding] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


class _Log:
    """What the database holds now, read once per stream."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.heads: dict[str, tuple[int, str]] | None = None
        self.chains: dict[str, dict[int, str]] = {}

    async def head(self, stream: str) -> tuple[int, str] | None:
        if self.heads is None:
            self.heads = await stream_heads(self.db)
        return self.heads.get(stream)

    async def hash_at(self, stream: str, seq: int) -> str | None:
        if stream in self.chains:
            return self.chains[stream].get(seq)
        return await self.db.scalar(
            select(AuditEvent.hash).where(AuditEvent.stream == stream, AuditEvent.seq == seq)
        )

    async def chain(self, stream: str) -> dict[int, str]:
        """Every (seq, hash) of a stream; for sealed streams, which stay small."""
        if stream not in self.chains:
            rows = await self.db.execute(
                select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.stream == stream)
            )
            self.chains[stream] = {row.seq: row.hash for row in rows}
        return self.chains[stream]


async def _check_head(log: _Log, head: dict, when: str) -> Finding | None:
    stream, seq = head["stream"], head["seq"]
    if seq == 0:
        return None
    params = {"stream": stream, "seq": seq, "issued_at": when}
    now = await log.head(stream)
    if now is None:
        return Finding("stream_removed", params)
    if now[0] < seq:
        return Finding("truncated", params | {"found": now[0]})
    if await log.hash_at(stream, seq) != head["hash"]:
        return Finding("rewritten", params)
    return None


async def _check_sealed(log: _Log, entry: dict, checkpoint: dict, key: SigningKey) -> bool:
    """The commitment opens to some state the stream still holds: (0, genesis) or an event."""
    cid, stream = entry["challenge_id"], sealed_stream(entry["challenge_id"])
    salt = key.salt(cid, checkpoint["nonce"])
    states = [(0, GENESIS), *(await log.chain(stream)).items()]
    return any(commitment(salt, stream, seq, h) == entry["commitment"] for seq, h in states)


async def verify_checkpoints(
    db: AsyncSession,
    checkpoints: list[dict[str, Any]],
    key: SigningKey,
    *,
    readable: Callable[[str], bool] = lambda _stream: True,
    only: list[str] | None = None,
) -> CheckpointReport:
    """The hash chains, and each checkpoint's heads against what the log holds now.

    `readable` says which streams the caller may check (the others count as skipped); `only`
    limits the chain verification as in `verify_chain`.
    """
    chain = await verify_chain(db, only=only)
    report = CheckpointReport(chain=chain, checkpoints=len(checkpoints))
    log = _Log(db)
    for checkpoint in checkpoints:
        when = checkpoint["issued_at"]
        if checkpoint["key_id"] != key.key_id:
            params = {"issued_at": when, "key_id": checkpoint["key_id"], "current": key.key_id}
            report.findings.append(Finding("unknown_key", params))
            continue
        if not verify_signature(key.public_raw, checkpoint):
            report.findings.append(Finding("bad_signature", {"issued_at": when}))
            continue
        for head in checkpoint["streams"]:
            if not readable(head["stream"]):
                report.skipped += 1
            elif finding := await _check_head(log, head, when):
                report.findings.append(finding)
        for entry in checkpoint["sealed"]:
            if not readable(sealed_stream(entry["challenge_id"])):
                report.skipped += 1
            elif not await _check_sealed(log, entry, checkpoint, key):
                params = {"challenge_id": entry["challenge_id"], "issued_at": when}
                report.findings.append(Finding("sealed_changed", params))
    if not chain.ok:
        params = {"stream": chain.stream, "seq": chain.broken_seq, "reason": chain.reason}
        report.findings.insert(0, Finding("chain_broken", params))
    return report


def parse_kept(text: str) -> list[Any]:
    """Kept checkpoints as stored: one JSON checkpoint, a JSON list of them, or one per line."""
    try:
        value = json.loads(text)
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        return [json.loads(line) for line in lines]  # a ValueError names the bad line
    return value if isinstance(value, list) else [value]
