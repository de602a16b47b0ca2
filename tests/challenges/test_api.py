"""The JSON API under /api/v1 with personal bearer tokens."""

import pytest

from app.organisations.models import Role
from tests.factories import challenge_data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


@pytest.fixture
async def officer_token(make, officer):
    return await make.token(officer)


def payload(clock, **overrides):
    data = challenge_data(clock.now(), **overrides)
    for key in ("question_deadline", "submission_deadline"):
        data[key] = data[key].isoformat()
    for key in ("period_start", "period_end", "expected_award_date"):
        data[key] = data[key].isoformat()
    for indicator in data["indicators"]:
        indicator["baseline_date"] = indicator["baseline_date"].isoformat()
    return data


async def test_full_lifecycle_through_the_api(client, clock, officer_token, make):
    headers = bearer(officer_token)
    created = await client.post("/api/v1/challenges", json=payload(clock), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft"
    assert body["budget_cents"] == 650_000_00
    assert [c["weight"] for c in body["criteria"]] == [60, 25, 15]
    challenge_id = body["id"]

    assert (await client.get(f"/api/v1/challenges/{challenge_id}")).status_code == 404

    published = await client.post(f"/api/v1/challenges/{challenge_id}/publish", headers=headers)
    assert published.status_code == 200
    assert published.json()["status"] == "open"
    assert published.json()["open_for_submissions"] is True

    public = await client.get("/api/v1/challenges", params={"q": "thuiszitters"})
    assert [item["id"] for item in public.json()["items"]] == [challenge_id]

    amended = payload(clock, summary="Gewijzigde samenvatting.")
    response = await client.post(
        f"/api/v1/challenges/{challenge_id}/amendments",
        json={"reason": "Verduidelijking", "challenge": amended},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["changes"]["summary"]["new"] == "Gewijzigde samenvatting."
    history = await client.get(f"/api/v1/challenges/{challenge_id}/amendments")
    assert [a["number"] for a in history.json()] == [1]

    provider = await make.user(Role.provider_member)
    provider_headers = bearer(await make.token(provider))
    asked = await client.post(
        f"/api/v1/challenges/{challenge_id}/questions",
        json={"text": "Mogen scholen penvoerder zijn?"},
        headers=provider_headers,
    )
    assert asked.status_code == 201
    question_id = asked.json()["id"]
    assert (await client.get(f"/api/v1/challenges/{challenge_id}/questions")).json() == []
    answered = await client.post(
        f"/api/v1/challenges/{challenge_id}/questions/{question_id}/answer",
        json={"answer": "Ja."},
        headers=headers,
    )
    assert answered.status_code == 200
    public_questions = (await client.get(f"/api/v1/challenges/{challenge_id}/questions")).json()
    assert public_questions[0]["answer"] == "Ja."
    assert "asked_by_id" not in public_questions[0]

    cancelled = await client.post(
        f"/api/v1/challenges/{challenge_id}/cancel", json={"reason": "Geen budget"}, headers=headers
    )
    assert cancelled.json()["status"] == "cancelled"


async def test_errors_are_json_with_detail_and_code(client, officer_token, clock):
    headers = bearer(officer_token)
    bad = await client.post("/api/v1/challenges", json={"title": ""}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert "title" in bad.json()["errors"]

    wrong_type = await client.post(
        "/api/v1/challenges", json={"title": "x", "budget_cents": "veel"}, headers=headers
    )
    assert wrong_type.status_code == 422
    assert "budget_cents" in wrong_type.json()["errors"]

    incomplete = await client.post("/api/v1/challenges", json={"title": "Kaal"}, headers=headers)
    publish = await client.post(
        f"/api/v1/challenges/{incomplete.json()['id']}/publish", headers=headers
    )
    assert publish.status_code == 422
    assert publish.json()["code"] == "validation_error"
    assert "indicators" in publish.json()["errors"]

    missing = await client.get("/api/v1/challenges/424242")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"

    unknown_route = await client.get("/api/v1/nothing-here")
    assert unknown_route.status_code == 404
    assert unknown_route.json()["code"] == "not_found"

    not_json = await client.post(
        "/api/v1/challenges", content=b"{", headers={**headers, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422


async def test_authentication_errors(client):
    no_token = await client.post("/api/v1/challenges", json={"title": "x"})
    assert no_token.status_code == 401
    assert no_token.json()["code"] == "not_authenticated"
    bad_token = await client.get("/api/v1/challenges", headers=bearer("uk_nonsense"))
    assert bad_token.status_code == 401
    assert bad_token.json()["code"] == "bad_token"
    bad_scheme = await client.get("/api/v1/challenges", headers={"Authorization": "Basic abc"})
    assert bad_scheme.status_code == 401


async def test_provider_token_cannot_publish(client, make, officer):
    draft = await make.challenge(officer)
    provider = await make.user(Role.provider_member)
    headers = bearer(await make.token(provider))
    assert (
        await client.post(f"/api/v1/challenges/{draft.id}/publish", headers=headers)
    ).status_code == 404
    published = await make.challenge(officer, publish=True)
    cancel = await client.post(
        f"/api/v1/challenges/{published.id}/cancel", json={"reason": "ik wil niet"}, headers=headers
    )
    assert cancel.status_code == 403
    assert cancel.json()["code"] == "forbidden"


async def test_language_follows_accept_language(client):
    dutch = await client.get("/api/v1/challenges/999")
    english = await client.get("/api/v1/challenges/999", headers={"Accept-Language": "en-GB,en"})
    assert english.json()["detail"] == "This challenge does not exist or is not public."
    assert dutch.json()["code"] == english.json()["code"] == "not_found"


async def test_query_validation(client):
    assert (await client.get("/api/v1/challenges", params={"page": 0})).status_code == 422
    assert (await client.get("/api/v1/challenges", params={"status": "weird"})).status_code == 422
    assert (await client.get("/api/v1/challenges", params={"per_page": 1000})).status_code == 422


async def test_openapi_documents_the_api(client):
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/challenges" in spec["paths"]
    assert "/api/v1/challenges/{challenge_id}/publish" in spec["paths"]
    assert not any(path.startswith("/challenges") for path in spec["paths"])


async def test_a_nul_character_is_refused_or_ignored_never_a_500(client, officer_token):
    listing = await client.get("/api/v1/challenges", params={"q": "school\x00"})
    assert listing.status_code == 200
    created = await client.post(
        "/api/v1/challenges", json={"title": "Nul\x00teken"}, headers=bearer(officer_token)
    )
    assert created.status_code in (201, 422)  # SQLite stores it; PostgreSQL cannot
    if created.status_code == 422:
        assert created.json()["code"] == "unstorable_input"
