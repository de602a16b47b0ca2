"""The document store: a local folder by default; files are named by a random key.

Saving and reading do blocking work (hashing, encryption, disk, archive inspection): callers on
the event loop use the async variants, which run it in a worker thread.
"""

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from app.documents.inspection import ALLOWED, ArchiveLimits, UnsupportedFile, inspect_document
from app.errors import DomainError
from app.sealing import seal, unseal

__all__ = ["ALLOWED", "FileTooLarge", "LocalDocumentStore", "Stored", "UnsupportedFile"]

CHUNK = 1024 * 1024


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"


def _too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge("The file is larger than %(mb)s MB.", mb=max(1, max_bytes // 2**20))


def _seekable(source: BinaryIO, max_bytes: int) -> tuple[BinaryIO, int]:
    """(a seekable file holding the upload, its size); never reads more than max_bytes + 1."""
    if source.seekable():
        source.seek(0, os.SEEK_END)
        size = source.tell()
        if size > max_bytes:
            raise _too_large(max_bytes)
        source.seek(0)
        return source, size
    copy = tempfile.SpooledTemporaryFile(max_size=CHUNK)
    size = 0
    while chunk := source.read(min(CHUNK, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            copy.close()
            raise _too_large(max_bytes)
        copy.write(chunk)
    copy.seek(0)
    return copy, size


@dataclass
class Stored:
    key: str
    sha256: str
    size: int
    content_type: str


class LocalDocumentStore:
    def __init__(self, root: Path, limits: ArchiveLimits | None = None) -> None:
        self.root = root
        self.limits = limits or ArchiveLimits()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def save(self, source: BinaryIO, max_bytes: int, *, sealed: bool = False) -> Stored:
        """Check size and type, then store; sealed files are encrypted before they touch disk.

        Blocking: on the event loop use save_async."""
        upload, size = _seekable(source, max_bytes)
        try:
            return self._save(upload, size, sealed)
        finally:
            if upload is not source:
                upload.close()

    def _save(self, upload: BinaryIO, size: int, sealed: bool) -> Stored:
        if size == 0:
            raise UnsupportedFile("The file is empty.")
        kind = inspect_document(upload, size, self.limits)
        key = secrets.token_hex(16)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        upload.seek(0)
        if sealed:
            data = upload.read(size)  # AES-GCM seals in one piece; size is at most max_bytes
            digest = hashlib.sha256(data).hexdigest()
            target.write_bytes(seal(data, f"document:{key}"))
        else:
            hasher = hashlib.sha256()
            with target.open("wb") as out:
                while chunk := upload.read(CHUNK):
                    hasher.update(chunk)
                    out.write(chunk)
            digest = hasher.hexdigest()
        return Stored(key=key, sha256=digest, size=size, content_type=ALLOWED[kind])

    async def save_async(self, source: BinaryIO, max_bytes: int, *, sealed: bool = False) -> Stored:
        return await to_thread.run_sync(partial(self.save, source, max_bytes, sealed=sealed))

    def read(self, key: str, *, sealed: bool = False) -> bytes:
        data = self.path(key).read_bytes()
        return unseal(data, f"document:{key}") if sealed else data

    async def read_async(self, key: str, *, sealed: bool = False) -> bytes:
        return await to_thread.run_sync(partial(self.read, key, sealed=sealed))

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
