"""No side channel on sealed coalitions: the same work as for a missing one, and random ids."""

import io
import re
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event, select

from app.audit.models import AuditEvent
from app.challenges import lifecycle
from app.organisations.models import Role
from app.proposals import service as proposals
from tests.conftest import sign_in
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content

OUTSIDERS = ["other_provider", "policy_officer", "admin", "auditor"]
BEFORE, AFTER = "before_deadline", "after_deadline"
SAVEPOINT = re.compile(r"sa_savepoint_\d+")


@contextmanager
def statements(engine):
    """Every SQL statement sent to the database meanwhile, as text (parameters left out)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(SAVEPOINT.sub("sa_savepoint", statement))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
async def world(make, app):
    """Before the deadline a coalition with a submitted proposal is sealed; after it, one that
    submitted nothing stays hidden from the municipality and auditors (nothing was opened)."""
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    submitted = await coalition_of(make, challenge, lead)
    ctx = make.ctx(lead)
    await proposals.save_draft(ctx, submitted.public_id, complete_content(challenge, submitted))
    pdf = io.BytesIO(make_pdf("plan"))
    await proposals.add_attachment(
        ctx, app.state.documents, submitted.public_id, "plan.pdf", pdf, 100_000
    )
    await proposals.submit(ctx, submitted.public_id)
    silent = await coalition_of(make, challenge, await make.user(Role.provider_member))
    outsiders = {
        "other_provider": await make.user(Role.provider_member),
        "policy_officer": officer,
        "admin": await make.user(Role.admin, org=officer.organisation),
        "auditor": await make.user(Role.auditor, org=officer.organisation),
    }
    return challenge, {BEFORE: submitted, AFTER: silent}, outsiders, lead


def _move_to(moment: str, app, clock) -> None:
    if moment == AFTER:
        clock.advance(timedelta(days=30, minutes=1))
        app.state.clock_offset_cache = None


async def _compare(client, app, engine, sealed_url: str, missing_url: str, **kwargs):
    await client.get(missing_url, **kwargs)  # warm-up: first-request work is not the point
    measured = []
    for url in (sealed_url, missing_url):
        # The demo clock's offset is cached for 2 s of wall time: read it afresh for both.
        app.state.clock_offset_cache = None
        with statements(engine) as seen:
            measured += [await client.get(url, **kwargs), seen]
    return measured


@pytest.mark.parametrize("moment", [BEFORE, AFTER])
@pytest.mark.parametrize("who", OUTSIDERS)
async def test_api_does_the_same_work_for_sealed_and_missing(
    client, engine, make, app, clock, world, who, moment
):
    _challenge, coalitions, outsiders, _lead = world
    _move_to(moment, app, clock)
    auth = {"Authorization": f"Bearer {await make.token(outsiders[who])}"}
    sealed, for_sealed, missing, for_missing = await _compare(
        client,
        app,
        engine,
        f"/api/v1/coalitions/{coalitions[moment].public_id}",
        f"/api/v1/coalitions/{uuid4()}",
        headers=auth,
    )
    assert sealed.status_code == missing.status_code == 404
    assert sealed.json() == missing.json()
    assert for_sealed == for_missing  # the same statements, one by one, in the same order
    assert len([s for s in for_sealed if "FROM coalitions" in s]) == 1


@pytest.mark.parametrize("moment", [BEFORE, AFTER])
@pytest.mark.parametrize("who", OUTSIDERS)
async def test_page_does_the_same_work_for_sealed_and_missing(
    client, engine, app, clock, world, who, moment
):
    _challenge, coalitions, outsiders, _lead = world
    _move_to(moment, app, clock)  # first: a session started before would have expired
    await sign_in(client, outsiders[who].email)
    sealed_id, missing_id = str(coalitions[moment].public_id), str(uuid4())
    sealed, for_sealed, missing, for_missing = await _compare(
        client, app, engine, f"/coalitions/{sealed_id}", f"/coalitions/{missing_id}"
    )
    assert sealed.status_code == missing.status_code == 404
    # The page links to itself (language switch), so each carries its own URL; nothing else.
    assert sealed.text.replace(sealed_id, "ID") == missing.text.replace(missing_id, "ID")
    assert for_sealed == for_missing


async def test_a_visible_coalition_loads_its_members_and_challenge(client, engine, make, world):
    """The counterpart: the comparisons above would also hold if nothing were ever found."""
    _challenge, coalitions, _outsiders, lead = world
    auth = {"Authorization": f"Bearer {await make.token(lead)}"}
    url = f"/api/v1/coalitions/{coalitions[BEFORE].public_id}"
    with statements(engine) as seen:
        found = await client.get(url, headers=auth)
    assert found.status_code == 200
    assert [s for s in seen if s.startswith("SELECT coalition_members.")]
    assert [s for s in seen if s.startswith("SELECT challenges.")]


@pytest.mark.parametrize("path", ["/api/v1/coalitions/not-a-uuid", "/api/v1/coalitions/12"])
async def test_a_malformed_id_is_a_client_error_that_tells_nothing(client, make, world, path):
    _challenge, _coalitions, outsiders, _lead = world
    auth = {"Authorization": f"Bearer {await make.token(outsiders['other_provider'])}"}
    response = await client.get(path, headers=auth)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    # Anonymous: asked to sign in before the id is even read (signed in by default)...
    anonymous = await client.get(path.removeprefix("/api/v1"))
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    # ...and signed in, the page of a malformed id does not exist.
    await sign_in(client, outsiders["other_provider"].email)
    page = await client.get(path.removeprefix("/api/v1"))
    assert page.status_code == 404


def _uuid(value: str) -> UUID:
    parsed = UUID(value)
    assert str(parsed) == value and parsed.version == 4
    return parsed


async def test_ids_in_urls_and_answers_are_random(client, make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    leads = [await make.user(Role.provider_member) for _ in range(2)]
    tokens = [{"Authorization": f"Bearer {await make.token(lead)}"} for lead in leads]
    ids = []
    for auth in tokens:
        started = await client.post(
            f"/api/v1/challenges/{challenge.id}/coalitions", json={"name": "Samen"}, headers=auth
        )
        assert started.status_code == 201
        ids.append(_uuid(started.json()["id"]))
    assert abs(ids[0].int - ids[1].int) > 1  # not consecutive: a number counts nothing

    auth = tokens[0]
    base = f"/api/v1/coalitions/{ids[0]}"
    assert (await client.get(base, headers=auth)).json()["id"] == str(ids[0])
    mine = (await client.get("/api/v1/coalitions", headers=auth)).json()
    assert [c["id"] for c in mine] == [str(ids[0])]
    files = []
    for name in ("a.pdf", "b.pdf"):
        uploaded = await client.post(
            f"{base}/proposal/attachments",
            files={"file": (name, make_pdf(name), "application/pdf")},
            headers=auth,
        )
        assert uploaded.status_code == 201
        files.append(_uuid(uploaded.json()["id"]))
    assert abs(files[0].int - files[1].int) > 1
    draft = (await client.get(f"{base}/proposal", headers=auth)).json()
    assert [a["id"] for a in draft["attachments"]] == [str(f) for f in files]
    download = await client.get(f"{base}/proposal/attachments/{files[1]}", headers=auth)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")

    await sign_in(client, leads[0].email)
    for page in ("/coalitions", f"/coalitions/{ids[0]}", f"/coalitions/{ids[0]}/proposal"):
        html = (await client.get(page)).text
        assert f"/coalitions/{ids[0]}" in html
        assert not re.search(r"/coalitions/\d+[/\"#?]", html), page  # no integer id in a link
        assert not re.search(r"/attachments/\d+[/\"]", html), page
    proposal_page = (await client.get(f"/coalitions/{ids[0]}/proposal")).text
    assert f"/proposal/attachments/{files[0]}" in proposal_page


async def test_sealed_events_and_the_opening_name_coalitions_by_public_id(
    client, make, app, clock, world, db
):
    challenge, coalitions, outsiders, _lead = world
    coalition = coalitions[BEFORE]
    sealed = await db.scalars(select(AuditEvent).where(AuditEvent.stream.like("sealed:%")))
    events = sealed.all()
    assert events
    public_ids = {c.public_id for c in coalitions.values()}
    for e in events:
        assert e.entity_type == "coalition" and e.entity_id is None
        assert _uuid(e.data["coalition_id"]) in public_ids

    _move_to(AFTER, app, clock)
    auth = {"Authorization": f"Bearer {await make.token(outsiders['auditor'])}"}
    opening = await client.get(f"/api/v1/challenges/{challenge.id}/opening", headers=auth)
    assert [p["coalition_id"] for p in opening.json()["proposals"]] == [str(coalition.public_id)]
    stream = await client.get(
        f"/api/v1/audit/events?stream=sealed:challenge:{challenge.id}", headers=auth
    )
    assert stream.status_code == 200
    assert {e["entity_id"] for e in stream.json()} == {None}

    await sign_in(client, outsiders["policy_officer"].email)
    record = await client.get(f"/challenges/{challenge.id}/opening")
    entry = re.search(rf'href="(/challenges/{challenge.id}/opening/[A-Z0-9-]+)"', record.text)
    opened = await client.get(entry.group(1))
    link = re.search(r'href="(/coalitions/([^/"]+)/receipts/1/content\.json)"', opened.text)
    assert link.group(2) == str(coalition.public_id)
    assert (await client.get(link.group(1))).status_code == 200
