"""The proposal pages: draft, missing list, submit with receipt, lateness, sealing, opening."""

import hashlib
import io
import re
from datetime import timedelta

import pytest

from app.challenges import lifecycle
from app.coalitions import service as coalitions
from app.organisations.models import Role
from app.proposals import service
from tests.conftest import csrf, post_form, sign_in
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content


@pytest.fixture
async def world(make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    partner = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead, partner)
    return officer, challenge, lead, partner, coalition


def complete_form(challenge, coalition, **overrides) -> dict[str, str]:
    indicator = challenge.indicators[0]
    requirement = challenge.requirements[0]
    data = {
        "approach": "Eén plan per leerling, met school en jeugdhulp aan tafel.",
        "theory_of_change": "Wie eerder samen kijkt, ziet eerder wat werkt.",
        f"target-{indicator.id}": "65,5",
        f"req-{requirement.id}-met": "yes",
        f"req-{requirement.id}-explanation": "Verwerkersovereenkomst getekend.",
    }
    for member in coalition.members:
        data[f"budget-{member.organisation_id}"] = "300.000"
    data.update(overrides)
    return data


def page_of(coalition) -> str:
    return f"/coalitions/{coalition.public_id}/proposal"


async def save(client, coalition, data, action="save", confirm=True):
    """Post the draft form; a submit ticks the confirmation box unless told not to."""
    extra = {"confirm": "yes"} if action == "submit" and confirm else {}
    return await post_form(
        client, page_of(coalition), {**data, "action": action, **extra}, page_of(coalition)
    )


async def test_empty_draft_lists_what_is_missing_and_submit_is_disabled(client, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    page = await client.get(page_of(coalition))
    assert page.status_code == 200
    assert 'id="missing"' in page.text
    assert "Beschrijf de aanpak." in page.text
    assert f'href="#f-target-{challenge.indicators[0].id}"' in page.text
    assert re.search(r'value="submit"[^>]*disabled', page.text)


async def test_lead_fills_in_submits_and_gets_a_receipt(client, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    saved = await save(client, coalition, {"approach": "Alleen een begin."})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "Alleen een begin." in page.text
    assert "Beschrijf de aanpak." not in page.text
    assert "Leg uit waarom het werkt" in page.text

    saved = await save(client, coalition, complete_form(challenge, coalition))
    assert saved.status_code == 303
    page = await client.get(page_of(coalition))
    assert 'value="65,5"' in page.text
    assert 'value="300.000"' in page.text
    assert "Er ontbreekt niets" in page.text
    assert not re.search(r'value="submit"[^>]*disabled', page.text)

    submitted = await save(client, coalition, complete_form(challenge, coalition), "submit")
    assert submitted.status_code == 303
    location = f"/coalitions/{coalition.public_id}/receipts?submitted=1#v1"
    assert submitted.headers["location"] == location
    receipts = await client.get(f"/coalitions/{coalition.public_id}/receipts")
    number = re.search(r"UK-\d+-[0-9A-F]{10}", receipts.text).group(0)
    digest = re.search(r'<code class="hash">([0-9a-f]{64})</code>', receipts.text).group(1)
    assert "Huidige versie" in receipts.text

    content = await client.get(f"/coalitions/{coalition.public_id}/receipts/1/content.json")
    assert content.status_code == 200
    assert hashlib.sha256(content.content).hexdigest() == digest  # anyone can check the receipt
    assert number in content.headers["content-disposition"]
    version = await client.get(f"/coalitions/{coalition.public_id}/receipts/1")
    assert "Eén plan per leerling" in version.text
    assert digest in version.text

    again = await save(
        client, coalition, complete_form(challenge, coalition, approach="Beter plan."), "submit"
    )
    assert again.headers["location"].endswith("?submitted=2#v2")
    receipts = await client.get(f"/coalitions/{coalition.public_id}/receipts")
    assert "Vervangen door een latere versie" in receipts.text
    assert number in receipts.text  # the first receipt is kept

    withdrawn = await post_form(client, f"/coalitions/{coalition.public_id}/proposal/withdraw", {})
    assert withdrawn.status_code == 303
    assert "Ingetrokken" in (await client.get(f"/coalitions/{coalition.public_id}/receipts")).text
    nothing = await post_form(client, f"/coalitions/{coalition.public_id}/proposal/withdraw", {})
    assert nothing.status_code == 409


async def test_bad_input_is_marked_and_kept(client, world):
    _officer, challenge, lead, partner, coalition = world
    await sign_in(client, lead.email)
    indicator = challenge.indicators[0]
    bad = complete_form(
        challenge,
        coalition,
        **{
            f"target-{indicator.id}": "veel",
            f"budget-{partner.organisation_id}": "0",
            f"budget-{lead.organisation_id}": "een ton",
            "approach": "Blijft staan.",
        },
    )
    response = await save(client, coalition, bad)
    assert response.status_code == 422
    assert f'id="target-{indicator.id}-error"' in response.text
    assert f'id="budget-{partner.organisation_id}-error"' in response.text
    assert f'id="budget-{lead.organisation_id}-error"' in response.text
    assert 'value="veel"' in response.text
    assert 'value="een ton"' in response.text
    assert "Blijft staan." in response.text
    assert "Nog niet opgeslagen" in (await client.get(page_of(coalition))).text  # nothing saved


async def test_incomplete_submit_saves_the_draft_and_shows_what_is_missing(client, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    response = await save(client, coalition, {"approach": "Een begin."}, "submit")
    assert response.status_code == 422
    assert "niet compleet" in response.text
    assert 'id="missing"' in response.text
    assert "Een begin." in response.text


async def test_only_the_lead_can_submit(client, world):
    _officer, challenge, _lead, partner, coalition = world
    await sign_in(client, partner.email)
    page = await client.get(page_of(coalition))
    assert 'value="submit"' not in page.text
    saved = await save(client, coalition, complete_form(challenge, coalition))
    assert saved.status_code == 303
    refused = await save(client, coalition, complete_form(challenge, coalition), "submit")
    assert refused.status_code == 403


async def test_a_late_submit_is_refused_clearly_and_the_draft_stays(client, clock, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    await save(client, coalition, complete_form(challenge, coalition))
    clock.advance(timedelta(days=31))
    await sign_in(client, lead.email)  # the session of a month ago has expired
    late = await save(
        client, coalition, complete_form(challenge, coalition, approach="Te laat."), "submit"
    )
    assert late.status_code == 409
    assert "sluitingstermijn is verstreken" in late.text
    page = await client.get(page_of(coalition))
    assert page.status_code == 200
    assert "Eén plan per leerling" in page.text  # the saved draft, read-only
    assert "Te laat." not in page.text
    assert 'action="/coalitions/' + str(coalition.public_id) + '/proposal"' not in page.text
    assert (await client.get(f"/coalitions/{coalition.public_id}/receipts")).status_code == 200
    withdraw = await post_form(client, f"/coalitions/{coalition.public_id}/proposal/withdraw", {})
    assert withdraw.status_code == 409


async def test_attachments_upload_download_and_remove(client, world):
    _officer, _challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    token = await csrf(client, page_of(coalition))
    url = f"/coalitions/{coalition.public_id}/proposal/attachments"

    def upload(name, content):
        return client.post(
            url, data={"csrf_token": token}, files={"file": (name, content, "application/pdf")}
        )

    fake = await upload("nep.pdf", b"MZ not a pdf")
    assert fake.status_code == 415
    assert 'id="file-error"' in fake.text
    empty = await client.post(url, data={"csrf_token": token})
    assert empty.status_code == 422
    ok = await upload("plan van aanpak.pdf", make_pdf("plan"))
    assert ok.status_code == 303
    page = await client.get(page_of(coalition))
    assert "plan van aanpak.pdf" in page.text
    attachment_id = re.search(rf"{url}/([0-9a-f-]{{36}})\"", page.text).group(1)
    download = await client.get(f"{url}/{attachment_id}")
    assert download.content.startswith(b"%PDF-")
    removed = await post_form(client, f"{url}/{attachment_id}/remove", {}, page_of(coalition))
    assert removed.status_code == 303
    assert "plan van aanpak.pdf" not in (await client.get(page_of(coalition))).text


async def test_forms_without_csrf_token_are_refused(client, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    refused = await client.post(
        page_of(coalition), data={**complete_form(challenge, coalition), "action": "submit"}
    )
    assert refused.status_code == 403
    assert "Nog niet opgeslagen" in (await client.get(page_of(coalition))).text


async def test_an_invited_member_cannot_open_the_draft(client, make, world):
    _officer, challenge, lead, _partner, coalition = world
    invitee = await make.user(Role.provider_member)
    await coalitions.invite(make.ctx(lead), coalition.public_id, invitee.organisation_id)
    await sign_in(client, invitee.email)
    assert (await client.get(f"/coalitions/{coalition.public_id}")).status_code == 200
    assert (await client.get(page_of(coalition))).status_code == 403


async def submit_through_service(make, challenge, lead, coalition):
    await service.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    return await service.submit(make.ctx(lead), coalition.public_id)


async def test_opening_is_sealed_then_lists_every_proposal(client, clock, make, world):
    officer, challenge, lead, _partner, coalition = world
    submission = await submit_through_service(make, challenge, lead, coalition)
    auditor = await make.user(Role.auditor, org=officer.organisation)
    await sign_in(client, officer.email)
    sealed = await client.get(f"/challenges/{challenge.id}/opening")
    assert sealed.status_code == 409  # as the API: still sealed, with a page that says so
    assert "verzegeld" in sealed.text
    assert submission.receipt_number not in sealed.text
    assert coalition.name not in sealed.text
    early = await client.get(f"/challenges/{challenge.id}/opening/{submission.receipt_number}")
    assert early.status_code == 404

    clock.advance(timedelta(days=31))
    await sign_in(client, officer.email)
    detail = await client.get(f"/challenges/{challenge.id}")
    assert f'href="/challenges/{challenge.id}/opening"' in detail.text
    opening = await client.get(f"/challenges/{challenge.id}/opening")
    assert submission.receipt_number in opening.text
    assert submission.content_hash in opening.text
    assert coalition.name in opening.text
    opened = await client.get(f"/challenges/{challenge.id}/opening/{submission.receipt_number}")
    assert opened.status_code == 200
    assert "Eén plan per leerling met school en jeugdhulp." in opened.text

    await post_form(client, "/logout", {})
    await sign_in(client, auditor.email)
    opening = await client.get(f"/challenges/{challenge.id}/opening")
    assert submission.receipt_number in opening.text
    opened = await client.get(f"/challenges/{challenge.id}/opening/{submission.receipt_number}")
    assert opened.status_code == 200


@pytest.mark.parametrize("who", ["admin", "provider", "other_officer"])
async def test_others_never_read_the_opening(client, clock, make, world, who):
    officer, challenge, lead, _partner, coalition = world
    submission = await submit_through_service(make, challenge, lead, coalition)
    users = {
        "admin": await make.user(Role.admin, officer.organisation),
        "provider": lead,
        "other_officer": await make.user(Role.policy_officer),
    }
    clock.advance(timedelta(days=31))
    await sign_in(client, users[who].email)
    # Refused, as in the API, before any receipt number is looked up.
    for path in ("", f"/{submission.receipt_number}"):
        response = await client.get(f"/challenges/{challenge.id}/opening{path}")
        assert response.status_code == 403, (who, path)
        assert submission.content_hash not in response.text


async def test_odd_opening_urls_never_give_a_500(client, clock, world):
    officer, challenge, _lead, _partner, _coalition = world
    clock.advance(timedelta(days=31))
    await sign_in(client, officer.email)
    for path in ("/x", "/UK-1-ZZZ", "/" + "A" * 500, "/%00"):
        response = await client.get(f"/challenges/{challenge.id}/opening{path}")
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "field, value",
    [
        ("target", "1e5"),
        ("target", "nan"),
        ("target", "--1"),
        ("target", "9" * 40),
        ("budget", "-5"),
        ("budget", "99999999999999"),
        ("budget", "1,2,3"),
        ("explanation", "x" * 10_001),
        ("approach", "x" * 50_001),
    ],
)
async def test_odd_proposal_input_is_refused_next_to_its_field(client, world, field, value):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    names = {
        "target": f"target-{challenge.indicators[0].id}",
        "budget": f"budget-{lead.organisation_id}",
        "explanation": f"req-{challenge.requirements[0].id}-explanation",
        "approach": "approach",
    }
    response = await save(client, coalition, {names[field]: value})
    assert response.status_code == 422
    assert f'id="{names[field]}-error"' in response.text


async def test_opened_proposal_page_links_its_documents(client, app, clock, make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead)
    await service.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    pdf = make_pdf("bijlage")
    attachment = await service.add_attachment(
        make.ctx(lead),
        app.state.documents,
        coalition.public_id,
        "bijlage.pdf",
        io.BytesIO(pdf),
        100_000,
    )
    submission = await service.submit(make.ctx(lead), coalition.public_id)
    clock.advance(timedelta(days=31))
    app.state.clock_offset_cache = None
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{challenge.id}/opening/{submission.receipt_number}")
    link = f"/coalitions/{coalition.public_id}/receipts/1/attachments/{attachment.document.sha256}"
    assert link in page.text
    document = await client.get(link)
    assert document.status_code == 200 and document.content == pdf


async def test_submitting_asks_for_confirmation_and_says_it_was_submitted(client, world):
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    await save(client, coalition, complete_form(challenge, coalition))
    page = await client.get(page_of(coalition))
    assert 'name="confirm" type="checkbox" value="yes" form="draft"' in page.text

    unconfirmed = await save(
        client, coalition, complete_form(challenge, coalition, approach="Nieuw."), "submit", False
    )
    assert unconfirmed.status_code == 422
    assert "opgeslagen maar niet ingediend" in unconfirmed.text
    assert 'id="confirm-error"' in unconfirmed.text
    assert "Nieuw." in (await client.get(page_of(coalition))).text  # the draft is saved
    receipts = await client.get(f"/coalitions/{coalition.public_id}/receipts")
    assert "Er is nog niets ingediend." in receipts.text  # and nothing submitted

    submitted = await save(client, coalition, complete_form(challenge, coalition), "submit")
    assert submitted.status_code == 303
    location = submitted.headers["location"]
    assert location == f"/coalitions/{coalition.public_id}/receipts?submitted=1#v1"
    receipts = await client.get(location.split("#")[0])
    assert 'id="submitted"' in receipts.text
    assert "Versie 1 van het voorstel is ingediend en verzegeld" in receipts.text
    assert "gelijk aan versie" not in receipts.text
    # The message belongs to the page after submitting, not to every visit.
    plain = await client.get(f"/coalitions/{coalition.public_id}/receipts")
    assert 'id="submitted"' not in plain.text


async def test_resubmitting_identical_content_is_said_before_and_after(client, world):
    """A coalition that submits the same content again is told so: on the page before it
    submits, and with the receipt after (the new version is kept, as the API keeps it)."""
    _officer, challenge, lead, _partner, coalition = world
    await sign_in(client, lead.email)
    form = complete_form(challenge, coalition)
    await save(client, coalition, form, "submit")
    page = await client.get(page_of(coalition))
    assert 'id="identical"' in page.text
    assert "gelijk aan versie 1" in page.text

    again = await save(client, coalition, form, "submit")
    assert again.headers["location"].endswith("?submitted=2#v2")
    receipts = await client.get(again.headers["location"].split("#")[0])
    assert "De inhoud is gelijk aan versie 1" in receipts.text
    stale = await client.get(f"/coalitions/{coalition.public_id}/receipts?submitted=1")
    assert 'id="submitted"' not in stale.text  # version 1 no longer counts: nothing to say

    changed = await save(client, coalition, {**form, "approach": "Anders."}, "submit")
    receipts = await client.get(changed.headers["location"].split("#")[0])
    assert "Versie 3 van het voorstel is ingediend" in receipts.text
    assert "De inhoud is gelijk aan" not in receipts.text
    await save(client, coalition, {**form, "approach": "Nog weer anders."})
    assert 'id="identical"' not in (await client.get(page_of(coalition))).text  # a change saved
