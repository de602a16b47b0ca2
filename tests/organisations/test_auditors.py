"""An auditor reads what the municipality that appointed them opened, and nothing of another's."""

from datetime import timedelta

import pytest

from app.challenges import lifecycle
from app.organisations.models import OrganisationKind, Role
from app.proposals import service as proposals
from tests.conftest import sign_in
from tests.factories import coalition_of, complete_content

APPROACH = "Aanpak die alleen de eigen gemeente na de deadline leest."


@pytest.fixture
async def towns(make):
    """Two municipalities, each with an officer and an auditor; one submitted proposal in town."""
    town = await make.org(OrganisationKind.municipality, name="Gemeente Eigenstad")
    other = await make.org(OrganisationKind.municipality, name="Gemeente Anderstad")
    people = {
        "officer": await make.user(Role.policy_officer, org=town),
        "auditor": await make.user(Role.auditor, org=town, email="controle@eigenstad.nl"),
        "other_officer": await make.user(Role.policy_officer, org=other),
        "other_auditor": await make.user(Role.auditor, org=other, email="controle@anderstad.nl"),
    }
    challenge = await make.challenge(people["officer"], publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(people["officer"]), challenge.id)
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead)
    content = complete_content(challenge, coalition, approach=APPROACH)
    await proposals.save_draft(make.ctx(lead), coalition.public_id, content)
    await proposals.submit(make.ctx(lead), coalition.public_id)
    tokens = {name: await make.token(user) for name, user in people.items()}
    return challenge, coalition, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def after_the_deadline(app, clock) -> None:
    clock.advance(timedelta(days=30, minutes=1))
    app.state.clock_offset_cache = None


async def test_the_auditor_reads_their_own_municipalitys_opening_after_the_deadline(
    client, towns, app, clock
):
    challenge, coalition, tokens = towns
    after_the_deadline(app, clock)
    auditor = bearer(tokens["auditor"])
    opening = await client.get(f"/api/v1/challenges/{challenge.id}/opening", headers=auditor)
    assert opening.status_code == 200
    [entry] = opening.json()["proposals"]
    full = await client.get(f"/api/v1/challenges/{challenge.id}/proposals", headers=auditor)
    assert full.status_code == 200
    assert [p["content"]["approach"] for p in full.json()] == [APPROACH]
    versions = await client.get(
        f"/api/v1/coalitions/{coalition.public_id}/submissions", headers=auditor
    )
    assert versions.status_code == 200 and len(versions.json()) == 1
    await sign_in(client, "controle@eigenstad.nl")
    page = await client.get(f"/challenges/{challenge.id}/opening")
    assert page.status_code == 200 and entry["receipt_number"] in page.text


async def test_another_municipalitys_auditor_is_refused_like_its_officer(client, towns, app, clock):
    """The challenge is public: its opening is refused (403), its coalition stays unseen (404)."""
    challenge, coalition, tokens = towns
    after_the_deadline(app, clock)
    paths = [
        f"/api/v1/challenges/{challenge.id}/opening",
        f"/api/v1/challenges/{challenge.id}/proposals",
        f"/api/v1/coalitions/{coalition.public_id}/submissions",
        f"/api/v1/coalitions/{coalition.public_id}",
    ]
    for path in paths:
        as_officer = await client.get(path, headers=bearer(tokens["other_officer"]))
        as_auditor = await client.get(path, headers=bearer(tokens["other_auditor"]))
        assert as_auditor.status_code == as_officer.status_code, path
        assert as_auditor.status_code in (403, 404), path
        assert APPROACH not in as_auditor.text
    await sign_in(client, "controle@anderstad.nl")
    page = await client.get(f"/challenges/{challenge.id}/opening")
    assert page.status_code == 403  # as the API: the challenge is public, its opening not theirs


async def test_before_the_deadline_even_the_own_auditor_reads_nothing(client, towns):
    challenge, _coalition, tokens = towns
    auditor = bearer(tokens["auditor"])
    opening = await client.get(f"/api/v1/challenges/{challenge.id}/opening", headers=auditor)
    assert opening.status_code == 409 and opening.json()["code"] == "sealed"
    full = await client.get(f"/api/v1/challenges/{challenge.id}/proposals", headers=auditor)
    assert full.status_code == 409
    assert APPROACH not in opening.text + full.text
