"""Sealed until the deadline: one test per path through which a proposal could leak."""

import io
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from app.challenges import lifecycle
from app.organisations.models import Role, User
from app.proposals import service
from tests.conftest import sign_in
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content

SECRET = "Aanpak-met-geheime-sleutelwoorden"


@pytest.fixture
async def sealed(make, tmp_path, app):
    """One submitted proposal (with a document) on an open challenge, and every kind of outsider."""
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead)
    coalition.name = f"Coalitie {SECRET}"
    ctx = make.ctx(lead)
    await service.save_draft(
        ctx, coalition.public_id, complete_content(challenge, coalition, approach=SECRET)
    )
    attachment = await service.add_attachment(
        ctx,
        app.state.documents,
        coalition.public_id,
        f"{SECRET}.pdf",
        io.BytesIO(make_pdf(SECRET)),
        1_000_000,
    )
    await service.submit(ctx, coalition.public_id)
    outsiders = {
        "policy_officer": officer,
        "admin": await make.user(Role.admin, org=officer.organisation),
        "auditor": await make.user(Role.auditor, org=officer.organisation),
        "evaluator": await make.user(Role.evaluator),
        "other_provider": await make.user(Role.provider_member),
    }
    tokens = {name: await make.token(user) for name, user in outsiders.items()}
    tokens["public"] = None
    return challenge, coalition, attachment, outsiders, tokens


def headers(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


OUTSIDERS = ["policy_officer", "admin", "auditor", "evaluator", "other_provider", "public"]


def sealed_urls(challenge_id: int, coalition_id: UUID, attachment_id: UUID) -> list[str]:
    return [
        f"/api/v1/coalitions/{coalition_id}",
        f"/api/v1/coalitions/{coalition_id}/proposal",
        f"/api/v1/coalitions/{coalition_id}/proposal/attachments/{attachment_id}",
        f"/api/v1/coalitions/{coalition_id}/submissions",
        f"/api/v1/coalitions/{coalition_id}/submissions/1",
        f"/api/v1/coalitions/{coalition_id}/submissions/1/attachments/{'0' * 64}",
        f"/api/v1/challenges/{challenge_id}/opening",
        f"/api/v1/challenges/{challenge_id}/proposals",
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_api_reveals_nothing_before_the_deadline(client, sealed, who):
    challenge, coalition, attachment, _users, tokens = sealed
    for url in sealed_urls(challenge.id, coalition.public_id, attachment.public_id):
        response = await client.get(url, headers=headers(tokens[who]))
        assert response.status_code in (401, 403, 404, 409), (url, response.status_code)
        assert SECRET not in response.text
        assert coalition.name not in response.text
    mine = await client.get("/api/v1/coalitions", headers=headers(tokens[who]))
    assert SECRET not in mine.text


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_error_messages_do_not_tell_a_sealed_coalition_from_none(client, sealed, who):
    _challenge, coalition, attachment, _users, tokens = sealed
    real = await client.get(
        f"/api/v1/coalitions/{coalition.public_id}", headers=headers(tokens[who])
    )
    nothing = await client.get(f"/api/v1/coalitions/{uuid4()}", headers=headers(tokens[who]))
    assert (real.status_code, real.json()) == (nothing.status_code, nothing.json())
    real_file = await client.get(
        f"/api/v1/coalitions/{coalition.public_id}/proposal/attachments/{attachment.public_id}",
        headers=headers(tokens[who]),
    )
    no_file = await client.get(
        f"/api/v1/coalitions/{uuid4()}/proposal/attachments/{uuid4()}",
        headers=headers(tokens[who]),
    )
    assert (real_file.status_code, real_file.json()) == (no_file.status_code, no_file.json())


async def test_opening_before_the_deadline_says_sealed_and_nothing_more(client, sealed):
    challenge, _coalition, _attachment, _users, tokens = sealed
    response = await client.get(
        f"/api/v1/challenges/{challenge.id}/opening", headers=headers(tokens["policy_officer"])
    )
    assert response.status_code == 409
    assert response.json()["code"] == "sealed"
    empty_officer_challenge = await client.get(
        f"/api/v1/challenges/{challenge.id}/proposals", headers=headers(tokens["policy_officer"])
    )
    assert empty_officer_challenge.json() == response.json()


@pytest.mark.parametrize("who", ["policy_officer", "admin", "auditor", "other_provider", "public"])
async def test_pages_show_no_trace(client, sealed, make, who):
    challenge, coalition, _attachment, users, _tokens = sealed
    if who != "public":
        await sign_in(client, users[who].email)
    search = await client.get("/challenges", params={"q": SECRET})
    assert 'class="card"' not in search.text  # the search box echoes the words; no result
    for url in (
        f"/challenges/{challenge.id}",
        "/challenges",
        f"/coalitions/{coalition.public_id}",
        f"/coalitions/{coalition.public_id}/proposal",
        f"/coalitions/{coalition.public_id}/receipts",
        f"/challenges/{challenge.id}/opening",
    ):
        response = await client.get(url)
        assert response.status_code < 500, url
        assert SECRET not in response.text, url
        assert coalition.name not in response.text, url


async def test_challenge_documents_path_does_not_serve_proposal_files(client, sealed):
    challenge, _coalition, attachment, _users, _tokens = sealed
    for url in (
        f"/challenges/{challenge.id}/attachments/{attachment.id}",
        f"/api/v1/challenges/{challenge.id}/attachments/{attachment.id}",
    ):
        response = await client.get(url)
        assert response.status_code == 404
        assert SECRET.encode() not in response.content


async def test_files_on_disk_are_encrypted(sealed, app):
    _challenge, _coalition, attachment, _users, _tokens = sealed
    raw = app.state.documents.path(attachment.document.storage_key).read_bytes()
    assert SECRET.encode() not in raw and b"%PDF" not in raw


async def test_audit_log_shows_nothing_until_the_deadline(client, sealed, app, clock):
    challenge, _coalition, _attachment, _users, tokens = sealed
    auditor = headers(tokens["auditor"])
    streams = (await client.get("/api/v1/audit/streams", headers=auditor)).json()
    assert streams == ["platform"]
    events = (await client.get("/api/v1/audit/events?limit=1000", headers=auditor)).json()
    assert not [
        e for e in events if e["entity_type"] == "coalition" or "proposal" in (e["action"] or "")
    ]
    assert SECRET not in str(events)
    hidden = await client.get(
        f"/api/v1/audit/events?stream=sealed:challenge:{challenge.id}", headers=auditor
    )
    nonexistent = await client.get(
        "/api/v1/audit/events?stream=sealed:challenge:999999", headers=auditor
    )
    assert hidden.status_code == nonexistent.status_code == 404
    assert hidden.json() == nonexistent.json()
    before = (await client.get("/api/v1/audit/verify", headers=auditor)).json()
    assert before["ok"] and before["stream"] is None

    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None
    after = (await client.get("/api/v1/audit/streams", headers=auditor)).json()
    assert after == ["platform", f"sealed:challenge:{challenge.id}"]
    opened = await client.get(f"/api/v1/audit/events?stream={after[1]}", headers=auditor)
    assert "proposal.submitted" in [e["action"] for e in opened.json()]
    assert SECRET not in opened.text  # the log never held the content itself


async def test_verification_count_does_not_move_with_sealed_activity(client, sealed, make):
    challenge, coalition, _attachment, _users, tokens = sealed
    auditor = headers(tokens["auditor"])
    before = (await client.get("/api/v1/audit/verify", headers=auditor)).json()["checked"]
    lead = await _lead(make, coalition)
    await service.submit(make.ctx(lead), coalition.public_id)
    after = (await client.get("/api/v1/audit/verify", headers=auditor)).json()["checked"]
    assert before == after


async def _lead(make, coalition):
    return await make.db.scalar(
        select(User).where(User.organisation_id == coalition.lead_organisation_id)
    )


async def test_search_finds_no_proposal_text(client, sealed, make):
    _challenge, coalition, _attachment, _users, tokens = sealed
    listing = await client.get("/api/v1/challenges", params={"q": SECRET})
    assert listing.json()["total"] == 0
    orgs = await client.get(
        "/api/v1/organisations",
        params={"q": SECRET[:10]},
        headers=headers(tokens["other_provider"]),
    )
    assert orgs.status_code == 200 and orgs.json() == []


async def test_after_the_deadline_the_municipality_and_auditors_read_it(client, sealed, app, clock):
    challenge, coalition, _attachment, _users, tokens = sealed
    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None
    for who in ("policy_officer", "auditor"):
        opening = await client.get(
            f"/api/v1/challenges/{challenge.id}/opening", headers=headers(tokens[who])
        )
        assert opening.status_code == 200
        assert [p["coalition"] for p in opening.json()["proposals"]] == [coalition.name]
        full = await client.get(
            f"/api/v1/challenges/{challenge.id}/proposals", headers=headers(tokens[who])
        )
        assert full.json()[0]["content"]["approach"] == SECRET
    for who in ("admin", "evaluator", "other_provider", "public"):
        response = await client.get(
            f"/api/v1/challenges/{challenge.id}/proposals", headers=headers(tokens[who])
        )
        assert response.status_code in (401, 403)
        assert SECRET not in response.text


async def test_after_the_deadline_readers_see_only_the_opened_version_and_its_files(
    client, sealed, app, clock, make
):
    challenge, coalition, attachment, _users, tokens = sealed
    lead = await _lead(make, coalition)
    final = await service.submit(
        make.ctx(lead, days=1), coalition.public_id
    )  # version 2 replaces 1
    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None
    officer = headers(tokens["policy_officer"])
    versions = await client.get(
        f"/api/v1/coalitions/{coalition.public_id}/submissions", headers=officer
    )
    assert [v["version"] for v in versions.json()] == [final.version]
    replaced = await client.get(
        f"/api/v1/coalitions/{coalition.public_id}/submissions/1", headers=officer
    )
    assert replaced.status_code == 404
    digest = attachment.document.sha256
    url = (
        f"/api/v1/coalitions/{coalition.public_id}/submissions/{final.version}/attachments/{digest}"
    )
    document = await client.get(url, headers=officer)
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    for who in ("admin", "other_provider", "public"):
        assert (await client.get(url, headers=headers(tokens[who]))).status_code in (401, 404)
