"""scripts/verify_audit_feed.py: an auditor's own check, from the API feed alone."""

import ast
import asyncio
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text, update

from app.audit.models import AuditEvent
from app.audit.service import PLATFORM
from tests.audit.tampering import cut_last, drop_guard, rewrite
from tests.audit.world import after_deadline

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_audit_feed.py"


def load_script():
    spec = importlib.util.spec_from_file_location("verify_audit_feed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()


class AppFeed:
    """The script's Feed, served by the test app: the script runs in a worker thread and its
    requests run on the test's event loop, where the database session lives."""

    def __init__(self, client, headers, loop) -> None:
        self.client, self.headers, self.loop = client, headers, loop

    def get(self, path, params=None):
        request = self.client.get(path, params=params, headers=self.headers)
        response = asyncio.run_coroutine_threadsafe(request, self.loop).result(timeout=60)
        return response.status_code, response.json()


async def events(client, headers, stream: str) -> list[dict]:
    params = {"stream": stream, "limit": 1000}
    response = await client.get("/api/v1/audit/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def run(client, headers, *argv: str, feed: str = "person") -> int:
    """The script over the feed for people (an auditor's personal token), or with
    feed="auto" over whichever its arguments choose."""
    app_feed = AppFeed(client, headers, asyncio.get_running_loop())
    chosen = ["--feed", feed] if feed != "auto" else []
    return await asyncio.to_thread(script.main, [*chosen, *argv], app_feed)


@pytest.fixture
async def kept(client, two_towns, app, clock, tmp_path):
    """Two checkpoints an auditor kept (before and after the deadline) and the pinned key."""
    checkpoints = tmp_path / "checkpoints.jsonl"
    before = (await client.get("/api/v1/audit/checkpoint")).text
    after_deadline(app, clock)
    after = (await client.get("/api/v1/audit/checkpoint")).text
    checkpoints.write_text(before + "\n" + after + "\n")
    key = tmp_path / "uitkomst-audit.pem"
    key.write_text((await client.get("/api/v1/audit/public-key")).json()["pem"])
    return ["--checkpoint", str(checkpoints), "--public-key", str(key)]


async def test_an_intact_log_holds(client, two_towns, kept, capsys):
    assert await run(client, two_towns["a"]["auditor"], *kept) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "2 checkpoint(s) hold" in out


async def test_a_redacted_feed_links_up_against_the_checkpoints(client, two_towns, kept, capsys):
    """Town b's events reach town a's auditor redacted: linked and counted, not recomputed."""
    auditor = two_towns["a"]["auditor"]
    platform = await events(client, auditor, PLATFORM)
    redacted = sum(event["redacted"] for event in platform)
    assert 0 < redacted < len(platform)
    sealed = await events(client, auditor, two_towns["a"]["stream"])
    assert await run(client, auditor, *kept) == 0
    out = capsys.readouterr().out
    recomputed = len(platform) - redacted + len(sealed)
    assert out.startswith(f"ok: {recomputed} events in 2 streams recomputed, ")
    assert f"{redacted} redacted events only link-checked; 2 checkpoint(s) hold" in out


async def test_a_changed_hash_of_a_redacted_event_breaks_the_link(
    client, two_towns, kept, db, capsys
):
    """The auditor cannot recompute a redacted event, but the next event still names its hash."""
    auditor = two_towns["a"]["auditor"]
    platform = await events(client, auditor, PLATFORM)
    seq = next(e["seq"] for e in platform[:-1] if e["redacted"])
    await drop_guard(db)
    await db.execute(
        update(AuditEvent)
        .where(AuditEvent.stream == PLATFORM, AuditEvent.seq == seq)
        .values(hash="f" * 64)
    )
    db.expunge_all()
    assert await run(client, auditor, *kept) == 1
    out = capsys.readouterr().out
    assert f"stream platform event {seq + 1}: its prev_hash does not link" in out
    assert "content does not match" not in out


async def test_a_rehashed_rewrite_is_found_by_the_checkpoints(client, two_towns, kept, db, capsys):
    await rewrite(db, PLATFORM, 1, {"forged": True})
    assert await run(client, two_towns["a"]["auditor"], *kept) == 1
    out = capsys.readouterr().out
    assert "the chain was rewritten" in out
    assert "content does not match" not in out  # the forger re-hashed: only checkpoints see it


async def test_a_changed_event_is_found_by_recomputing(client, two_towns, kept, db, capsys):
    await drop_guard(db)
    await db.execute(text("UPDATE audit_events SET action = 'forged' WHERE stream = 'platform'"))
    db.expunge_all()
    assert await run(client, two_towns["a"]["auditor"], *kept) == 1
    assert "does not match its hash" in capsys.readouterr().out


async def test_the_sealed_commitment_is_opened_with_the_salt(client, two_towns, kept, db, capsys):
    """The before-deadline checkpoint commits to town a's sealed stream; a cut there shows."""
    await cut_last(db, two_towns["a"]["stream"])
    assert await run(client, two_towns["a"]["auditor"], *kept) == 1
    out = capsys.readouterr().out
    challenge = two_towns["a"]["challenge"].id
    assert f"the sealed stream of challenge {challenge} no longer holds" in out
    # The later checkpoint names the stream's head; the stream held one event.
    assert f"stream {two_towns['a']['stream']} is gone, but the checkpoint of" in out


async def test_a_key_that_was_not_pinned_is_refused(client, two_towns, kept, tmp_path, capsys):
    other = tmp_path / "other.pem"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    argv = [*kept[:2], "--public-key", str(other)]
    assert await run(client, two_towns["a"]["auditor"], *argv) == 1
    assert "which is not a key you gave" in capsys.readouterr().out


async def test_a_forged_checkpoint_file_is_refused(client, two_towns, kept, tmp_path, capsys):
    _forge(Path(kept[1]))
    assert await run(client, two_towns["a"]["auditor"], *kept) == 1
    assert "does not carry a valid signature" in capsys.readouterr().out


async def test_bad_usage_is_exit_2(client, two_towns, tmp_path, capsys):
    missing = str(tmp_path / "nope.json")
    assert await run(client, two_towns["a"]["auditor"], "--checkpoint", missing) == 2
    assert "verify_audit_feed:" in capsys.readouterr().err
    assert await run(client, {}) == 2  # without a token the feed is refused
    err = capsys.readouterr().err
    assert "using the server's current key" in err and "HTTP 401" in err


def test_the_script_stands_alone():
    """Only the standard library and cryptography: an auditor need not trust Uitkomst's code."""
    tree = ast.parse(SCRIPT.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}


def _forge(path: Path) -> None:
    """Keep only the later checkpoint, with a head moved on by five events."""
    forged = json.loads(path.read_text().splitlines()[1])
    forged["streams"][0]["seq"] += 5
    path.write_text(json.dumps(forged))
