"""The hash-chained, append-only audit log."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.audit.models import AuditEvent
from app.audit.service import GENESIS, record, verify_chain
from app.organisations.models import Role


async def test_chain_links_each_event_to_the_one_before(db, clock):
    first = await record(
        db, now=clock.now(), actor_id=None, action="a", entity_type="x", entity_id=1, data={"n": 1}
    )
    second = await record(
        db, now=clock.now(), actor_id=7, action="b", entity_type="x", entity_id=1, data={"ü": "ë"}
    )
    assert second.prev_hash == first.hash
    chain = (await db.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert chain[0].prev_hash == GENESIS
    result = await verify_chain(db)
    assert result.ok and result.checked == len(chain)


async def test_verify_reports_the_first_tampered_event(db, clock):
    events = [
        await record(
            db, now=clock.now(), actor_id=None, action=f"step{i}", entity_type="x", entity_id=i
        )
        for i in range(3)
    ]
    # An attacker with database access drops the guard and edits history.
    await _without_guard(
        db,
        "UPDATE audit_events SET data = '{\"forged\": true}' WHERE id = :id",
        {"id": events[1].id},
    )
    db.expunge_all()
    result = await verify_chain(db)
    assert not result.ok
    assert result.broken_seq == events[1].seq
    assert "hash" in result.reason


async def test_verify_reports_a_removed_event(db, clock):
    events = [
        await record(
            db, now=clock.now(), actor_id=None, action=f"s{i}", entity_type="x", entity_id=i
        )
        for i in range(3)
    ]
    await _without_guard(db, "DELETE FROM audit_events WHERE id = :id", {"id": events[1].id})
    db.expunge_all()
    result = await verify_chain(db)
    assert (result.ok, result.broken_seq) == (False, events[1].seq)
    assert "missing" in result.reason


async def _without_guard(db, statement: str, params: dict) -> None:
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        await db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        await db.execute(text(statement), params)
        await db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    else:
        await db.execute(text("DROP TRIGGER audit_events_no_update"))
        await db.execute(text("DROP TRIGGER audit_events_no_delete"))
        await db.execute(text(statement), params)
        # The outer test transaction is rolled back, triggers included.


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"],
)
async def test_the_database_refuses_to_change_the_log(db, clock, statement):
    await record(db, now=clock.now(), actor_id=None, action="a", entity_type="x", entity_id=1)
    nested = await db.begin_nested()
    with pytest.raises((DBAPIError, IntegrityError)) as refused:
        await db.execute(text(statement))
    await nested.rollback()
    assert "append-only" in str(refused.value)


async def test_auditor_reads_events_and_verification_over_the_api(client, make):
    officer = await make.user(Role.policy_officer)
    await make.challenge(officer, publish=True)
    auditor = await make.user(Role.auditor)
    headers = {"Authorization": f"Bearer {await make.token(auditor)}"}
    events = (await client.get("/api/v1/audit/events", headers=headers)).json()
    assert "challenge.published" in [event["action"] for event in events]
    after = events[0]["seq"]
    paged = await client.get(f"/api/v1/audit/events?after={after}&limit=1", headers=headers)
    assert [event["seq"] for event in paged.json()] == [events[1]["seq"]]
    verify = (await client.get("/api/v1/audit/verify", headers=headers)).json()
    assert verify["ok"] is True


async def test_audit_api_is_for_auditors_only(client, make):
    provider = await make.user(Role.provider_member)
    headers = {"Authorization": f"Bearer {await make.token(provider)}"}
    assert (await client.get("/api/v1/audit/events", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/audit/events")).status_code == 401


async def test_a_moment_in_another_zone_hashes_as_it_reads_back(db, clock):
    from zoneinfo import ZoneInfo

    local = clock.now().astimezone(ZoneInfo("Europe/Amsterdam"))
    await record(db, now=local, actor_id=None, action="a", entity_type="x", entity_id=1)
    db.expunge_all()
    assert (await verify_chain(db)).ok
