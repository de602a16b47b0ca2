"""`uitkomst audit checkpoint` and `audit verify --checkpoint`, on a database of their own."""

import asyncio
import json
import os

import pytest
from sqlalchemy import text

from app import cli
from app.config import get_settings
from app.db import create_engine
from tests.audit.tampering import TRIGGERS
from tests.conftest import scratch_database


@pytest.fixture(scope="module")
def uitkomst(tmp_path_factory):
    """Run the CLI in-process against a scratch database; returns (exit code, stdout, stderr)."""
    folder = tmp_path_factory.mktemp("audit-cli")
    with scratch_database("auditcli", folder) as url:
        old = dict(os.environ)
        os.environ.update(
            DATABASE_URL=url, DOCUMENTS_DIR=str(folder / "documents"), ENVIRONMENT="test"
        )
        get_settings.cache_clear()

        def run(*args: str, capsys) -> tuple[int, str, str]:
            code = cli.main(list(args))
            out, err = capsys.readouterr()
            return code, out, err

        assert cli.main(["migrate"]) == 0
        for n in range(3):
            assert cli.main(_user(n)) == 0
        yield run
        os.environ.clear()
        os.environ.update(old)
        get_settings.cache_clear()


def _user(n: int) -> list[str]:
    return [
        "create-user",
        *("--email", f"u{n}@gemeente.nl", "--name", f"U {n}", "--organisation", "Gemeente"),
        *("--kind", "municipality", "--role", "policy_officer", "--password", "x" * 16),
    ]


async def _cut_last_event() -> None:
    engine = create_engine(get_settings().database_url)
    try:
        async with engine.begin() as conn:
            for statement in TRIGGERS[conn.dialect.name]:
                await conn.execute(text(statement))
            await conn.execute(
                text(
                    "DELETE FROM audit_events WHERE stream = 'platform' AND seq = "
                    "(SELECT max(seq) FROM audit_events WHERE stream = 'platform')"
                )
            )
    finally:
        await engine.dispose()


def test_checkpoint_verify_and_a_cut_log(uitkomst, capsys, tmp_path):
    code, out, _ = uitkomst("audit", "checkpoint", capsys=capsys)
    assert code == 0
    printed = json.loads(out)
    assert printed["streams"][0]["stream"] == "platform" and printed["signature"]
    kept = tmp_path / "checkpoint.json"
    code, _, err = uitkomst("audit", "checkpoint", "--out", str(kept), capsys=capsys)
    assert code == 0 and "written" in err
    saw = json.loads(kept.read_text())["streams"][0]["seq"]
    assert saw >= 3

    code, out, _ = uitkomst("audit", "verify", "--checkpoint", str(kept), capsys=capsys)
    assert (code, out.strip()) == (0, "ok")
    # Checkpoints kept one per line, as `curl ... >> checkpoints.jsonl` leaves them.
    lines = tmp_path / "checkpoints.jsonl"
    lines.write_text(json.dumps(printed) + "\n" + kept.read_text().replace("\n", "") + "\n")
    code, out, err = uitkomst("audit", "verify", "--checkpoint", str(lines), capsys=capsys)
    assert (code, out.strip()) == (0, "ok") and "2 checkpoint(s)" in err

    asyncio.run(_cut_last_event())
    code, out, _ = uitkomst("audit", "verify", capsys=capsys)
    assert (code, out.strip()) == (0, "ok")  # the chain alone cannot see a cut end
    code, out, _ = uitkomst("audit", "verify", "--checkpoint", str(kept), capsys=capsys)
    assert code == 1
    issued = json.loads(kept.read_text())["issued_at"]
    assert out.strip() == (
        f"Stream platform ends at seq {saw - 1}, but the checkpoint of {issued} saw seq {saw}."
    )


def test_a_forged_checkpoint_fails_and_a_broken_file_is_a_usage_error(uitkomst, capsys, tmp_path):
    code, out, _ = uitkomst("audit", "checkpoint", capsys=capsys)
    forged = json.loads(out)
    forged["streams"][0]["hash"] = "0" * 64
    path = tmp_path / "forged.json"
    path.write_text(json.dumps([forged]))
    code, out, _ = uitkomst("audit", "verify", "--checkpoint", str(path), capsys=capsys)
    assert code == 1 and "does not carry a valid signature" in out

    path.write_text("{not json")
    code, _, err = uitkomst("audit", "verify", "--checkpoint", str(path), capsys=capsys)
    assert code == 2 and "is not a checkpoint" in err
    path.write_text(json.dumps({"format": "uitkomst-checkpoint/1"}))
    code, _, err = uitkomst("audit", "verify", "--checkpoint", str(path), capsys=capsys)
    assert code == 2 and "entry 1 is not a checkpoint" in err
    missing = str(tmp_path / "nope.json")
    code, _, err = uitkomst("audit", "verify", "--checkpoint", missing, capsys=capsys)
    assert code == 2 and "cannot read" in err


def test_a_malformed_signing_key_is_a_configuration_problem(monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "dGVu")  # base64 of 3 bytes
    get_settings.cache_clear()
    try:
        code = cli.main(["audit", "checkpoint"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert code == 2
    assert "AUDIT_SIGNING_KEY must be 32 bytes" in capsys.readouterr().err
