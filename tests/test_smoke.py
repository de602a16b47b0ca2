from app.organisations.models import Role
from tests.conftest import sign_in


async def test_health(client):
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_officer_sees_own_draft_public_does_not(client, make):
    officer = await make.user(Role.policy_officer)
    draft = await make.challenge(officer)
    assert (await client.get(f"/challenges/{draft.id}")).status_code == 404
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{draft.id}")
    assert page.status_code == 200
    assert draft.title in page.text
