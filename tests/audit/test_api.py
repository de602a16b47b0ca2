"""The audit API: who reads which stream, the public checkpoint, and verification against it."""

import base64

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.service import GENESIS, PLATFORM
from app.audit.signing import commitment, key_id, verify_signature
from app.organisations.models import Role
from tests.audit.tampering import cut_last, remove_stream
from tests.audit.world import after_deadline


async def test_an_auditor_reads_only_their_own_municipality_sealed_streams(
    client, two_towns, app, clock
):
    a, b = two_towns["a"], two_towns["b"]
    # Before the deadline: neither stream, for anyone.
    assert (await client.get("/api/v1/audit/streams", headers=a["auditor"])).json() == [PLATFORM]
    sealed = await client.get(f"/api/v1/audit/events?stream={a['stream']}", headers=a["auditor"])
    assert sealed.status_code == 404

    after_deadline(app, clock)
    streams = (await client.get("/api/v1/audit/streams", headers=a["auditor"])).json()
    assert streams == [PLATFORM, a["stream"]]
    own = await client.get(f"/api/v1/audit/events?stream={a['stream']}", headers=a["auditor"])
    assert own.status_code == 200 and own.json()
    other = await client.get(f"/api/v1/audit/events?stream={b['stream']}", headers=a["auditor"])
    missing = await client.get(
        "/api/v1/audit/events?stream=sealed:challenge:999999", headers=a["auditor"]
    )
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    # The verification covers the platform stream and the own sealed stream, not the other.
    platform = len(
        (await client.get("/api/v1/audit/events?limit=1000", headers=a["auditor"])).json()
    )
    verify = (await client.get("/api/v1/audit/verify", headers=a["auditor"])).json()
    assert verify["ok"] and verify["checked"] == platform + len(own.json())


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/audit/streams"),
        ("GET", "/api/v1/audit/events"),
        ("GET", "/api/v1/audit/verify"),
        ("GET", f"/api/v1/audit/checkpoint/salt?challenge_id=1&nonce={'0' * 32}"),
    ],
)
async def test_an_admin_reads_no_audit_stream(client, two_towns, app, clock, method, path):
    """An organisation's admin manages accounts; the audit log is the auditors'."""
    after_deadline(app, clock)
    response = await client.request(method, path, headers=two_towns["a"]["admin"])
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_an_admin_cannot_post_a_verification(client, two_towns):
    checkpoint = (await client.get("/api/v1/audit/checkpoint")).json()
    response = await client.post(
        "/api/v1/audit/verify", json=checkpoint, headers=two_towns["a"]["admin"]
    )
    assert response.status_code == 403


async def test_the_checkpoint_and_public_key_are_public_and_signed(client, two_towns, db):
    count = select(func.count()).select_from(AuditEvent)
    events_before = await db.scalar(count)
    response = await client.get("/api/v1/audit/checkpoint")
    assert response.status_code == 200
    checkpoint = response.json()
    assert await db.scalar(count) == events_before  # reading it writes nothing

    key = (await client.get("/api/v1/audit/public-key")).json()
    raw = base64.b64decode(key["public_key"])
    assert key["algorithm"] == "Ed25519"
    assert key["key_id"] == checkpoint["key_id"] == key_id(raw)
    pem = load_pem_public_key(key["pem"].encode())
    assert pem.public_bytes_raw() == raw
    assert verify_signature(raw, checkpoint)
    assert not verify_signature(raw, {**checkpoint, "issued_at": "2000-01-01T00:00:00+00:00"})


async def test_the_public_checkpoint_hides_sealed_activity_until_the_deadline(
    client, two_towns, make, app, clock
):
    a, b = two_towns["a"], two_towns["b"]
    quiet = await make.challenge(await make.user(Role.policy_officer), publish=True)
    first = (await client.get("/api/v1/audit/checkpoint")).json()
    second = (await client.get("/api/v1/audit/checkpoint")).json()
    for checkpoint in (first, second):
        assert "sealed:" not in str(checkpoint)
        assert [head["stream"] for head in checkpoint["streams"]] == [PLATFORM]
        listed = [entry["challenge_id"] for entry in checkpoint["sealed"]]
        assert listed == sorted([a["challenge"].id, b["challenge"].id, quiet.id])
    # No activity between the two, yet every commitment differs: they say nothing.
    for one, two in zip(first["sealed"], second["sealed"], strict=True):
        assert one["commitment"] != two["commitment"]

    after_deadline(app, clock)
    opened = (await client.get("/api/v1/audit/checkpoint")).json()
    assert opened["sealed"] == []
    names = [head["stream"] for head in opened["streams"]]
    assert names == sorted([PLATFORM, a["stream"], b["stream"]])


async def test_an_auditor_opens_an_old_commitment_with_the_revealed_salt(
    client, two_towns, app, clock
):
    a, b = two_towns["a"], two_towns["b"]
    kept = (await client.get("/api/v1/audit/checkpoint")).json()
    entry = next(e for e in kept["sealed"] if e["challenge_id"] == a["challenge"].id)
    salt_url = f"/api/v1/audit/checkpoint/salt?challenge_id={{}}&nonce={kept['nonce']}"

    early = await client.get(salt_url.format(a["challenge"].id), headers=a["auditor"])
    assert early.status_code == 404  # not before the deadline
    after_deadline(app, clock)
    for who, status in ((a["auditor"], 200), (b["auditor"], 404), ({}, 401)):
        response = await client.get(salt_url.format(a["challenge"].id), headers=who)
        assert response.status_code == status
    salt = bytes.fromhex(
        (await client.get(salt_url.format(a["challenge"].id), headers=a["auditor"])).json()["salt"]
    )
    events = (
        await client.get(f"/api/v1/audit/events?stream={a['stream']}", headers=a["auditor"])
    ).json()
    states = [(0, GENESIS)] + [(event["seq"], event["hash"]) for event in events]
    opened = [s for s in states if commitment(salt, a["stream"], *s) == entry["commitment"]]
    assert opened == [states[-1]]  # the head at the time of the checkpoint


async def test_posting_a_kept_checkpoint_finds_a_cut_log(client, two_towns, db):
    a = two_towns["a"]
    kept = (await client.get("/api/v1/audit/checkpoint")).json()
    intact = await client.post("/api/v1/audit/verify", json=kept, headers=a["auditor"])
    assert intact.status_code == 200
    assert intact.json()["ok"] is True and intact.json()["findings"] == []

    await cut_last(db, PLATFORM)
    assert (await client.get("/api/v1/audit/verify", headers=a["auditor"])).json()["ok"]
    found = await client.post(
        "/api/v1/audit/verify",
        json=[kept],
        headers={**a["auditor"], "Accept-Language": "en"},
    )
    body = found.json()
    assert body["ok"] is False and body["checkpoints"] == 1
    assert [f["kind"] for f in body["findings"]] == ["truncated"]
    assert body["findings"][0]["stream"] == PLATFORM
    assert "ends at seq" in body["findings"][0]["message"]


async def test_posted_verification_checks_only_what_the_auditor_may_read(
    client, two_towns, db, app, clock
):
    a, b = two_towns["a"], two_towns["b"]
    after_deadline(app, clock)
    kept = (await client.get("/api/v1/audit/checkpoint")).json()
    await remove_stream(db, b["stream"])

    mine = (await client.post("/api/v1/audit/verify", json=kept, headers=a["auditor"])).json()
    assert mine["ok"] is True and mine["skipped"] == 1  # b's stream is not a's to check
    theirs = (await client.post("/api/v1/audit/verify", json=kept, headers=b["auditor"])).json()
    assert [(f["kind"], f["stream"]) for f in theirs["findings"]] == [
        ("stream_removed", b["stream"])
    ]


async def test_a_forged_posted_checkpoint_is_refused(client, two_towns):
    kept = (await client.get("/api/v1/audit/checkpoint")).json()
    kept["streams"][0]["seq"] += 1
    body = (
        await client.post("/api/v1/audit/verify", json=kept, headers=two_towns["a"]["auditor"])
    ).json()
    assert body["ok"] is False
    assert [f["kind"] for f in body["findings"]] == ["bad_signature"]


@pytest.mark.parametrize(
    "body",
    [{"streams": []}, [{"format": "x"}], "checkpoint", {"format": "uitkomst-checkpoint/1"}],
)
async def test_a_posted_body_that_is_no_checkpoint_is_a_422(client, two_towns, body):
    response = await client.post(
        "/api/v1/audit/verify", json=body, headers=two_towns["a"]["auditor"]
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
