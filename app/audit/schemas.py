"""The signed checkpoint as it travels: served by the API, kept by auditors, posted back."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
