"""A consistent backup of the database and the document store, and restoring one.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump's custom format, read back by pg_restore. The document store follows as a
tar archive, copied after the database so every file the database copy refers to is in it. The
keys stay out unless asked for: a backup without its sealing key cannot open its sealed
proposals, so keep the keys with your other secrets.
"""

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.audit.signing import signing_key
from app.config import ROOT, Settings
from app.sealing import sealing_key

FORMAT = "uitkomst-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "uitkomst.db"
PG_FILE = "uitkomst.dump"
DOCUMENTS_FILE = "documents.tar.gz"
KEYS_FILE = "keys.env"
NOTE_FILE = "README.txt"


class BackupError(Exception):
    pass


@dataclass
class Outcome:
    folder: Path
    complete: bool = True
    lines: list[str] = field(default_factory=list)


def _sealing_key_id(settings: Settings) -> str:
    """Names the sealing key without revealing it, so a restore can tell a wrong key."""
    return hashlib.sha256(b"uitkomst sealing key id:" + sealing_key(settings)).hexdigest()[:16]


def _key_ids(settings: Settings) -> dict[str, str]:
    return {
        "sealing_key_id": _sealing_key_id(settings),
        "audit_key_id": signing_key(settings).key_id,
    }


def sqlite_file(settings: Settings) -> Path:
    path = settings.database_url.split("///", 1)[1]
    if not path or path.startswith(":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


def _pg(settings: Settings) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (that goes in PGPASSWORD, not on the command line)."""
    url = make_url(settings.database_url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent snapshot even while the app writes."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (result,) = dst.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"the copy of the database fails its integrity check: {result}")
    finally:
        dst.close()
        src.close()


def _tar_documents(documents: Path, target: Path) -> int:
    files = sorted(p for p in documents.rglob("*") if p.is_file()) if documents.is_dir() else []
    with tarfile.open(target, "w:gz") as archive:
        for path in files:
            archive.add(path, f"documents/{path.relative_to(documents).as_posix()}")
    return len(files)


def _note(manifest: dict[str, Any], database_file: str) -> str:
    keys = manifest["keys"]
    if keys["included"]:
        key_text = (
            f"The keys ARE in this backup ({KEYS_FILE}): whoever holds this folder can open\n"
            "every sealed proposal in it and sign audit checkpoints. Keep it as you keep secrets."
        )
    else:
        key_text = (
            "The keys are NOT in this backup. Restore them from where you keep your secrets:\n"
            f"  SEALING_KEY (key id {keys['sealing_key_id']}), or the SECRET_KEY it was derived "
            "from;\n"
            f"  AUDIT_SIGNING_KEY (key id {keys['audit_key_id']}), or the SECRET_KEY it was "
            "derived from.\n"
            "Without the sealing key the sealed proposals and their files in this backup cannot\n"
            "be opened; with another signing key new checkpoints carry another key id, and old\n"
            "checkpoints can only be checked against the old public key."
        )
    return (
        f"Uitkomst backup ({manifest['format']}), made {manifest['created_at']}.\n\n"
        f"database:  {database_file} ({manifest['database']}, schema revision "
        f"{manifest['schema_revision']})\n"
        f"documents: {DOCUMENTS_FILE} ({manifest['documents']} files of the document store)\n"
        f"manifest:  {MANIFEST} (SHA-256 of every file, key ids)\n\n"
        f"{key_text}\n\n"
        "Restore: point DATABASE_URL and DOCUMENTS_DIR at the new place, set the same keys, run\n"
        "  uitkomst restore <this folder>\n"
        "  uitkomst migrate\n"
        "  uitkomst audit verify --checkpoint <checkpoints you kept>\n"
    )


def make_backup(
    settings: Settings,
    out: Path | None,
    *,
    revision: str | None,
    include_keys: bool = False,
    now: datetime | None = None,
) -> Outcome:
    now = now or datetime.now(UTC)
    folder = out or ROOT / "var" / "backups" / f"uitkomst-{now:%Y%m%dT%H%M%SZ}"
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} already exists and is not empty; choose another --out")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    outcome = Outcome(folder)
    if settings.is_sqlite:
        database, database_file = "sqlite", SQLITE_FILE
        source = sqlite_file(settings)
        if not source.is_file():
            raise BackupError(f"there is no database at {source}")
        _copy_sqlite(source, folder / SQLITE_FILE)
    else:
        database, database_file = "postgresql", PG_FILE
        outcome.complete = _pg_dump(settings, folder / PG_FILE, outcome)
    documents = _tar_documents(settings.documents_dir, folder / DOCUMENTS_FILE)
    if include_keys:
        keys = folder / KEYS_FILE
        keys.touch(mode=0o600)
        keys.write_text(
            "# Uitkomst keys: whoever holds this file can open sealed proposals.\n"
            f"SEALING_KEY={_b64(sealing_key(settings))}\n"
            f"AUDIT_SIGNING_KEY={_b64(signing_key(settings).seed)}\n"
        )
    files = [
        name for name in (database_file, DOCUMENTS_FILE, KEYS_FILE) if (folder / name).exists()
    ]
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": database,
        "schema_revision": revision,
        "documents": documents,
        "files": {name: _sha256(folder / name) for name in files},
        "keys": {**_key_ids(settings), "included": include_keys},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    (folder / NOTE_FILE).write_text(_note(manifest, database_file))
    for path in folder.iterdir():
        path.chmod(0o600)
    outcome.lines.append(f"backup written to {folder}")
    if not include_keys:
        outcome.lines.append(
            "the keys are not in it: without SEALING_KEY (or the SECRET_KEY it comes from) its "
            f"sealed proposals cannot be opened; see {NOTE_FILE}"
        )
    return outcome


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _pg_dump(settings: Settings, target: Path, outcome: Outcome) -> bool:
    conninfo, env = _pg(settings)
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={target}",
        f"--dbname={conninfo}",
    ]
    if shutil.which("pg_dump") is None:
        outcome.lines.append(
            "pg_dump is not on the PATH, so the database is NOT in this backup; run (with "
            "PGPASSWORD set if the database needs one):\n  " + " ".join(command)
        )
        return False
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {_last_line(done.stderr)}")
    return True


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{folder} holds no readable {MANIFEST}; is it an Uitkomst backup?"
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not an {FORMAT} manifest")
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 does not match)")
    return manifest


def _empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    finally:
        conn.close()


def restore_backup(settings: Settings, folder: Path, *, force: bool = False) -> list[str]:
    """Put a backup back into the configured database and document store."""
    manifest = _read_manifest(folder)
    database = manifest["database"]
    if (database == "sqlite") != settings.is_sqlite:
        where = "SQLite" if settings.is_sqlite else "PostgreSQL"
        raise BackupError(f"this is a backup of a {database} database; DATABASE_URL is {where}")
    documents = settings.documents_dir
    if not force and not _empty(documents):
        raise BackupError(f"{documents} is not empty; restore into a new place or pass --force")
    if database == "sqlite":
        target = sqlite_file(settings)
        if not force and _sqlite_has_tables(target):
            raise BackupError(f"{target} already holds a database; pass --force to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(folder / SQLITE_FILE)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        _pg_restore(settings, folder / PG_FILE, force)
    _untar_documents(folder / DOCUMENTS_FILE, documents)
    lines = [f"restored {folder} into the configured database and {documents}"]
    expected, current = manifest["keys"], _key_ids(settings)
    if expected["sealing_key_id"] != current["sealing_key_id"]:
        lines.append(
            f"WARNING: the configured sealing key ({current['sealing_key_id']}) is not the one "
            f"this backup was made with ({expected['sealing_key_id']}): its sealed proposals "
            "will not open. Set SEALING_KEY (or SECRET_KEY) as it was."
        )
    if expected["audit_key_id"] != current["audit_key_id"]:
        lines.append(
            f"WARNING: the configured audit signing key ({current['audit_key_id']}) is not the "
            f"one this backup was made with ({expected['audit_key_id']}): checkpoints kept "
            "before will not verify against it. Set AUDIT_SIGNING_KEY (or SECRET_KEY) as it was."
        )
    lines.append(
        "next: uitkomst migrate, then uitkomst audit verify --checkpoint <kept checkpoints>"
    )
    return lines


def _pg_restore(settings: Settings, dump: Path, force: bool) -> None:
    conninfo, env = _pg(settings)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    command += ["--single-transaction", *(["--clean", "--if-exists"] if force else [])]
    command += [f"--dbname={conninfo}", str(dump)]
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not on the PATH; run yourself:\n  " + " ".join(command))
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed: {_last_line(done.stderr)} (restore into an empty database, made "
            "with createdb, or pass --force to replace what is there)"
        )


def _untar_documents(archive_path: Path, documents: Path) -> None:
    documents.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        members = []
        for member in archive.getmembers():
            if member.name.startswith("documents/"):
                member.name = member.name.removeprefix("documents/")
                members.append(member)
        archive.extractall(documents, members=members, filter="data")
