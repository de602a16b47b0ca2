"""Sealed until the deadline, in the results too: a municipality with a running contract (its
results accepted) and, on another challenge, a proposal still sealed, submitted by a party to
that contract. No results endpoint, JSON or CSV, for any caller or API client, shows anything of
the sealed proposal, not even that there is one (the spirit of tests/proposals/test_sealing.py
and tests/ocds/test_sealing.py)."""

from datetime import date

import pytest
from sqlalchemy import select

from app.contracts import search
from app.contracts import service as contracts
from app.organisations.models import User
from app.proposals import service as proposals
from app.results import service as results
from tests.audit.world import client_token, register
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.proposals.test_sealing import OUTSIDERS, SECRET, headers
from tests.proposals.test_sealing import sealed as sealed  # noqa: F401  (the fixture)

CALLERS = [*OUTSIDERS, "lead", "own_program", "cli_program"]


@pytest.fixture
async def running(make, app, sealed):  # noqa: F811
    """The sealed world's municipality also runs a contract, led by the sealed coalition's lead,
    with period 1 accepted (3 people: a small count)."""
    challenge, coalition, _attachment, users, _tokens = sealed
    lead = await make.db.scalar(select(User).where(User.id == coalition.created_by_id))
    partner = await make.db.scalar(
        select(User).where(User.organisation_id == users["other_provider"].organisation_id)
    )
    officer = users["policy_officer"]
    contracted = await closed_challenge(
        make,
        officer,
        title="Lopend contract",
        period_start=date(2025, 12, 1),
        period_end=date(2027, 11, 30),
    )
    winner = await submitted(make, contracted, lead, partner)
    past_the_deadline(make, contracted, app)
    made = await contracts.make_contract(make.ctx(officer), contracted.id, winner.public_id)
    await make.db.flush()
    contract = await search.get_contract(make.ctx(None), made.id)
    report = await results.submit_report(
        make.ctx(lead),
        contract.id,
        {
            "period": 1,
            "values": [
                {"indicator_id": contract.indicators[0].indicator_id, "value": 30, "people": 3}
            ],
        },
    )
    await results.accept_report(make.ctx(officer), contract.id, report.id)
    await make.db.flush()
    assert challenge.submission_deadline > make.clock.now()  # the other proposal stays sealed
    return contract, lead


async def tokens_for(client, make, sealed, lead) -> dict[str, dict]:  # noqa: F811
    _challenge, _coalition, _attachment, users, tokens = sealed
    found = {who: headers(tokens[who]) for who in OUTSIDERS}
    found["lead"] = headers(await make.token(lead))
    scopes = "results:read audit:read ocds:read"
    found["own_program"] = await client_token(client, await register(make, users["admin"], scopes))
    found["cli_program"] = await client_token(client, await register(make, None, scopes))
    return found


def result_urls(contract_id: int, municipality_id: int) -> list[str]:
    return [
        f"/api/v1/contracts/{contract_id}/results",
        f"/api/v1/contracts/{contract_id}/results?format=csv",
        f"/api/v1/contracts/{contract_id}/reports",
        f"/api/v1/contracts/{contract_id}/payments",
        f"/api/v1/auditor/contracts/{contract_id}/results",
        f"/api/v1/auditor/contracts/{contract_id}/results?format=csv",
        "/api/v1/auditor/results",
        "/api/v1/auditor/results?format=csv",
        f"/api/v1/auditor/results?municipality={municipality_id}",
        f"/contracts/{contract_id}",
    ]


@pytest.mark.parametrize("who", CALLERS)
async def test_no_results_endpoint_reveals_the_sealed_proposal(
    client,
    make,
    sealed,  # noqa: F811
    running,
    who,
):
    challenge, coalition, _attachment, _users, _tokens = sealed
    contract, lead = running
    callers = await tokens_for(client, make, sealed, lead)
    hidden = [SECRET, coalition.name, str(coalition.public_id)]
    for url in result_urls(contract.id, challenge.organisation_id):
        response = await client.get(url, headers=callers[who])
        assert response.status_code in (200, 401, 403), (url, response.status_code)
        for secret in hidden:
            assert secret not in response.text, (url, secret)
    feed = await client.get(
        "/api/v1/auditor/results", params={"limit": 1000}, headers=callers["own_program"]
    )
    assert {row["challenge_id"] for row in feed.json()["rows"]} == {contract.challenge_id}


async def test_the_feed_does_not_move_with_sealed_activity(
    client,
    make,
    sealed,  # noqa: F811
    running,
):
    """Not even counts: another submission on the sealed challenge changes no answer."""
    challenge, coalition, _attachment, _users, _tokens = sealed
    contract, lead = running
    callers = await tokens_for(client, make, sealed, lead)
    urls = result_urls(contract.id, challenge.organisation_id)[:-1]  # the page has a CSRF token

    async def answers() -> list[tuple[int, str]]:
        found = []
        for who in ("own_program", "cli_program", "auditor", "policy_officer", "public"):
            for url in urls:
                response = await client.get(url, headers=callers[who])
                found.append((response.status_code, response.text))
        return found

    before = await answers()
    await proposals.submit(make.ctx(lead), coalition.public_id)  # a second version, sealed
    assert await answers() == before
