"""What the audit API answers: events, verifications, and the signed checkpoint as it travels
(served by the API, kept by auditors, posted back)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.audit.models import AuditEvent

FORMAT = "uitkomst-checkpoint/1"
_HASH = r"^[0-9a-f]{64}$"
_MANY = 1_000_000  # the request body limit bounds it first


class StreamHead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stream: str = Field(min_length=1, max_length=60)
    seq: int = Field(ge=0, le=2**62)
    hash: str = Field(pattern=_HASH)


class SealedCommitment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge_id: int = Field(ge=1, le=2**62)
    commitment: str = Field(pattern=_HASH)


class Checkpoint(BaseModel):
    """Heads of the readable streams and salted commitments to the sealed ones, signed."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["uitkomst-checkpoint/1"]
    issued_at: str = Field(min_length=1, max_length=40)
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$")
    streams: list[StreamHead] = Field(max_length=_MANY)
    sealed: list[SealedCommitment] = Field(max_length=_MANY)
    signature: str = Field(max_length=200)


class PublicKeyOut(BaseModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    key_id: str
    public_key: str = Field(description="the raw 32-byte public key, base64")
    pem: str


class SaltOut(BaseModel):
    challenge_id: int
    nonce: str
    key_id: str
    salt: str = Field(description="hex; commitment = sha256(salt || canonical head)")


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
