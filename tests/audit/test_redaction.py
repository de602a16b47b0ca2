"""The platform stream as an auditor reads it: in full only what concerns their municipality.

Every organisation writes to the platform stream. An auditor appointed by municipality A reads
A's challenges, A's people and the public acts of any published challenge in full; another
municipality's drafts, openings and sign-ins, and every other organisation's personal events,
come redacted to their place in the chain (stream, seq, prev_hash, hash)."""

from sqlalchemy import event, select

from app.audit.api import shown_in_full
from app.audit.models import AuditEvent
from app.audit.service import PLATFORM, record
from app.auth.service import start_session
from app.challenges import questions
from app.organisations.models import Role
from tests.audit.world import after_deadline, bearer

DRAFT_TITLE = "Geheim concept van gemeente B"
CHAIN = {"stream", "seq", "prev_hash", "hash"}


async def feed(client, headers, **params) -> list[dict]:
    response = await client.get("/api/v1/audit/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def by_seq(events: list[dict]) -> dict[int, dict]:
    return {e["seq"]: e for e in events}


async def platform_rows(db) -> list[AuditEvent]:
    rows = await db.scalars(
        select(AuditEvent).where(AuditEvent.stream == PLATFORM).order_by(AuditEvent.seq)
    )
    return list(rows)


def find(rows, action: str, entity_type: str, entity_id: int) -> list[AuditEvent]:
    found = [
        r
        for r in rows
        if (r.action, r.entity_type, r.entity_id) == (action, entity_type, entity_id)
    ]
    assert found, (action, entity_type, entity_id)
    return found


async def busy_platform(client, make, two_towns, app, clock):
    """Both towns at work: drafts, sign-ins, role grants, a question and its answer on B's
    published challenge, and B's opening after the deadline."""
    a, b = two_towns["a"], two_towns["b"]
    draft = await make.challenge(b["officer"], title=DRAFT_TITLE)
    provider = await make.user(Role.provider_member)
    question = await questions.ask_question(
        make.ctx(provider), b["challenge"].id, "Mag een school penvoerder zijn?"
    )
    await questions.answer_question(make.ctx(b["officer"]), b["challenge"].id, question.id, "Ja.")
    for officer in (a["officer"], b["officer"], provider):
        await start_session(make.db, officer, clock.now(), 1)
    for town in (a, b):
        newcomer = await make.user(None, org=town["officer"].organisation)
        response = await client.put(
            f"/api/v1/admin/users/{newcomer.id}/role",
            json={"role": "evaluator"},
            headers=town["admin"],
        )
        assert response.status_code == 200, response.text
        town["newcomer"] = newcomer
    after_deadline(app, clock)
    opening = await client.get(
        f"/api/v1/challenges/{b['challenge'].id}/opening", headers=b["auditor"]
    )
    assert opening.status_code == 200, opening.text
    return draft, provider


async def test_own_municipality_in_full_others_redacted(client, make, two_towns, app, clock, db):
    a, b = two_towns["a"], two_towns["b"]
    draft, provider = await busy_platform(client, make, two_towns, app, clock)
    rows = await platform_rows(db)
    response = await client.get("/api/v1/audit/events?limit=1000", headers=a["auditor"])
    assert DRAFT_TITLE not in response.text
    seen = by_seq(response.json())
    assert sorted(seen) == [r.seq for r in rows]  # every event has its place

    def full(row: AuditEvent) -> bool:
        shown = seen[row.seq]
        if shown["redacted"]:
            assert {k for k, v in shown.items() if v is not None} == CHAIN | {"redacted"}
            assert (shown["prev_hash"], shown["hash"]) == (row.prev_hash, row.hash)
            return False
        assert (shown["action"], shown["data"], shown["actor_id"]) == (
            row.action,
            row.data,
            row.actor_id,
        )
        return True

    a_challenge, b_challenge = a["challenge"].id, b["challenge"].id
    # A's own challenge, people and grants: in full.
    for row in find(rows, "challenge.created", "challenge", a_challenge):
        assert full(row) and row.data["title"]
    for user in (a["officer"], a["newcomer"]):
        assert all(full(r) for r in rows if r.entity_type == "user" and r.entity_id == user.id)
    assert all(full(r) for r in find(rows, "user.signed_in", "user", a["officer"].id))
    assert all(full(r) for r in find(rows, "user.role_granted", "user", a["newcomer"].id))
    # B's draft, B's challenge before publication, its question and its opening: redacted.
    assert not any(full(r) for r in find(rows, "challenge.created", "challenge", draft.id))
    assert not any(full(r) for r in find(rows, "challenge.created", "challenge", b_challenge))
    assert not any(full(r) for r in find(rows, "question.asked", "challenge", b_challenge))
    assert not any(full(r) for r in find(rows, "proposals.opened", "challenge", b_challenge))
    # Other organisations' people (sign-ins, grants, tokens): B's officer and newcomer, the
    # provider; and whatever the provider did.
    for user in (b["officer"], b["newcomer"], provider):
        about = [r for r in rows if r.entity_type == "user" and r.entity_id == user.id]
        assert about and not any(full(r) for r in about)
    assert not any(full(r) for r in rows if r.actor_id == provider.id)
    # What B's published challenge shows the public anyway: in full.
    assert all(full(r) for r in find(rows, "challenge.published", "challenge", b_challenge))
    assert all(full(r) for r in find(rows, "question.answered", "challenge", b_challenge))

    # B's auditor reads B's side in full.
    mirror = by_seq(await feed(client, b["auditor"], limit=1000))
    for row in (
        *find(rows, "challenge.created", "challenge", draft.id),
        *find(rows, "proposals.opened", "challenge", b_challenge),
        *find(rows, "user.signed_in", "user", b["officer"].id),
    ):
        assert not mirror[row.seq]["redacted"] and mirror[row.seq]["data"] == row.data
    for row in find(rows, "user.signed_in", "user", a["officer"].id):
        assert mirror[row.seq]["redacted"]


async def test_paging_redacts_alike_with_the_same_queries_per_page(
    client, make, two_towns, app, clock, engine
):
    """Pages of 3 and one page of everything agree; the rule costs no query per event."""
    await busy_platform(client, make, two_towns, app, clock)
    auditor = two_towns["a"]["auditor"]
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        whole = await feed(client, auditor, limit=1000)
        per_page = {"whole": len(statements)}
        paged, after = [], 0
        while page := await feed(client, auditor, after=after, limit=3):
            paged += page
            after = page[-1]["seq"]
            per_page.setdefault("three", len(statements) - per_page["whole"])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(whole) > 3 and paged == whole
    assert any(e["redacted"] for e in whole) and not all(e["redacted"] for e in whole)
    assert per_page["three"] == per_page["whole"]


async def test_organisation_and_platform_events(client, make, two_towns, db, clock):
    """An event about the auditor's own organisation, or about the platform as a whole, is in
    full; one about another organisation is not."""
    a, b = two_towns["a"], two_towns["b"]
    events = [
        await record(
            db,
            now=clock.now(),
            actor_id=None,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
        )
        for action, entity_type, entity_id in (
            ("organisation.renamed", "organisation", a["officer"].organisation_id),
            ("organisation.renamed", "organisation", b["officer"].organisation_id),
            ("clock.advanced", "platform", None),
        )
    ]
    auditor = await make.user(Role.auditor, org=a["officer"].organisation)
    shown = await shown_in_full(make.ctx(auditor), events)
    assert shown == {events[0].id, events[2].id}
    served = by_seq(await feed(client, bearer(await make.token(auditor)), limit=1000))
    assert [served[e.seq]["redacted"] for e in events] == [False, True, False]


async def test_the_openapi_description_says_fields_may_be_null(client):
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["AuditEventOut"]
    assert set(schema["required"]) >= CHAIN | {"redacted", "action", "data", "occurred_at"}
    assert schema["properties"]["redacted"]["type"] == "boolean"
    for name in ("occurred_at", "action", "entity_type", "data"):
        assert {"type": "null"} in schema["properties"][name]["anyOf"], name
    for name in CHAIN:
        assert "anyOf" not in schema["properties"][name], name
