"""Signed checkpoints find what the hash chain alone cannot: a cut end, a removed stream, a
rewritten chain. Each attack first verifies "ok" without a checkpoint (the limit of a chain that
lives only in the database), then is found with one."""

import base64
import copy
import os
from datetime import timedelta

import pytest

from app.audit.checkpoint import build_checkpoint, verify_checkpoints
from app.audit.service import GENESIS, PLATFORM, record, sealed_stream, verify_chain
from app.audit.signing import SigningKey, commitment
from app.organisations.models import Role
from tests.audit.tampering import cut_last, remove_stream, rewrite
from tests.factories import coalition_of

KEY = SigningKey(os.urandom(32))


async def _platform_events(db, clock, n: int = 4) -> None:
    for i in range(n):
        await record(
            db, now=clock.now(), actor_id=None, action=f"step{i}", entity_type="x", entity_id=i
        )


@pytest.fixture
async def sealed_world(make):
    """A published challenge with coalition activity in its sealed stream."""
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    partner = await make.user(Role.provider_member)
    await coalition_of(make, challenge, await make.user(Role.provider_member), partner)
    return challenge


def _kinds(report) -> list[str]:
    return [finding.kind for finding in report.findings]


async def test_an_intact_log_that_grew_since_the_checkpoint_holds(db, clock, sealed_world):
    await _platform_events(db, clock)
    checkpoint = await build_checkpoint(db, clock.now(), KEY)
    await _platform_events(db, clock, 2)
    await record(
        db,
        now=clock.now(),
        actor_id=None,
        action="later",
        entity_type="x",
        entity_id=1,
        stream=sealed_stream(sealed_world.id),
    )
    report = await verify_checkpoints(db, [checkpoint], KEY)
    assert report.ok and report.findings == [] and report.chain.ok


async def test_a_cut_end_verifies_without_a_checkpoint_and_is_found_with_one(db, clock):
    await _platform_events(db, clock)
    checkpoint = await build_checkpoint(db, clock.now(), KEY)
    seen = checkpoint["streams"][0]["seq"]
    remaining = await cut_last(db, PLATFORM)

    assert (await verify_chain(db)).ok  # the limit: the chain alone looks whole
    report = await verify_checkpoints(db, [checkpoint], KEY)
    assert _kinds(report) == ["truncated"]
    assert report.findings[0].english() == (
        f"Stream platform ends at seq {remaining}, but the checkpoint of "
        f"{checkpoint['issued_at']} saw seq {seen}."
    )


@pytest.mark.parametrize("days, kind", [(0, "sealed_changed"), (31, "stream_removed")])
async def test_a_removed_sealed_stream_is_found(db, clock, sealed_world, days, kind):
    """Before the deadline through the salted commitment, after it through the named head."""
    checkpoint = await build_checkpoint(db, clock.now() + timedelta(days=days), KEY)
    await remove_stream(db, sealed_stream(sealed_world.id))

    assert (await verify_chain(db)).ok
    report = await verify_checkpoints(db, [checkpoint], KEY)
    assert _kinds(report) == [kind]
    assert report.findings[0].stream == sealed_stream(sealed_world.id)


async def test_a_cut_sealed_stream_is_found_before_the_deadline(db, clock, sealed_world):
    checkpoint = await build_checkpoint(db, clock.now(), KEY)
    await cut_last(db, sealed_stream(sealed_world.id))
    assert (await verify_chain(db)).ok
    assert _kinds(await verify_checkpoints(db, [checkpoint], KEY)) == ["sealed_changed"]


@pytest.mark.parametrize("sealed", [False, True])
async def test_a_rewritten_and_rehashed_chain_is_found(db, clock, sealed_world, sealed):
    await _platform_events(db, clock)
    stream = sealed_stream(sealed_world.id) if sealed else PLATFORM
    checkpoint = await build_checkpoint(db, clock.now(), KEY)
    await rewrite(db, stream, 1, {"forged": True})

    assert (await verify_chain(db)).ok
    report = await verify_checkpoints(db, [checkpoint], KEY)
    assert _kinds(report) == ["sealed_changed" if sealed else "rewritten"]
    assert report.findings[0].stream == stream


async def test_an_older_checkpoint_still_opens_after_honest_growth(db, clock, sealed_world):
    """A commitment opens to the state it saw, even when the stream has grown since."""
    first = await build_checkpoint(db, clock.now(), KEY)
    for i in range(3):
        await record(
            db,
            now=clock.now(),
            actor_id=None,
            action=f"sealed{i}",
            entity_type="coalition",
            entity_id=i,
            stream=sealed_stream(sealed_world.id),
        )
    second = await build_checkpoint(db, clock.now(), KEY)
    report = await verify_checkpoints(db, [first, second], KEY)
    assert report.ok, [f.english() for f in report.findings]


def _forged(checkpoint: dict, change) -> dict:
    forged = copy.deepcopy(checkpoint)
    change(forged)
    return forged


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["streams"][0].update(hash="f" * 64),
        lambda c: c["streams"][0].update(seq=c["streams"][0]["seq"] + 1),
        lambda c: c["sealed"].pop(),
        lambda c: c.update(issued_at="2020-01-01T00:00:00+00:00"),
        lambda c: c.update(signature=base64.b64encode(b"x" * 64).decode()),
        lambda c: c.update(signature="not base64!"),
    ],
    ids=["head hash", "head seq", "sealed entry", "time", "signature", "garbage"],
)
async def test_a_changed_checkpoint_is_refused(db, clock, sealed_world, change):
    await _platform_events(db, clock)
    checkpoint = await build_checkpoint(db, clock.now(), KEY)
    report = await verify_checkpoints(db, [_forged(checkpoint, change)], KEY)
    assert _kinds(report) == ["bad_signature"]


async def test_a_checkpoint_of_another_key_is_refused(db, clock):
    await _platform_events(db, clock)
    other = SigningKey(os.urandom(32))
    foreign = await build_checkpoint(db, clock.now(), other)
    assert _kinds(await verify_checkpoints(db, [foreign], KEY)) == ["unknown_key"]
    # Claiming this platform's key id does not help without its private key.
    posing = _forged(foreign, lambda c: c.update(key_id=KEY.key_id))
    posing["signature"] = other.sign({k: v for k, v in posing.items() if k != "signature"})
    assert _kinds(await verify_checkpoints(db, [posing], KEY)) == ["bad_signature"]


async def test_before_the_deadline_a_checkpoint_shows_no_sealed_activity(db, clock, make):
    officer = await make.user(Role.policy_officer)
    quiet = await make.challenge(officer, publish=True)
    busy = await make.challenge(officer, publish=True)
    await make.challenge(officer)  # a draft is nobody's business
    await _platform_events(db, clock, 1)

    before = await build_checkpoint(db, clock.now(), KEY)
    await coalition_of(make, busy, await make.user(Role.provider_member))
    after = await build_checkpoint(db, clock.now(), KEY)

    for checkpoint in (before, after):
        assert "sealed:" not in str(checkpoint)
        assert [entry["challenge_id"] for entry in checkpoint["sealed"]] == [quiet.id, busy.id]
    # Nothing but fresh salts, nonces and signatures changed: the platform head is the same,
    # and every commitment is new, whether or not anyone acted.
    assert after["streams"] == before["streams"]
    for old, new in zip(before["sealed"], after["sealed"], strict=True):
        assert old["commitment"] != new["commitment"]
    # The commitment of the quiet challenge is to the genesis, that of the busy one is not.
    nonce = after["nonce"]
    empty = commitment(KEY.salt(quiet.id, nonce), sealed_stream(quiet.id), 0, GENESIS)
    assert after["sealed"][0]["commitment"] == empty
    busy_empty = commitment(KEY.salt(busy.id, nonce), sealed_stream(busy.id), 0, GENESIS)
    assert after["sealed"][1]["commitment"] != busy_empty


async def test_after_the_deadline_the_sealed_head_is_named(db, clock, sealed_world):
    checkpoint = await build_checkpoint(db, clock.now() + timedelta(days=31), KEY)
    assert checkpoint["sealed"] == []
    names = [head["stream"] for head in checkpoint["streams"]]
    assert names == [PLATFORM, sealed_stream(sealed_world.id)]
