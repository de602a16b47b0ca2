"""Encryption at rest for sealed proposals: a database or file export alone reveals nothing.

AES-256-GCM with a key from SEALING_KEY (base64, 32 bytes) or, when that is not set, derived from
SECRET_KEY. Losing the key loses the sealed content; keep it with the other secrets.
"""

import base64
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Settings, get_settings

_NONCE = 12
# The settings of the app serving this request (see `settings_of_app`); outside a request (the
# CLI, the demo loader) the process's settings.
_app_settings: ContextVar[Settings | None] = ContextVar("sealing_settings", default=None)


@contextmanager
def settings_of_app(settings: Settings) -> Iterator[None]:
    """Seal and unseal with these settings' key while the block runs (one request)."""
    token = _app_settings.set(settings)
    try:
        yield
    finally:
        _app_settings.reset(token)


def _settings() -> Settings:
    return _app_settings.get() or get_settings()


def _key(sealing_key: str | None, secret_key: str) -> bytes:
    if sealing_key:
        key = base64.b64decode(sealing_key)
        if len(key) != 32:
            raise ValueError("SEALING_KEY must be 32 bytes, base64-encoded")
        return key
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"uitkomst sealing").derive(
        secret_key.encode()
    )


@lru_cache
def _aead(sealing_key: str | None, secret_key: str) -> AESGCM:
    return AESGCM(_key(sealing_key, secret_key))


def sealing_key(settings: Settings | None = None) -> bytes:
    """The key in use (configured or derived); a backup names it, and carries it only if asked."""
    settings = settings or _settings()
    return _key(settings.sealing_key, settings.secret_key)


def _cipher() -> AESGCM:
    settings = _settings()
    return _aead(settings.sealing_key, settings.secret_key)


def seal(plain: bytes, context: str) -> bytes:
    """Encrypt; `context` (e.g. "draft:12") binds the ciphertext to its place."""
    nonce = os.urandom(_NONCE)
    return nonce + _cipher().encrypt(nonce, plain, context.encode())


def unseal(sealed: bytes, context: str) -> bytes:
    return _cipher().decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
