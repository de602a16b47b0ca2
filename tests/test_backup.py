"""`uitkomst backup` and `uitkomst restore`: a restored copy opens its documents and passes
`audit verify` against a checkpoint kept before the backup (SQLite, and PostgreSQL with
pg_dump/pg_restore)."""

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from app import cli
from app.config import get_settings, normalise_database_url
from app.db import create_engine
from app.documents.store import LocalDocumentStore
from tests.conftest import DATABASE_URL, scratch_database

if DATABASE_URL.startswith("postgresql") and not (
    shutil.which("pg_dump") and shutil.which("pg_restore")
):
    pytest.skip("pg_dump and pg_restore are not on the PATH", allow_module_level=True)


@contextlib.contextmanager
def place(url: str, documents: Path, **extra: str):
    """Point the CLI at one database and document store, as its environment would."""
    old = dict(os.environ)
    os.environ.update(DATABASE_URL=url, DOCUMENTS_DIR=str(documents), ENVIRONMENT="test", **extra)
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(old)
        get_settings.cache_clear()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """A world with audit events in every kind of stream and documents (sealed ones too), a
    checkpoint kept before its backup, and the backup."""
    folder = tmp_path_factory.mktemp("backup")
    with scratch_database("bksrc", folder) as url:
        documents = folder / "documents"
        with place(url, documents):
            assert cli.main(["migrate"]) == 0
            assert cli.main(["demo-data"]) == 0
            assert cli.main(["audit", "checkpoint", "--out", str(folder / "kept.json")]) == 0
            assert cli.main(["backup", "--out", str(folder / "backup")]) == 0
        yield {"url": url, "documents": documents, "folder": folder}


def _files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


async def _documents(url: str) -> list[tuple[str, str, bool]]:
    engine = create_engine(normalise_database_url(url))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT storage_key, sha256, sealed FROM documents"))
            return [(row[0], row[1], bool(row[2])) for row in rows]
    finally:
        await engine.dispose()


def test_the_backup_holds_no_keys_and_says_so(original):
    backup = original["folder"] / "backup"
    names = {path.name for path in backup.iterdir()}
    database = "uitkomst.dump" if DATABASE_URL.startswith("postgresql") else "uitkomst.db"
    assert names == {database, "documents.tar.gz", "manifest.json", "README.txt"}
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["keys"]["included"] is False
    assert manifest["schema_revision"] and manifest["documents"] > 0
    note = (backup / "README.txt").read_text()
    assert "NOT in this backup" in note and "cannot" in note
    for path in backup.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_restored_copy_opens_its_documents_and_verifies(original, tmp_path, capsys):
    backup, kept = original["folder"] / "backup", original["folder"] / "kept.json"
    with scratch_database("bkdst", tmp_path) as url:
        documents = tmp_path / "restored-documents"
        with place(url, documents):
            code, out, err = run(capsys, "restore", str(backup))
            assert code == 0, err
            assert "WARNING" not in err
            code, out, err = run(capsys, "audit", "verify", "--checkpoint", str(kept))
            assert (code, out.strip()) == (0, "ok"), out
            # The same files, and the sealed ones still open with the keys from the secrets.
            assert _files(documents) == _files(original["documents"])
            store = LocalDocumentStore(documents)
            stored = asyncio.run(_documents(url))
            assert any(sealed for _key, _sha, sealed in stored)
            for key, sha256, sealed in stored:
                assert hashlib.sha256(store.read(key, sealed=sealed)).hexdigest() == sha256

            code, _, err = run(capsys, "restore", str(backup))
            assert code == 2 and ("not empty" in err or "already holds" in err)


def test_an_older_backup_shows_as_a_cut_against_a_later_checkpoint(original, tmp_path, capsys):
    """Restoring loses what happened after the backup; an auditor's checkpoint shows that."""
    later = tmp_path / "later.json"
    with place(original["url"], original["documents"]):
        assert cli.main(["api-token", "create", "--user", "jeugd@voorbeeldstad.nl"]) == 0
        assert cli.main(["audit", "checkpoint", "--out", str(later)]) == 0
    capsys.readouterr()
    with scratch_database("bkold", tmp_path) as url:
        with place(url, tmp_path / "documents"):
            assert run(capsys, "restore", str(original["folder"] / "backup"))[0] == 0
            code, out, _ = run(capsys, "audit", "verify", "--checkpoint", str(later))
    assert code == 1
    assert "Stream platform ends at seq" in out


def test_a_restore_with_other_keys_warns(original, tmp_path, capsys):
    with scratch_database("bkkey", tmp_path) as url:
        with place(url, tmp_path / "documents", SECRET_KEY="another-secret-" + "x" * 20):
            code, _, err = run(capsys, "restore", str(original["folder"] / "backup"))
            assert code == 0
            assert "sealing key" in err and "will not open" in err
            kept = str(original["folder"] / "kept.json")
            code, out, _ = run(capsys, "audit", "verify", "--checkpoint", kept)
    assert code == 1 and "not this platform's audit key" in out


def test_keys_go_into_a_backup_only_when_asked(original, tmp_path, capsys):
    with place(original["url"], original["documents"]):
        code, out, _ = run(capsys, "backup", "--out", str(tmp_path / "b"), "--include-keys")
        assert code == 0 and "not in it" not in out
        keys = (tmp_path / "b" / "keys.env").read_text()
        assert "SEALING_KEY=" in keys and "AUDIT_SIGNING_KEY=" in keys
        manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
        assert manifest["keys"]["included"] is True and "keys.env" in manifest["files"]
        code, _, err = run(capsys, "backup", "--out", str(tmp_path / "b"))
        assert code == 2 and "not empty" in err


def test_a_damaged_backup_is_refused(original, tmp_path, capsys):
    damaged = tmp_path / "damaged"
    shutil.copytree(original["folder"] / "backup", damaged)
    (damaged / "documents.tar.gz").write_bytes(b"not what it was")
    with place(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "documents"):
        code, _, err = run(capsys, "restore", str(damaged))
        assert code == 2 and "damaged" in err
        code, _, err = run(capsys, "restore", str(tmp_path))
        assert code == 2 and "manifest.json" in err


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="pg_dump is for PostgreSQL")
def test_without_pg_dump_the_command_is_printed(original, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("app.backup.shutil.which", lambda _name: None)
    with place(original["url"], original["documents"]):
        code, out, _ = run(capsys, "backup", "--out", str(tmp_path / "b"))
    assert code == 1
    assert "database is NOT in this backup" in out and "pg_dump --format=custom" in out
    assert not (tmp_path / "b" / "uitkomst.dump").exists()
