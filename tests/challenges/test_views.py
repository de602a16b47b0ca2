"""The challenge pages, driven as a browser without JavaScript would."""

import io
import zipfile
from datetime import timedelta

import httpx
import pytest

from app.clock import FrozenClock
from app.config import Settings
from app.main import create_app
from app.organisations.models import OrganisationKind, Role
from tests.conftest import NOW, csrf, post_form, sign_in
from tests.documents.samples import make_pdf

FORM = {
    "title": "Jongeren na detentie",
    "summary": "Minder recidive.",
    "desired_result": "Minder jongeren plegen opnieuw een delict.",
    "target_group": "Jongeren van 16 tot 23 jaar na detentie.",
    "target_group_size": "40",
    "context": "",
    "theme": "justice",
    "budget": "480.000",
    "period_start": "2026-09-01",
    "period_end": "2028-08-31",
    "question_deadline": "2026-03-10T17:00",
    "submission_deadline": "2026-03-31T12:00",
    "expected_award_date": "2026-05-01",
    "scale_min": "0",
    "scale_max": "10",
    "indicators-0-name": "Recidive",
    "indicators-0-definition": "Aandeel met een nieuw delict binnen twee jaar.",
    "indicators-0-unit": "%",
    "indicators-0-baseline_value": "85",
    "indicators-0-baseline_date": "2025-01-01",
    "indicators-0-direction": "decrease",
    "indicators-0-target_value": "30",
    "indicators-0-measurement_method": "Justitiële documentatie.",
    "indicators-0-reporting_frequency": "half_yearly",
    "indicators-0-outcome_value": "12.500",
    "criteria-0-kind": "quality",
    "criteria-0-name": "Aanpak",
    "criteria-0-weight": "70",
    "criteria-1-kind": "formula",
    "criteria-1-name": "Ambitie",
    "criteria-1-weight": "30",
    "criteria-1-indicator_position": "0",
    "requirements-0-text": "AVG-proof.",
    "action": "save",
}


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


async def create_via_form(client, data=FORM):
    response = await post_form(client, "/challenges/new", data, page="/challenges/new")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_officer_writes_publishes_and_public_finds_it(client, officer):
    await sign_in(client, officer.email)
    challenge_id = await create_via_form(client)
    draft = await client.get(f"/challenges/{challenge_id}")
    assert "Jongeren na detentie" in draft.text
    assert f'action="/challenges/{challenge_id}/publish"' in draft.text
    assert "disabled" not in draft.text.split(f"/challenges/{challenge_id}/publish")[1][:300]

    published = await post_form(client, f"/challenges/{challenge_id}/publish", {"confirm": "yes"})
    assert published.status_code == 303
    assert published.headers["location"] == f"/challenges/{challenge_id}?done=published"
    told = await client.get(published.headers["location"])
    assert 'id="done"' in told.text and "De opgave is gepubliceerd" in told.text

    await post_form(client, "/logout", {})
    listing = await client.get("/challenges", params={"q": "detentie", "status": "open"})
    assert f'href="/challenges/{challenge_id}"' in listing.text
    detail = await client.get(f"/challenges/{challenge_id}")
    assert "480.000" in detail.text  # budget shown in Dutch notation
    assert "Recidive" in detail.text


async def test_htmx_list_request_gets_only_the_results_block(client, make, officer):
    await make.challenge(officer, publish=True)
    response = await client.get(
        "/challenges", params={"q": "thuis"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text


async def test_validation_errors_are_shown_next_to_fields_and_input_is_kept(client, officer):
    await sign_in(client, officer.email)
    bad = {
        **FORM,
        "budget": "veel geld",
        "criteria-0-weight": "zeventig",
        "period_end": "2020-01-01",
    }
    response = await post_form(client, "/challenges/new", bad, page="/challenges/new")
    assert response.status_code == 422
    assert 'id="budget_cents-error"' in response.text
    assert 'id="criteria-0-weight-error"' in response.text
    assert 'value="veel geld"' in response.text  # nothing typed is lost
    assert 'aria-invalid="true"' in response.text


async def test_validation_errors_follow_the_language(client, officer):
    await sign_in(client, officer.email)
    await client.get("/lang/en")
    response = await post_form(
        client, "/challenges/new", {**FORM, "budget": "x"}, "/challenges/new"
    )
    assert "Enter an amount in euros, for example 450.000." in response.text


async def test_add_row_buttons_work_without_javascript(client, officer):
    await sign_in(client, officer.email)
    response = await post_form(
        client, "/challenges/new", {**FORM, "action": "add_indicators"}, page="/challenges/new"
    )
    assert response.status_code == 200
    assert 'name="indicators-1-name"' in response.text
    assert 'value="Recidive"' in response.text


async def test_blank_rows_are_dropped(client, officer, make):
    await sign_in(client, officer.email)
    data = {**FORM, "indicators-1-name": "", "indicators-1-direction": "increase"}
    challenge_id = await create_via_form(client, data)
    page = await client.get(f"/challenges/{challenge_id}/edit")
    assert 'name="indicators-1-name"' not in page.text


async def test_publish_incomplete_draft_shows_what_is_missing(client, officer):
    await sign_in(client, officer.email)
    challenge_id = await create_via_form(client, {"title": "Alleen een titel", "action": "save"})
    page = await client.get(f"/challenges/{challenge_id}")
    assert 'class="problems"' in page.text
    refused = await post_form(client, f"/challenges/{challenge_id}/publish", {"confirm": "yes"})
    assert refused.status_code == 422
    # Unconfirmed, it is still refused for what is missing, not for the box.
    unconfirmed = await post_form(client, f"/challenges/{challenge_id}/publish", {})
    assert unconfirmed.status_code == 422
    assert "Vink het vakje aan" not in unconfirmed.text


async def test_amend_through_the_form(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{challenge.id}/edit")
    assert 'name="reason"' in page.text
    token = await csrf(client, f"/challenges/{challenge.id}/edit")
    values = dict(
        (name, value)
        for name, value in __import__("re").findall(
            r'name="([a-z_0-9-]+)" type="[a-z-]+" value="([^"]*)"', page.text
        )
    )
    values.update(
        {
            "summary": "Nieuwe samenvatting.",
            "desired_result": challenge.desired_result,
            "target_group": challenge.target_group,
            "indicators-0-definition": challenge_indicator_definition(page.text),
            "indicators-0-measurement_method": "Leerplichtadministratie.",
            "indicators-0-direction": "increase",
            "indicators-0-reporting_frequency": "quarterly",
            "criteria-0-kind": "quality",
            "criteria-1-kind": "quality",
            "criteria-2-kind": "formula",
            "criteria-2-indicator_position": "0",
            "requirements-0-text": "De coalitie houdt zich aan de AVG.",
            "theme": "education",
            "context": "Eén kind, één plan.",
        }
    )
    without_reason = await client.post(
        f"/challenges/{challenge.id}/edit", data={**values, "csrf_token": token, "action": "save"}
    )
    assert without_reason.status_code == 422
    assert 'id="reason-error"' in without_reason.text
    saved = await client.post(
        f"/challenges/{challenge.id}/edit",
        data={**values, "csrf_token": token, "action": "save", "reason": "Verduidelijking"},
    )
    assert saved.status_code == 303, saved.text
    detail = await client.get(f"/challenges/{challenge.id}")
    assert "Verduidelijking" in detail.text
    assert "Nieuwe samenvatting." in detail.text


def challenge_indicator_definition(html: str) -> str:
    start = html.index('name="indicators-0-definition"')
    return html[html.index(">", start) + 1 : html.index("</textarea>", start)]


async def test_cancel_with_reason(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    empty = await post_form(client, f"/challenges/{challenge.id}/cancel", {"reason": ""})
    assert empty.status_code == 422
    done = await post_form(client, f"/challenges/{challenge.id}/cancel", {"reason": "Vervalt"})
    assert done.status_code == 303
    assert "Vervalt" in (await client.get(f"/challenges/{challenge.id}")).text


async def test_forms_without_csrf_token_are_refused(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    response = await client.post(f"/challenges/{challenge.id}/cancel", data={"reason": "zonder"})
    assert response.status_code == 403
    forged = await client.post(
        f"/challenges/{challenge.id}/cancel", data={"reason": "nep", "csrf_token": "f" * 64}
    )
    assert forged.status_code == 403
    assert "Vervalt" not in (await client.get(f"/challenges/{challenge.id}")).text


async def test_htmx_header_carries_the_csrf_token(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    page = await client.get("/challenges")
    token = page.text.split('"X-CSRF-Token": "')[1].split('"')[0]
    response = await client.post(
        f"/challenges/{challenge.id}/cancel",
        data={"reason": "Via htmx"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/challenges/{challenge.id}"


async def test_provider_asks_and_officer_answers(client, app, make, officer):
    challenge = await make.challenge(officer, publish=True)
    provider = await make.user(Role.provider_member, email="vrager@aanbieder.nl")
    await sign_in(client, provider.email)
    asked = await post_form(
        client, f"/challenges/{challenge.id}/questions", {"text": "Mag een school penvoerder zijn?"}
    )
    assert asked.status_code == 303
    await post_form(client, "/logout", {})
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{challenge.id}")
    question_id = int(page.text.split("/questions/")[1].split("/answer")[0])
    answered = await post_form(
        client, f"/challenges/{challenge.id}/questions/{question_id}/answer", {"answer": "Ja."}
    )
    assert answered.status_code == 303
    await post_form(client, "/logout", {})
    public = await client.get(f"/challenges/{challenge.id}")
    assert "Mag een school penvoerder zijn?" in public.text
    assert "vrager@aanbieder.nl" not in public.text
    assert provider.name not in public.text


async def test_signed_out_user_is_sent_to_sign_in(client):
    response = await client.get("/challenges/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/challenges/new"


async def test_provider_cannot_open_the_new_challenge_form(client, make):
    provider = await make.user(Role.provider_member)
    await sign_in(client, provider.email)
    assert (await client.get("/challenges/new")).status_code == 403
    refused = await post_form(client, "/challenges/new", FORM)
    assert refused.status_code == 403


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


async def test_attachments_are_checked_by_content(client, officer, make):
    draft = await make.challenge(officer)
    await sign_in(client, officer.email)
    token = await csrf(client, f"/challenges/{draft.id}")
    url = f"/challenges/{draft.id}/attachments"

    def upload(name, content, **extra):
        return client.post(
            url,
            data={"csrf_token": token, **extra},
            files={"file": (name, content, "application/pdf")},
        )

    fake = await upload("nep.pdf", b"MZ this is an exe")
    assert fake.status_code == 415
    too_big = await upload("groot.pdf", b"%PDF-" + b"0" * 300_000)
    assert too_big.status_code == 413
    ok = await upload("notitie.pdf", make_pdf("notitie"))
    assert ok.status_code == 303
    assert (await upload("plan.docx", docx_bytes())).status_code == 303

    page = await client.get(f"/challenges/{draft.id}")
    link = page.text.split(f'href="/challenges/{draft.id}/attachments/')[1].split('"')[0]
    download = await client.get(f"/challenges/{draft.id}/attachments/{link}")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")

    await post_form(client, "/logout", {})
    hidden = await client.get(f"/challenges/{draft.id}/attachments/{link}")
    assert hidden.status_code == 404  # a draft's documents are as private as the draft


async def test_adding_a_document_after_publication_is_an_amendment(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    token = await csrf(client, f"/challenges/{challenge.id}")
    files = {"file": ("bijlage.pdf", make_pdf("x"), "application/pdf")}
    no_reason = await client.post(
        f"/challenges/{challenge.id}/attachments", data={"csrf_token": token}, files=files
    )
    assert no_reason.status_code == 422
    with_reason = await client.post(
        f"/challenges/{challenge.id}/attachments",
        data={"csrf_token": token, "reason": "Kaart van de wijk toegevoegd"},
        files={"file": ("bijlage.pdf", make_pdf("x"), "application/pdf")},
    )
    assert with_reason.status_code == 303
    assert "Kaart van de wijk toegevoegd" in (await client.get(f"/challenges/{challenge.id}")).text


@pytest.mark.parametrize(
    "path",
    [
        "/challenges?page=abc",
        "/challenges?page=-5",
        "/challenges?status=%00",
        "/challenges?municipality=x&theme=nonsense",
        "/challenges/0",
        "/challenges/99999999999999999999",
        "/challenges/1/attachments/abc",
        "/lang/xx?next=https://evil.example",
    ],
)
async def test_odd_urls_never_give_a_500(client, path):
    response = await client.get(path)
    assert response.status_code < 500
    if path.startswith("/lang/"):
        assert response.headers["location"] == "/"


async def test_an_oversized_request_is_refused_before_it_is_read(client, officer, make):
    draft = await make.challenge(officer)
    await sign_in(client, officer.email)
    token = await csrf(client, f"/challenges/{draft.id}")
    huge = b"%PDF-" + b"0" * (200_000 + 2 * 1024 * 1024)
    response = await client.post(
        f"/challenges/{draft.id}/attachments",
        data={"csrf_token": token},
        files={"file": ("groot.pdf", huge, "application/pdf")},
    )
    assert response.status_code == 413


async def test_publishing_needs_the_confirmation_box(client, officer):
    await sign_in(client, officer.email)
    challenge_id = await create_via_form(client)
    draft = await client.get(f"/challenges/{challenge_id}")
    assert 'name="confirm" type="checkbox" value="yes" required' in draft.text
    assert "beleidsmedewerkers van uw gemeente" in draft.text  # who can see a draft

    unconfirmed = await post_form(client, f"/challenges/{challenge_id}/publish", {})
    assert unconfirmed.status_code == 422
    assert 'id="f-confirm-error"' in unconfirmed.text
    assert "Vink het vakje aan" in unconfirmed.text
    assert (await client.get(f"/challenges/{challenge_id}")).text.count("badge-draft") >= 1
    assert "De opgave is gepubliceerd" not in (await client.get(f"/challenges/{challenge_id}")).text


async def test_a_municipality_admin_does_not_see_its_drafts_as_the_banner_says(client, make):
    """The banner tells the officer who can see a draft: its municipality's policy officers.
    Its admin manages accounts, not challenges: to them a draft does not exist (page and API)."""
    municipality = await make.org(OrganisationKind.municipality)
    officer = await make.user(Role.policy_officer, org=municipality)
    admin = await make.user(Role.admin, org=municipality)
    draft = await make.challenge(officer)
    await sign_in(client, officer.email)
    assert (
        "alleen de beleidsmedewerkers van uw gemeente"
        in (await client.get(f"/challenges/{draft.id}")).text
    )
    await sign_in(client, admin.email)
    assert (await client.get(f"/challenges/{draft.id}")).status_code == 404


async def test_the_edit_page_of_a_published_challenge_speaks_of_an_amendment(client, officer, make):
    challenge = await make.challenge(officer, publish=True)
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{challenge.id}/edit")
    assert "Deze opgave is gepubliceerd" in page.text
    assert "concept" not in page.text.lower()
    draft = await make.challenge(officer)
    assert "onvolledig concept opslaan" in (await client.get(f"/challenges/{draft.id}/edit")).text


async def test_after_the_deadline_the_page_says_the_proposals_were_opened(
    client, officer, make, clock
):
    challenge = await make.challenge(officer, publish=True)
    before = await client.get(f"/challenges/{challenge.id}")
    assert "blijven verzegeld tot de sluitingstermijn" in before.text
    clock.advance(timedelta(days=31))
    after = await client.get(f"/challenges/{challenge.id}")
    assert "blijven verzegeld" not in after.text
    assert "op de sluitingstermijn geopend" in after.text
    assert "niet openbaar" in after.text


async def test_when_the_question_round_closes_the_page_says_so(client, officer, make, clock):
    challenge = await make.challenge(officer, publish=True)
    provider = await make.user(Role.provider_member)
    await sign_in(client, provider.email)
    page = await client.get(f"/challenges/{challenge.id}")
    assert 'id="f-question"' in page.text
    assert 'id="questions-closed"' not in page.text
    clock.advance(timedelta(days=15))  # past the question deadline, before the submission one
    await sign_in(client, provider.email)
    page = await client.get(f"/challenges/{challenge.id}")
    assert 'id="f-question"' not in page.text
    assert 'id="questions-closed"' in page.text
    assert "De vragenronde is gesloten op" in page.text
    assert "kunnen nog worden ingediend tot" in page.text
    clock.advance(timedelta(days=16))  # past the submission deadline too
    page = await client.get(f"/challenges/{challenge.id}")
    assert "De vragenronde is gesloten op" in page.text
    assert "kunnen nog worden ingediend" not in page.text


async def test_the_platform_date_is_shown_in_demo_mode_only(
    client, officer, make, settings, db_maker
):
    challenge = await make.challenge(officer, publish=True)
    page = await client.get(f"/challenges/{challenge.id}")
    assert 'class="demo-date"' in page.text  # the test settings are in demo mode
    assert "Demo: platformdatum 2 maart 2026, 10:00" in page.text

    production = Settings(**{**settings.model_dump(), "demo_mode": False})
    app = create_app(production, clock=FrozenClock(NOW))
    app.state.sessionmaker = db_maker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        page = await other.get(f"/challenges/{challenge.id}")
    assert page.status_code == 200
    assert 'class="demo-date"' not in page.text
