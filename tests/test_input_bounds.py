"""Input the database or the calendar cannot hold is a clear 422, never a 500 (found by
Schemathesis: a 64-bit integer in a query, a deadline at the very end of the calendar)."""

import pytest

from app.organisations.models import OrganisationKind, Role
from tests.challenges.test_api import bearer, payload
from tests.conftest import post_form, sign_in

HUGE = "9223372036854775808"  # 2**63: past what SQLite stores


@pytest.fixture
async def officer_token(make):
    return await make.token(await make.user(Role.policy_officer))


async def test_a_huge_municipality_filter_is_refused_by_the_api(client, make):
    officer = await make.user(Role.policy_officer)
    await make.challenge(officer, publish=True)
    response = await client.get("/api/v1/challenges", params={"municipality": HUGE})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["errors"]) == {"municipality"}


async def test_a_huge_municipality_filter_is_ignored_on_the_page(client, make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    response = await client.get("/challenges", params={"municipality": HUGE})
    assert response.status_code == 200
    assert challenge.title in response.text


async def test_a_huge_audit_position_is_refused(client, make):
    auditor = await make.user(Role.auditor, org=await make.org(OrganisationKind.municipality))
    response = await client.get(
        "/api/v1/audit/events", params={"after": HUGE}, headers=bearer(await make.token(auditor))
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"after"}


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:00:00-05:00",  # is past the year 9999 in UTC
        "0001-01-01T00:30:00+14:00",  # is before the year 1 in UTC
        "9999-12-31T23:59:59Z",  # cannot be shown in Amsterdam time
        "1800-01-01T12:00:00Z",
    ],
)
async def test_a_deadline_at_the_ends_of_the_calendar_is_refused(
    client, clock, officer_token, moment
):
    body = {**payload(clock), "submission_deadline": moment, "question_deadline": moment}
    response = await client.post("/api/v1/challenges", json=body, headers=bearer(officer_token))
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {
        "question_deadline": "Vul een datum in tussen de jaren 1900 en 2999.",
        "submission_deadline": "Vul een datum in tussen de jaren 1900 en 2999.",
    }


async def test_dates_of_a_period_and_an_indicator_are_bounded_too(client, clock, officer_token):
    body = {**payload(clock), "period_end": "9999-12-31"}
    body["indicators"][0]["baseline_date"] = "0001-01-01"
    response = await client.post("/api/v1/challenges", json=body, headers=bearer(officer_token))
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {"period_end", "indicators.0.baseline_date"}


async def test_a_body_that_cannot_be_read_is_a_400_with_a_message(client, officer_token):
    response = await client.post(
        "/api/v1/challenges",
        content=b"\x80 is not UTF-8",
        headers={**bearer(officer_token), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Het verzoek kon niet worden gelezen.",
        "code": "bad_request",
    }


async def test_a_value_out_of_range_anywhere_is_a_422(app, client):
    """The last line of defence for a number no validation bounded."""

    @app.get("/api/v1/test-overflow")
    async def overflow() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    response = await client.get("/api/v1/test-overflow")
    assert response.status_code == 422
    assert response.json()["code"] == "unstorable_input"


@pytest.mark.parametrize("row", ["indicators-x-name", "criteria--name", "indicators-²-name"])
async def test_a_form_row_without_a_number_is_ignored(client, make, row):
    officer = await make.user(Role.policy_officer)
    await sign_in(client, officer.email)
    response = await post_form(
        client, "/challenges/new", {"title": "Meer ouders lezen voor", row: "Iets"}
    )
    assert response.status_code == 303, response.text


async def test_a_budget_above_21_million_euros_is_stored_as_given(client, clock, officer_token):
    """Money is 64-bit in the database: EUR 50 million (beyond a 32-bit count of cents, about
    EUR 21 million) and a large outcome value are kept exactly, on PostgreSQL too."""
    body = {**payload(clock), "budget_cents": 5_000_000_000}
    body["indicators"][0]["outcome_value_cents"] = 3_000_000_000
    created = await client.post("/api/v1/challenges", json=body, headers=bearer(officer_token))
    assert created.status_code == 201, created.text
    read = await client.get(
        f"/api/v1/challenges/{created.json()['id']}", headers=bearer(officer_token)
    )
    assert read.json()["budget_cents"] == 5_000_000_000
    assert read.json()["indicators"][0]["outcome_value_cents"] == 3_000_000_000
