"""Input is checked once: the page and the API refuse the same input with the same message and
status, naming the limit; the API refuses fields it does not know; a form shows every error at
once, each named; a refused question keeps its text."""

import html
import re

import pytest

from app.challenges.schemas import (
    ANSWER_MAX,
    QUESTION_MAX,
    QUESTION_MIN,
    REASON_MAX,
    REASON_MIN,
    REQUIREMENT_MAX,
    UNIT_MAX,
)
from app.coalitions.schemas import CONTRIBUTION_MAX, NAME_MIN, ROLE_MAX
from app.organisations.models import Role
from app.proposals.schemas import EXPLANATION_MAX, LONG_TEXT_MAX
from app.validation import NAME_MAX, TEXT_MAX
from tests.challenges.test_api import bearer, payload
from tests.challenges.test_views import FORM
from tests.conftest import csrf, post_form, sign_in
from tests.documents.samples import make_pdf
from tests.factories import coalition_of


def page_error(text: str, key: str) -> str | None:
    """The message a page shows next to the field with this error key."""
    match = re.search(rf'id="{re.escape(key.replace(".", "-"))}-error">([^<]*)<', text)
    return html.unescape(match.group(1)) if match else None


def assert_alike(page, api, message: str, key: str, page_key: str | None = None) -> None:
    """The page and the API refused the input with the same status and the same message."""
    assert page.status_code == api.status_code == 422, api.text
    assert page_error(page.text, page_key or key) == message
    assert api.json()["errors"] == {key: message}


async def send_both(client, path: str, data: dict, headers: dict, page: str):
    """The same input to the page (as a form, from `page`) and to the API (as JSON)."""
    form = await post_form(client, path, data, page)
    return form, await client.post(f"/api/v1{path}", json=data, headers=headers)


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def at_most(limit: int) -> str:
    return f"Ten hoogste {limit} tekens."


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


@pytest.fixture
async def signed_in_officer(client, make, officer):
    """The officer, signed in on the page and with a token for the API."""
    await sign_in(client, officer.email)
    return officer, bearer(await make.token(officer))


# --- the challenge: the same schema for the form and the API -----------------------------------

CHALLENGE_FIELDS = [
    # (form input, error key, a too long value, the expected message)
    ("title", "title", too_long(NAME_MAX), at_most(NAME_MAX)),
    ("title", "title", "   ", "Dit veld is verplicht."),
    ("summary", "summary", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("desired_result", "desired_result", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("target_group", "target_group", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("context", "context", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("indicators-0-name", "indicators.0.name", too_long(NAME_MAX), at_most(NAME_MAX)),
    ("indicators-0-unit", "indicators.0.unit", too_long(UNIT_MAX), at_most(UNIT_MAX)),
    ("indicators-0-definition", "indicators.0.definition", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("criteria-0-name", "criteria.0.name", too_long(NAME_MAX), at_most(NAME_MAX)),
    ("criteria-0-description", "criteria.0.description", too_long(TEXT_MAX), at_most(TEXT_MAX)),
    ("requirements-0-text", "requirements.0", too_long(REQUIREMENT_MAX), at_most(REQUIREMENT_MAX)),
]


def _api_body(clock, key: str, value: str) -> dict:
    body = payload(clock)
    parts = key.split(".")
    if len(parts) == 1:
        body[key] = value
    elif len(parts) == 2:
        body[parts[0]][int(parts[1])] = value
    else:
        body[parts[0]][int(parts[1])][parts[2]] = value
    return body


@pytest.mark.parametrize(("field", "key", "value", "message"), CHALLENGE_FIELDS)
async def test_a_challenge_field_is_refused_alike_on_the_page_and_in_the_api(
    client, clock, signed_in_officer, field, key, value, message
):
    _officer, headers = signed_in_officer
    page = await post_form(client, "/challenges/new", {**FORM, field: value}, "/challenges/new")
    api = await client.post(
        "/api/v1/challenges", json=_api_body(clock, key, value), headers=headers
    )
    assert_alike(page, api, message, key)


# --- reasons, questions and answers: the service applies the one schema ------------------------

REASONS = [
    ("ab", f"Ten minste {REASON_MIN} tekens."),
    ("", "Dit veld is verplicht."),
    (too_long(REASON_MAX), at_most(REASON_MAX)),
]


@pytest.mark.parametrize(("reason", "message"), REASONS)
async def test_the_cancel_reason_is_one_rule(client, make, signed_in_officer, reason, message):
    officer, headers = signed_in_officer
    challenge = await make.challenge(officer, publish=True)
    page, api = await send_both(
        client,
        f"/challenges/{challenge.id}/cancel",
        {"reason": reason},
        headers,
        f"/challenges/{challenge.id}",
    )
    assert_alike(page, api, message, "reason")
    assert (await client.get(f"/api/v1/challenges/{challenge.id}", headers=headers)).json()[
        "status"
    ] != "cancelled"


async def test_a_one_letter_cancel_reason_is_refused_on_the_page_as_in_the_api(
    client, make, signed_in_officer
):
    officer, _headers = signed_in_officer
    challenge = await make.challenge(officer, publish=True)
    page = await post_form(client, f"/challenges/{challenge.id}/cancel", {"reason": "x"})
    assert page.status_code == 422


@pytest.mark.parametrize(("reason", "message"), REASONS[:1] + REASONS[2:])
async def test_the_amendment_reason_is_one_rule(
    client, clock, make, signed_in_officer, reason, message
):
    officer, headers = signed_in_officer
    challenge = await make.challenge(officer, publish=True)
    page = await post_form(
        client,
        f"/challenges/{challenge.id}/edit",
        {**FORM, "reason": reason},
        f"/challenges/{challenge.id}/edit",
    )
    api = await client.post(
        f"/api/v1/challenges/{challenge.id}/amendments",
        json={"reason": reason, "challenge": payload(clock)},
        headers=headers,
    )
    assert_alike(page, api, message, "reason")


@pytest.fixture
async def provider(client, make):
    user = await make.user(Role.provider_member)
    await sign_in(client, user.email)
    return user, bearer(await make.token(user))


QUESTIONS = [
    ("Wat?", f"Ten minste {QUESTION_MIN} tekens."),
    ("   ", "Dit veld is verplicht."),
    ("Waarom " + "x" * QUESTION_MAX, at_most(QUESTION_MAX)),
]


@pytest.mark.parametrize(("text", "message"), QUESTIONS)
async def test_a_question_is_one_rule_and_a_refused_one_keeps_its_text(
    client, make, officer, provider, text, message
):
    _user, headers = provider
    challenge = await make.challenge(officer, publish=True)
    page, api = await send_both(
        client,
        f"/challenges/{challenge.id}/questions",
        {"text": text},
        headers,
        f"/challenges/{challenge.id}",
    )
    # The challenge page again, with the question as typed and the error next to it.
    assert_alike(page, api, message, "text", "f-question")
    textarea = re.search(r'<textarea id="f-question"[^>]*>([^<]*)</textarea>', page.text)
    assert textarea and html.unescape(textarea.group(1)) == text
    assert 'aria-invalid="true"' in textarea.group(0)
    fresh = await client.get(f"/challenges/{challenge.id}")
    assert re.search(
        r'<textarea id="f-question"[^>]*aria-describedby="f-question-hint"></', fresh.text
    )


async def test_an_answer_that_is_too_long_is_refused_alike(client, make, officer, provider):
    from app.challenges import questions

    user, _headers = provider
    challenge = await make.challenge(officer, publish=True)
    question = await questions.ask_question(make.ctx(user), challenge.id, "Mag een school meedoen?")
    await post_form(client, "/logout", {})
    await sign_in(client, officer.email)
    headers = bearer(await make.token(officer))
    answer = too_long(ANSWER_MAX)
    url = f"/challenges/{challenge.id}/questions/{question.id}/answer"
    page = await post_form(client, url, {"answer": answer}, f"/challenges/{challenge.id}")
    api = await client.post(f"/api/v1{url}", json={"answer": answer}, headers=headers)
    assert page.status_code == api.status_code == 422
    assert api.json()["errors"] == {"answer": at_most(ANSWER_MAX)}
    assert at_most(ANSWER_MAX) in page.text


# --- coalitions and proposals -------------------------------------------------------------------

COALITION_FIELDS = [
    ("name", "x", f"Ten minste {NAME_MIN} tekens."),
    ("name", too_long(NAME_MAX), at_most(NAME_MAX)),
    ("role", too_long(ROLE_MAX), at_most(ROLE_MAX)),
    ("contribution", too_long(CONTRIBUTION_MAX), at_most(CONTRIBUTION_MAX)),
]
COALITION_LABELS = {
    "name": "Naam van de coalitie",
    "role": "Rol van uw organisatie in de coalitie",
    "contribution": "Wat uw organisatie bijdraagt",
}


@pytest.mark.parametrize(("field", "value", "message"), COALITION_FIELDS)
async def test_starting_a_coalition_is_one_rule(
    client, make, officer, provider, field, value, message
):
    _user, headers = provider
    challenge = await make.challenge(officer, publish=True)
    data = {"name": "Samen sterk", "role": "penvoerder", "contribution": "", field: value}
    page, api = await send_both(
        client,
        f"/challenges/{challenge.id}/coalitions",
        data,
        headers,
        f"/challenges/{challenge.id}/coalitions/new",
    )
    assert_alike(page, api, message, field)
    summary = page.text.split('id="error-summary"')[1].split("</div>")[0]
    assert f"{COALITION_LABELS[field]}</a>: {message}" in summary


@pytest.fixture
async def coalition(client, make, officer):
    from app.challenges import lifecycle

    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead)
    await sign_in(client, lead.email)
    return challenge, coalition, bearer(await make.token(lead))


@pytest.mark.parametrize(
    ("field", "limit"), [("approach", LONG_TEXT_MAX), ("theory_of_change", LONG_TEXT_MAX)]
)
async def test_a_proposal_text_is_refused_alike(client, coalition, field, limit):
    _challenge, coalition, headers = coalition
    page_url = f"/coalitions/{coalition.public_id}/proposal"
    page = await post_form(client, page_url, {field: too_long(limit), "action": "save"}, page_url)
    api = await client.put(f"/api/v1{page_url}", json={field: too_long(limit)}, headers=headers)
    assert_alike(page, api, at_most(limit), field)


async def test_a_requirement_explanation_is_refused_alike(client, coalition):
    challenge, coalition, headers = coalition
    requirement = challenge.requirements[0]
    page_url = f"/coalitions/{coalition.public_id}/proposal"
    text = too_long(EXPLANATION_MAX)
    page = await post_form(
        client, page_url, {f"req-{requirement.id}-explanation": text, "action": "save"}, page_url
    )
    api = await client.put(
        f"/api/v1{page_url}",
        json={"requirement_answers": [{"requirement_id": requirement.id, "explanation": text}]},
        headers=headers,
    )
    assert_alike(
        page,
        api,
        at_most(EXPLANATION_MAX),
        "requirement_answers.0.explanation",
        f"req-{requirement.id}-explanation",
    )


# --- files -------------------------------------------------------------------------------------


NO_FILE = [{}, {"file": ("", b"", "application/pdf")}, {"file": ("/", b"%PDF-", "application/pdf")}]


async def _no_file_alike(client, url: str, page_url: str, headers: dict, files: dict) -> None:
    token = await csrf(client, page_url)
    page = await client.post(url, data={"csrf_token": token}, files=files or None)
    api = await client.post(f"/api/v1{url}", files=files or None, headers=headers)
    assert page.status_code == api.status_code == 422, api.text
    assert api.json()["errors"] == {"file": "Kies een bestand."}
    assert "Kies een bestand." in page.text


@pytest.mark.parametrize("files", NO_FILE)
async def test_no_file_is_refused_alike_for_a_challenge(client, make, signed_in_officer, files):
    officer, headers = signed_in_officer
    draft = await make.challenge(officer)
    url = f"/challenges/{draft.id}/attachments"
    await _no_file_alike(client, url, f"/challenges/{draft.id}", headers, files)


@pytest.mark.parametrize("files", NO_FILE)
async def test_no_file_is_refused_alike_for_a_proposal(client, coalition, files):
    _challenge, coalition, headers = coalition
    url = f"/coalitions/{coalition.public_id}/proposal/attachments"
    page_url = f"/coalitions/{coalition.public_id}/proposal"
    await _no_file_alike(client, url, page_url, headers, files)


async def test_the_proposal_attachment_api_returns_the_cleaned_name(client, coalition):
    _challenge, coalition, headers = coalition
    response = await client.post(
        f"/api/v1/coalitions/{coalition.public_id}/proposal/attachments",
        files={"file": ("C:\\Users\\piet\\plan.pdf", make_pdf("plan"), "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "plan.pdf"
    draft = await client.get(f"/api/v1/coalitions/{coalition.public_id}/proposal", headers=headers)
    assert [a["filename"] for a in draft.json()["attachments"]] == ["plan.pdf"]


# --- unknown fields ----------------------------------------------------------------------------


async def test_an_unknown_field_is_refused_and_named(client, clock, make, signed_in_officer):
    officer, headers = signed_in_officer
    challenge = await make.challenge(officer, publish=True)
    cases = [
        ("post", "/api/v1/challenges", {**payload(clock), "budjet": 5}, "budjet"),
        (
            "post",
            "/api/v1/challenges",
            {**payload(clock), "indicators": [{**payload(clock)["indicators"][0], "eenheid": "%"}]},
            "indicators.0.eenheid",
        ),
        (
            "post",
            f"/api/v1/challenges/{challenge.id}/cancel",
            {"reason": "Vervalt", "reden": "x"},
            "reden",
        ),
        (
            "post",
            f"/api/v1/challenges/{challenge.id}/amendments",
            {"reason": "Verlengd", "challenge": payload(clock), "spoed": True},
            "spoed",
        ),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["code"] == "validation_error"
        assert response.json()["errors"] == {field: "Dit veld is onbekend."}
    fresh = await client.get(f"/api/v1/challenges/{challenge.id}", headers=headers)
    assert fresh.json()["status"] == "open"


async def test_unknown_fields_are_refused_in_coalition_and_proposal_bodies(
    client, make, officer, coalition
):
    challenge, coalition, headers = coalition
    cases = [
        (
            "put",
            f"/api/v1/coalitions/{coalition.public_id}/proposal",
            {"approoch": "x"},
            "approoch",
        ),
        (
            "put",
            f"/api/v1/coalitions/{coalition.public_id}/proposal",
            {"budget": [{"organisation_id": 1, "amount_cents": 5, "btw": 0}]},
            "budget.0.btw",
        ),
        (
            "post",
            f"/api/v1/challenges/{challenge.id}/coalitions",
            {"name": "Samen", "naam": "Samen"},
            "naam",
        ),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["errors"] == {field: "Dit veld is onbekend."}


def test_every_request_body_in_the_openapi_description_refuses_unknown_fields(app):
    schemas = app.openapi()["components"]["schemas"]
    bodies = set()
    for path in app.openapi()["paths"].values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                bodies.add(ref.rsplit("/", 1)[1])
    assert bodies >= {"ChallengeIn", "ProposalContent", "CoalitionIn", "ReasonIn", "QuestionIn"}
    for name in bodies:
        assert schemas[name].get("additionalProperties") is False, name


# --- every error at once, each named -----------------------------------------------------------


async def test_the_challenge_form_shows_every_error_at_once_with_field_names(
    client, signed_in_officer
):
    client.cookies.set("uk_lang", "en")
    bad = {
        **FORM,
        "title": too_long(NAME_MAX),
        "budget": "veel geld",
        "target_group_size": "veertig",
        "period_end": "2020-01-01",  # before the start: a rule across two fields
        "scale_min": "5",
        "scale_max": "3",
        "criteria-0-weight": "zeventig",
        "criteria-1-indicator_position": "",  # a formula criterion without its indicator
    }
    response = await post_form(client, "/challenges/new", bad, "/challenges/new")
    assert response.status_code == 422
    expected = {
        "title": f"At most {NAME_MAX} characters.",
        "budget_cents": "Enter an amount in euros, for example 450.000.",
        "target_group_size": "Enter a whole number.",
        "period_end": "The period must end after it starts.",
        "scale_max": "The highest score must be above the lowest.",
        "criteria.0.weight": "Enter a whole number.",
        "criteria.1.indicator_position": "A formula criterion needs an existing indicator.",
    }
    for key, message in expected.items():
        assert page_error(response.text, key) == message, key
    summary = response.text.split('id="error-summary"')[1].split("</div>")[0]
    assert f"Title</a>: At most {NAME_MAX} characters." in summary
    assert 'href="#f-title"' in summary
    assert "Contract period end</a>: The period must end after it starts." in summary
    assert summary.count("<li>") == len(expected)


async def test_the_amendment_form_shows_the_reason_with_the_other_errors(
    client, make, signed_in_officer
):
    officer, _headers = signed_in_officer
    challenge = await make.challenge(officer, publish=True)
    url = f"/challenges/{challenge.id}/edit"
    response = await post_form(client, url, {**FORM, "reason": "", "budget": "veel"}, url)
    assert response.status_code == 422
    assert page_error(response.text, "reason") == "Dit veld is verplicht."
    assert page_error(response.text, "budget_cents")


async def test_the_proposal_form_summary_names_each_field(client, coalition):
    challenge, coalition, _headers = coalition
    client.cookies.set("uk_lang", "en")
    indicator = challenge.indicators[0]
    page_url = f"/coalitions/{coalition.public_id}/proposal"
    data = {
        "approach": too_long(LONG_TEXT_MAX),
        f"target-{indicator.id}": "veel",
        "action": "save",
    }
    response = await post_form(client, page_url, data, page_url)
    assert response.status_code == 422
    summary = response.text.split('id="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#f-approach">Approach</a>: At most {LONG_TEXT_MAX} characters.' in summary
    assert f'<a href="#f-target-{indicator.id}">{indicator.name}</a>: Enter a number.' in summary
    assert page_error(response.text, "approach") == f"At most {LONG_TEXT_MAX} characters."
    assert page_error(response.text, f"target-{indicator.id}") == "Enter a number."
