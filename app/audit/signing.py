"""The key that signs audit checkpoints, so a checkpoint kept elsewhere proves what the log held.

Ed25519 from AUDIT_SIGNING_KEY (base64 of the 32-byte private seed) or, when that is not set,
derived from SECRET_KEY. The public key is served at /api/v1/audit/public-key. A second key,
derived from the seed, makes the per-checkpoint salts of the commitments to sealed streams.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.audit.service import canonical
from app.config import Settings, get_settings


def _hkdf(material: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=label).derive(material)


def key_id(public_raw: bytes) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def unsigned(checkpoint: dict[str, Any]) -> bytes:
    """The bytes the signature covers: canonical JSON of the checkpoint without `signature`."""
    body = {name: value for name, value in checkpoint.items() if name != "signature"}
    return canonical(body).encode()


def verify_signature(public_raw: bytes, checkpoint: dict[str, Any]) -> bool:
    try:
        signature = base64.b64decode(str(checkpoint.get("signature", "")), validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, unsigned(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def commitment(salt: bytes, stream: str, seq: int, head_hash: str) -> str:
    """Hides a stream head until the salt is revealed: sha256(salt || canonical head)."""
    head = canonical({"stream": stream, "seq": seq, "hash": head_hash}).encode()
    return hashlib.sha256(salt + head).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    seed: bytes

    @cached_property
    def private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @cached_property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_pem(self) -> str:
        public = self.private.public_key()
        return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    def sign(self, body: dict[str, Any]) -> str:
        return base64.b64encode(self.private.sign(unsigned(body))).decode()

    @cached_property
    def _salt_key(self) -> bytes:
        return _hkdf(self.seed, b"uitkomst audit commitment salt")

    def salt(self, challenge_id: int, nonce: str) -> bytes:
        """Fresh per checkpoint (its random nonce), recomputable later from the key alone."""
        message = canonical({"challenge_id": challenge_id, "nonce": nonce}).encode()
        return hmac.new(self._salt_key, message, hashlib.sha256).digest()


@lru_cache
def _load(audit_signing_key: str | None, secret_key: str) -> SigningKey:
    if audit_signing_key:
        return SigningKey(base64.b64decode(audit_signing_key))
    return SigningKey(_hkdf(secret_key.encode(), b"uitkomst audit signing"))


def signing_key(settings: Settings | None = None) -> SigningKey:
    settings = settings or get_settings()
    return _load(settings.audit_signing_key, settings.secret_key)
