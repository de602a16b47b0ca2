"""The audit log for API clients (/api/v1/auditor/audit, scope audit:read): a municipality's
program reads as its auditors do; a program registered at the command line, or by an
organisation that is no municipality, reads as the public; sealed streams stay hidden until the
deadline; and the chain recomputes from the client feed alone, by the README's rule."""

import asyncio
import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.audit.service import PLATFORM
from app.audit.signing import verify_signature
from app.organisations.models import OrganisationKind, Role
from tests.audit.tampering import cut_last, drop_guard
from tests.audit.test_feed_script import AppFeed, script
from tests.audit.test_redaction import DRAFT_TITLE, busy_platform
from tests.audit.world import after_deadline, client_token, register
from tests.factories import coalition_of

FEED = "/api/v1/auditor/audit"
PUBLIC_ACTIONS = {"challenge.published", "challenge.amended", "question.answered"}


class Programs:
    """Programs registered by town a's admin, town b's admin, a provider's admin, and at the
    command line; `await programs("a")` is a bearer header with a fresh token (a test that
    moves the clock past the deadline outlives a token)."""

    def __init__(self, client, registered: dict[str, tuple[str, str]]) -> None:
        self.client, self.registered = client, registered

    async def __call__(self, who: str) -> dict[str, str]:
        return await client_token(self.client, self.registered[who])


@pytest.fixture
async def programs(client, make, two_towns) -> Programs:
    registered = {}
    for town in ("a", "b"):
        admin = await make.user(Role.admin, org=two_towns[town]["officer"].organisation)
        registered[town] = await register(make, admin)
    provider = await make.org(OrganisationKind.company)
    registered["provider"] = await register(make, await make.user(Role.admin, org=provider))
    registered["cli"] = await register(make, None)
    return Programs(client, registered)


async def read(client, headers, path: str, **params):
    response = await client.get(FEED + path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def everything(client, headers, prefix: str = FEED) -> dict:
    """Streams, every event of each, and the verification, as one reader gets them."""
    streams = (await client.get(f"{prefix}/streams", headers=headers)).json()
    events = {}
    for stream in streams:
        answer = await client.get(
            f"{prefix}/events", params={"stream": stream, "limit": 1000}, headers=headers
        )
        events[stream] = answer.json()
    verify = (await client.get(f"{prefix}/verify", headers=headers)).json()
    return {"streams": streams, "events": events, "verify": verify}


async def test_a_municipalitys_program_reads_as_its_auditors(
    client, make, two_towns, programs, app, clock
):
    await busy_platform(client, make, two_towns, app, clock)  # both towns at work; deadline past
    for town in ("a", "b"):
        person = await everything(client, two_towns[town]["auditor"], "/api/v1/audit")
        assert await everything(client, await programs(town)) == person
        assert person["streams"] == [PLATFORM, two_towns[town]["stream"]]
        assert any(e["redacted"] for e in person["events"][PLATFORM])
        assert not any(e["redacted"] for e in person["events"][two_towns[town]["stream"]])


@pytest.mark.parametrize("who", ["cli", "provider"])
async def test_a_program_of_no_municipality_reads_as_the_public(
    client, make, two_towns, programs, app, clock, db, who
):
    draft, _provider = await busy_platform(client, make, two_towns, app, clock)
    headers = await programs(who)
    seen = await everything(client, headers)
    assert seen["streams"] == [PLATFORM]
    rows = {
        r.seq: r for r in await db.scalars(select(AuditEvent).where(AuditEvent.stream == PLATFORM))
    }
    events = seen["events"][PLATFORM]
    assert [e["seq"] for e in events] == sorted(rows)  # every event has its place
    assert [e["hash"] for e in events] == [rows[e["seq"]].hash for e in events]
    full = [e for e in events if not e["redacted"]]
    assert full and len(full) < len(events)
    for shown in full:  # only what any published challenge's page shows, or the platform's
        assert shown["entity_type"] == "platform" or (
            shown["entity_type"] == "challenge" and shown["action"] in PUBLIC_ACTIONS
        ), shown
    assert DRAFT_TITLE not in json.dumps(events)
    assert not [e for e in full if e["entity_id"] == draft.id]
    assert seen["verify"]["ok"] and seen["verify"]["checked"] == len(events)
    for town in ("a", "b"):  # past the deadline, still nobody's sealed stream for the public
        hidden = await client.get(
            f"{FEED}/events", params={"stream": two_towns[town]["stream"]}, headers=headers
        )
        missing = await client.get(
            f"{FEED}/events", params={"stream": "sealed:challenge:999999"}, headers=headers
        )
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()


async def test_before_the_deadline_a_program_learns_nothing_sealed(
    client, make, two_towns, programs
):
    a = two_towns["a"]
    for who in ("a", "b", "cli", "provider"):
        headers = await programs(who)
        assert await read(client, headers, "/streams") == [PLATFORM]
        events = await read(client, headers, "/events", limit=1000)
        assert not [e for e in events if e["entity_type"] == "coalition"]
        assert not [e for e in events if "proposal" in (e["action"] or "")]
        hidden = await client.get(f"{FEED}/events", params={"stream": a["stream"]}, headers=headers)
        missing = await client.get(
            f"{FEED}/events", params={"stream": "sealed:challenge:999999"}, headers=headers
        )
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
        nonce = "0" * 32
        salt = await client.get(
            f"{FEED}/checkpoint/salt",
            params={"challenge_id": a["challenge"].id, "nonce": nonce},
            headers=headers,
        )
        no_salt = await client.get(
            f"{FEED}/checkpoint/salt",
            params={"challenge_id": 999999, "nonce": nonce},
            headers=headers,
        )
        assert salt.status_code == no_salt.status_code == 404
        assert salt.json() == no_salt.json()


async def test_the_verification_count_does_not_move_with_sealed_activity(
    client, make, two_towns, programs
):
    """Not even how many sealed events there are: the count covers the readable streams."""
    headers = await programs("a")
    before = await read(client, headers, "/verify")
    # Another coalition forms on town a's challenge: more events in its sealed stream.
    await coalition_of(make, two_towns["a"]["challenge"], await make.user(Role.provider_member))
    after = await read(client, headers, "/verify")
    assert before["ok"] and before == after


async def test_after_the_deadline_only_the_owning_municipalitys_program_opens_it(
    client, two_towns, programs, app, clock
):
    after_deadline(app, clock)
    a = two_towns["a"]
    opened = await read(client, await programs("a"), "/events", stream=a["stream"])
    assert "coalition.started" in {e["action"] for e in opened}
    assert all(not e["redacted"] for e in opened)
    for who in ("b", "cli", "provider"):
        refused = await client.get(
            f"{FEED}/events", params={"stream": a["stream"]}, headers=await programs(who)
        )
        assert refused.status_code == 404
    assert await read(client, await programs("b"), "/streams") == [
        PLATFORM,
        two_towns["b"]["stream"],
    ]


# --- recomputing the chain from the client feed alone ------------------------------------------


def readme_hash(event: dict) -> str:
    """The README's hashing rule, written here from its words (no code of Uitkomst): SHA-256 over
    the canonical JSON (keys sorted, no spaces, UTF-8 as is) of the nine fields, the moment in
    UTC as Python's isoformat() writes it."""
    moment = datetime.fromisoformat(event["occurred_at"]).astimezone(UTC).isoformat()
    fields = {name: event[name] for name in ("stream", "seq", "actor_id", "action")}
    fields |= {name: event[name] for name in ("entity_type", "entity_id", "data", "prev_hash")}
    fields["occurred_at"] = moment
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def recompute(client, headers, page: int = 7) -> tuple[int, int, list[str]]:
    """(recomputed, link-checked, problems) over every stream, paging `page` events at a time."""
    recomputed, linked, problems = 0, 0, []
    for stream in await read(client, headers, "/streams"):
        expected_seq, expected_prev, after = 1, "0" * 64, 0
        while events := await read(
            client, headers, "/events", stream=stream, after=after, limit=page
        ):
            for event in events:
                if event["seq"] != expected_seq or event["prev_hash"] != expected_prev:
                    problems.append(f"{stream} {event['seq']}: link")
                elif event["redacted"]:
                    linked += 1
                elif readme_hash(event) != event["hash"]:
                    problems.append(f"{stream} {event['seq']}: content")
                else:
                    recomputed += 1
                expected_seq, expected_prev = event["seq"] + 1, event["hash"]
            after = events[-1]["seq"]
    return recomputed, linked, problems


async def test_the_chain_recomputes_from_the_client_feed_alone(
    client, make, two_towns, programs, app, clock, db
):
    await busy_platform(client, make, two_towns, app, clock)
    headers = await programs("a")
    recomputed, linked, problems = await recompute(client, headers)
    assert problems == []
    total = await db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert recomputed > 0 and linked > 0 and total
    verify = await read(client, headers, "/verify")
    assert verify["ok"] and verify["checked"] == recomputed + linked

    # Someone with database access changes an event the program reads in full.
    stream = two_towns["a"]["stream"]
    await drop_guard(db)
    await db.execute(
        update(AuditEvent)
        .where(AuditEvent.stream == stream, AuditEvent.seq == 1)
        .values(data={"forged": True})
    )
    db.expunge_all()
    _recomputed, _linked, problems = await recompute(client, headers)
    assert problems == [f"{stream} 1: content"]
    broken = await read(client, headers, "/verify")
    assert (broken["ok"], broken["stream"], broken["broken_seq"]) == (False, stream, 1)


async def test_the_public_reader_recomputes_what_it_reads_in_full(
    client, make, two_towns, programs, app, clock
):
    await busy_platform(client, make, two_towns, app, clock)
    recomputed, linked, problems = await recompute(client, await programs("cli"), page=1000)
    assert problems == [] and recomputed > 0 and linked > recomputed


async def run_script(client, headers, *argv: str) -> int:
    feed = AppFeed(client, headers, asyncio.get_running_loop())
    return await asyncio.to_thread(script.main, list(argv), feed)


async def test_the_example_script_checks_the_client_feed(
    client, make, two_towns, programs, app, clock, db, tmp_path, capsys
):
    kept = tmp_path / "checkpoints.jsonl"
    before = (await client.get(f"{FEED}/checkpoint", headers=await programs("a"))).text
    after_deadline(app, clock)
    kept.write_text(before + "\n" + (await client.get("/api/v1/audit/checkpoint")).text + "\n")
    key = tmp_path / "key.pem"
    key.write_text((await client.get("/api/v1/audit/public-key")).json()["pem"])
    argv = ["--checkpoint", str(kept), "--public-key", str(key)]
    headers = await programs("a")
    assert await run_script(client, headers, *argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and " in 2 streams recomputed" in out and "2 checkpoint(s)" in out

    await cut_last(db, two_towns["a"]["stream"])
    assert await run_script(client, headers, *argv) == 1
    assert f"the sealed stream of challenge {two_towns['a']['challenge'].id}" in (
        capsys.readouterr().out
    )


def test_the_script_picks_the_feed_for_the_token():
    assert script.which_feed("auto", None, ("ukc_x", "ukcs_y")) == FEED
    assert script.which_feed("auto", "uka_abc", None) == FEED
    assert script.which_feed("auto", "uk_abc", None) == "/api/v1/audit"
    assert script.which_feed("person", "uka_abc", None) == "/api/v1/audit"
    assert script.which_feed("client", "uk_abc", None) == FEED


# --- checkpoints through the client feed -------------------------------------------------------


async def test_the_client_checkpoint_is_signed_and_verifies_a_cut(client, two_towns, programs, db):
    headers = await programs("a")
    checkpoint = await read(client, headers, "/checkpoint")
    key = (await client.get("/api/v1/audit/public-key")).json()
    assert verify_signature(base64.b64decode(key["public_key"]), checkpoint)
    assert {s["stream"] for s in checkpoint["streams"]} == {PLATFORM}  # the sealed ones committed
    assert {s["challenge_id"] for s in checkpoint["sealed"]} >= {
        two_towns["a"]["challenge"].id,
        two_towns["b"]["challenge"].id,
    }
    holds = await client.post(f"{FEED}/verify", json=checkpoint, headers=headers)
    assert holds.status_code == 200 and holds.json()["ok"], holds.text
    assert holds.json()["skipped"] == 2  # neither sealed stream is open before the deadline

    await cut_last(db, PLATFORM)
    found = (await client.post(f"{FEED}/verify", json=[checkpoint], headers=headers)).json()
    assert not found["ok"]
    assert [f["kind"] for f in found["findings"]] == ["truncated"]
