"""Every write of the proposal API, from both sides: who may do it succeeds and sees the effect,
who may not is refused with the right status and a clear message, and nothing changes."""

import hashlib
from collections.abc import Callable
from uuid import uuid4

import pytest

from tests.api_world import (
    MISSING,
    OUTSIDERS,
    World,
    assert_refused,
    build_world,
    complete_body,
    submit_complete,
)
from tests.documents.samples import make_pdf
from tests.factories import coalition_of

PDF = make_pdf("Plan van aanpak")


def pdf(name: str = "plan.pdf", data: bytes = PDF) -> dict:
    return {"files": {"file": (name, data, "application/pdf")}}


@pytest.fixture
async def world(make, client, app, db) -> World:
    """The coalition of tests/api_world.py with a complete draft (for its accepted members) and
    one document; the invitation still open, so it cannot be submitted yet."""
    world = await build_world(make, client, app, db)
    saved = await world.call(
        "lead", "PUT", f"{world.url}/proposal", json=await complete_body(world)
    )
    assert saved.status_code == 200, saved.text
    uploaded = await world.call("lead", "POST", f"{world.url}/proposal/attachments", **pdf())
    assert uploaded.status_code == 201, uploaded.text
    world.attachment_id = uploaded.json()["id"]
    return world


Request = tuple[str, str, dict]

# Each write as (method, url, keyword arguments), with a valid body.
WRITES: dict[str, Callable[[World], Request]] = {
    "save": lambda w: ("PUT", f"{w.url}/proposal", {"json": {"approach": "Anders."}}),
    "upload": lambda w: ("POST", f"{w.url}/proposal/attachments", pdf("bijlage.pdf")),
    "remove": lambda w: ("DELETE", f"{w.url}/proposal/attachments/{w.attachment_id}", {}),
    "submit": lambda w: ("POST", f"{w.url}/proposal/submit", {}),
    "withdraw": lambda w: ("POST", f"{w.url}/proposal/withdraw", {}),
}
ALLOWED = {"save": "partner", "upload": "partner", "remove": "partner"} | {
    "submit": "lead",
    "withdraw": "lead",
}
REFUSED = [
    *[(name, "invitee", 403, "forbidden") for name in WRITES],
    ("submit", "partner", 403, "forbidden"),
    ("withdraw", "partner", 403, "forbidden"),
    *[(name, who, 404, "not_found") for name in WRITES for who in OUTSIDERS],
]


async def write(world: World, name: str, who: str):
    method, url, kwargs = WRITES[name](world)
    return await world.call(who, method, url, **kwargs)


async def draft_as(world: World, who: str) -> dict:
    response = await world.call(who, "GET", f"{world.url}/proposal")
    assert response.status_code == 200, response.text
    return response.json()


async def receipts_as(world: World, who: str) -> list[dict]:
    response = await world.call(who, "GET", f"{world.url}/submissions")
    assert response.status_code == 200, response.text
    return response.json()


# --- Who may: the write succeeds and its effect is visible through the API and in the audit.


@pytest.mark.parametrize(("writer", "reader"), [("lead", "partner"), ("partner", "lead")])
async def test_every_accepted_member_saves_the_draft_and_the_others_see_it(world, writer, reader):
    before = await world.audit_actions()
    response = await world.call(
        writer, "PUT", f"{world.url}/proposal", json={"approach": "  Eerst de school.  "}
    )
    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["content"]["approach"] == "Eerst de school."
    assert saved["content"]["targets"] == []  # the draft is replaced as a whole
    assert "theory_of_change" in saved["missing"]
    assert saved["updated_at"] is not None
    assert await draft_as(world, reader) == saved
    assert await world.audit_actions() == [*before, "proposal.draft_saved"]


async def test_a_member_adds_a_document_and_the_coalition_can_fetch_it(world):
    before = await world.audit_actions()
    data = make_pdf("Begroting")
    response = await world.call(
        "partner", "POST", f"{world.url}/proposal/attachments", **pdf("begroting.pdf", data)
    )
    assert response.status_code == 201, response.text
    added = response.json()
    assert (added["filename"], added["content_type"], added["size"]) == (
        "begroting.pdf",
        "application/pdf",
        len(data),
    )
    assert added["sha256"] == hashlib.sha256(data).hexdigest()
    listed = (await draft_as(world, "lead"))["attachments"]
    assert [a["id"] for a in listed] == [world.attachment_id, added["id"]]
    assert listed[1] == added
    fetched = await world.call("lead", "GET", f"{world.url}/proposal/attachments/{added['id']}")
    assert (fetched.status_code, fetched.content) == (200, data)
    assert await world.audit_actions() == [*before, "proposal.attachment_added"]


@pytest.mark.parametrize(
    "sent",
    [
        "C:\\Users\\piet\\Documenten\\begroting.pdf",
        "Documenten/begroting.pdf",
        "../../begroting.pdf",
        "  begroting.pdf  ",
    ],
)
async def test_the_document_is_listed_under_its_name_without_the_senders_folders(world, sent):
    response = await world.call("partner", "POST", f"{world.url}/proposal/attachments", **pdf(sent))
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "begroting.pdf"
    listed = (await draft_as(world, "lead"))["attachments"]
    assert listed[-1]["filename"] == "begroting.pdf"


async def test_a_member_removes_a_document(world):
    before = await world.audit_actions()
    url = f"{world.url}/proposal/attachments/{world.attachment_id}"
    response = await world.call("partner", "DELETE", url)
    assert response.status_code == 204, response.text
    assert (await draft_as(world, "lead"))["attachments"] == []
    assert_refused(await world.call("lead", "GET", url), 404, "not_found")
    assert await world.audit_actions() == [*before, "proposal.attachment_removed"]


async def test_the_lead_submits_and_gets_a_receipt(world):
    before = await world.audit_actions()
    receipt = await submit_complete(world)
    assert (receipt["version"], receipt["status"], receipt["withdrawn_at"]) == (1, "current", None)
    assert receipt["receipt_number"].startswith(f"UK-{world.challenge.id}-")
    assert await receipts_as(world, "partner") == [receipt]
    full = await world.call("partner", "GET", f"{world.url}/submissions/1")
    assert full.status_code == 200, full.text
    content = full.json()["content"]
    assert [a["sha256"] for a in content["attachments"]] == [hashlib.sha256(PDF).hexdigest()]
    assert content["approach"] == (await complete_body(world))["approach"]
    assert (await world.audit_actions())[len(before) :] == [
        "coalition.member_removed",
        "proposal.draft_saved",
        "proposal.submitted",
    ]


async def test_the_lead_withdraws_and_members_may_leave_again(world):
    receipt = await submit_complete(world)
    before = await world.audit_actions()
    response = await write(world, "withdraw", "lead")
    assert response.status_code == 200, response.text
    withdrawn = response.json()
    assert (withdrawn["receipt_number"], withdrawn["status"]) == (
        receipt["receipt_number"],
        "withdrawn",
    )
    assert withdrawn["withdrawn_at"] is not None
    assert await receipts_as(world, "lead") == [withdrawn]
    assert await world.audit_actions() == [*before, "proposal.withdrawn"]
    assert (await world.call("partner", "POST", f"{world.url}/leave")).status_code == 204


# --- Who may not: refused with the right status and a clear JSON error, and nothing changed.


@pytest.mark.parametrize("name", WRITES)
async def test_anonymous_callers_are_asked_to_sign_in(world, name):
    before = await world.state()
    assert_refused(await write(world, name, "public"), 401, "not_authenticated")
    assert await world.state() == before


@pytest.mark.parametrize(("name", "who", "status", "code"), REFUSED)
async def test_callers_who_may_not_are_refused_and_nothing_changes(world, name, who, status, code):
    before = await world.state()
    assert_refused(await write(world, name, who), status, code)
    assert await world.state() == before


@pytest.mark.parametrize("moment", ["before_deadline", "after_deadline_nothing_submitted"])
@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", WRITES)
async def test_outsiders_get_the_same_answer_for_a_sealed_proposal_as_for_a_missing_one(
    world, name, who, moment
):
    """After the deadline too, if the coalition submitted nothing: nothing of it was opened."""
    if moment != "before_deadline":
        world.past_the_deadline()
    before = await world.state()
    method, url, kwargs = WRITES[name](world)
    sealed = await world.call(who, method, url, **kwargs)
    elsewhere = url.replace(str(world.coalition.public_id), MISSING)
    missing = await world.call(who, method, elsewhere, **WRITES[name](world)[2])
    assert (sealed.status_code, sealed.json()) == (missing.status_code, missing.json())
    assert sealed.status_code == 404
    assert await world.state() == before


@pytest.mark.parametrize("closing", ["deadline", "cancelled"])
@pytest.mark.parametrize("name", WRITES)
async def test_nothing_changes_once_the_challenge_closes(world, name, closing):
    if closing == "deadline":
        world.past_the_deadline()
    else:
        await world.cancel_challenge()
    before = await world.state()
    assert_refused(await write(world, name, ALLOWED[name]), 409, "deadline_passed")
    assert await world.state() == before


@pytest.mark.parametrize("name", WRITES)
async def test_after_the_deadline_the_municipality_may_read_an_opened_proposal_not_change_it(
    world, name
):
    await submit_complete(world)
    world.past_the_deadline()
    assert (await world.call("officer", "GET", f"{world.url}/submissions")).status_code == 200
    before = await world.state()
    assert_refused(await write(world, name, "officer"), 403, "forbidden")
    assert await world.state() == before


async def test_a_submission_after_the_deadline_is_refused_and_the_last_one_stays(world):
    receipt = await submit_complete(world)
    world.past_the_deadline()
    before = await world.state()
    assert_refused(await write(world, "submit", "lead"), 409, "deadline_passed")
    assert_refused(await write(world, "withdraw", "lead"), 409, "deadline_passed")
    assert await world.state() == before
    assert await receipts_as(world, "lead") == [receipt]


async def test_an_incomplete_proposal_is_not_submitted_and_says_what_is_missing(world):
    before = await world.state()
    response = await write(world, "submit", "lead")  # the invitation is still open
    assert_refused(response, 422, "validation_error")
    assert set(response.json()["errors"]) == {"members"}
    assert await world.state() == before
    await world.call("lead", "PUT", f"{world.url}/proposal", json={"approach": "Begin."})
    before = await world.state()
    response = await write(world, "submit", "lead")
    assert_refused(response, 422, "validation_error")
    indicator, requirement = world.challenge.indicators[0], world.challenge.requirements[0]
    assert set(response.json()["errors"]) == {
        "members",
        "theory_of_change",
        "budget",
        f"target.{indicator.id}",
        f"requirement.{requirement.id}",
    }
    assert await world.state() == before
    assert await receipts_as(world, "lead") == []


async def test_nothing_to_withdraw(world):
    before = await world.state()
    assert_refused(await write(world, "withdraw", "lead"), 409, "not_submitted")
    assert await world.state() == before
    await submit_complete(world)
    assert (await write(world, "withdraw", "lead")).status_code == 200
    before = await world.state()
    assert_refused(await write(world, "withdraw", "lead"), 409, "not_submitted")
    assert await world.state() == before


async def test_a_draft_refers_only_to_the_challenge_and_to_accepted_members(world):
    body = await complete_body(world)
    body["targets"] = [{"indicator_id": 2_000_000_000, "value": 1}]
    body["budget"] = [{"organisation_id": world.org("invitee"), "amount_cents": 100}]
    before = await world.state()
    response = await world.call("lead", "PUT", f"{world.url}/proposal", json=body)
    assert_refused(response, 422, "validation_error")
    assert set(response.json()["errors"]) == {"targets.0", "budget.0"}
    assert await world.state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"approach": "x" * 50_001}, "approach"),
        ({"budget": [{"organisation_id": 1, "amount_cents": 0}]}, "budget.0.amount_cents"),
        ({"targets": [{"indicator_id": 1, "value": "veel"}]}, "targets.0.value"),
    ],
)
async def test_a_draft_that_does_not_fit_is_refused_naming_the_field(world, body, field):
    before = await world.state()
    response = await world.call("lead", "PUT", f"{world.url}/proposal", json=body)
    assert_refused(response, 422, "validation_error")
    assert field in response.json()["errors"]
    assert await world.state() == before


@pytest.mark.parametrize(
    ("upload", "status", "code"),
    [
        (pdf("plan.pdf", b"Dit is geen PDF."), 415, "unsupported_file"),
        (pdf("leeg.pdf", b""), 415, "unsupported_file"),
        ({"data": {"note": "geen bestand"}}, 422, "validation_error"),
    ],
    ids=["not-a-document", "empty", "no-file"],
)
async def test_an_upload_that_is_no_document_is_refused(world, upload, status, code):
    before = await world.state()
    response = await world.call("lead", "POST", f"{world.url}/proposal/attachments", **upload)
    assert_refused(response, status, code)
    assert await world.state() == before


async def test_a_document_is_removed_only_once_and_only_from_its_own_coalition(world):
    await coalition_of(world.make, world.challenge, world.users["other_provider"])
    other = (await world.call("other_provider", "GET", "/api/v1/coalitions")).json()[0]["id"]
    theirs = await world.call(
        "other_provider", "POST", f"/api/v1/coalitions/{other}/proposal/attachments", **pdf()
    )
    assert theirs.status_code == 201, theirs.text
    before = await world.state()
    for attachment in (theirs.json()["id"], str(uuid4())):
        url = f"{world.url}/proposal/attachments/{attachment}"
        assert_refused(await world.call("lead", "DELETE", url), 404, "not_found")
    assert await world.state() == before
    mine = f"{world.url}/proposal/attachments/{world.attachment_id}"
    assert (await world.call("lead", "DELETE", mine)).status_code == 204
    before = await world.state()
    assert_refused(await world.call("lead", "DELETE", mine), 404, "not_found")
    assert await world.state() == before
