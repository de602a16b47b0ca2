"""The public contract API and pages: anyone reads them, and they hold only what was contracted."""

import re
from datetime import timedelta

import pytest

from app.contracts import service
from app.contracts.schemas import ContractTerms
from app.organisations.models import OrganisationKind, Role
from tests.contracts.world import closed_challenge, past_the_deadline, submitted


@pytest.fixture
async def contracted(make, app):
    """Two municipalities, each with a contracted challenge; the first had a rival bidder."""
    home = await make.org(OrganisationKind.municipality, name="Gemeente Thuis")
    elsewhere = await make.org(OrganisationKind.municipality, name="Gemeente Elders")
    officer = await make.user(Role.policy_officer, org=home)
    other = await make.user(Role.policy_officer, org=elsewhere)
    lead = await make.user(Role.provider_member)
    partner = await make.user(Role.provider_member)
    rival = await make.user(Role.provider_member)
    first = await closed_challenge(make, officer, title="Thuiszitters terug")
    second = await closed_challenge(make, other, title="Sport in de wijk")
    winner = await submitted(make, first, lead, partner, versions=2)
    loser = await submitted(make, first, rival)
    elsewhere_winner = await submitted(make, second, partner)
    past_the_deadline(make, first, app)
    home_contract = await service.make_contract(
        make.ctx(officer), first.id, winner.public_id, ContractTerms(fixed_share_bp=6_000)
    )
    make.clock.advance(timedelta(days=1))
    elsewhere_contract = await service.make_contract(
        make.ctx(other), second.id, elsewhere_winner.public_id
    )
    await make.db.flush()
    app.state.clock_offset_cache = None
    return {
        "home": home,
        "elsewhere": elsewhere,
        "first": first,
        "home_contract": home_contract,
        "elsewhere_contract": elsewhere_contract,
        "loser": loser,
        "rival": rival,
        "lead": lead,
    }


async def test_anyone_lists_the_contracts_newest_first(client, contracted):
    response = await client.get("/api/v1/contracts")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 2 and body["pages"] == 1
    assert [c["id"] for c in body["items"]] == [
        contracted["elsewhere_contract"].id,
        contracted["home_contract"].id,
    ]
    home = body["items"][1]
    assert home["municipality"] == "Gemeente Thuis"
    assert home["challenge_title"] == "Thuiszitters terug"
    assert home["value_cents"] == 200_000_00 and home["currency"] == "EUR"
    assert home["status"] == "running"
    assert home["url"] == f"/api/v1/contracts/{home['id']}"


async def test_the_list_filters_by_municipality_and_pages(client, contracted):
    only = await client.get(
        "/api/v1/contracts", params={"municipality": contracted["home"].id, "per_page": 1}
    )
    body = only.json()
    assert body["total"] == 1 and [c["id"] for c in body["items"]] == [
        contracted["home_contract"].id
    ]
    second_page = (await client.get("/api/v1/contracts", params={"per_page": 1, "page": 2})).json()
    assert second_page["pages"] == 2
    assert [c["id"] for c in second_page["items"]] == [contracted["home_contract"].id]
    refused = await client.get("/api/v1/contracts", params={"per_page": 0})
    assert refused.status_code == 422 and "per_page" in refused.json()["errors"]


async def test_a_contract_in_full(client, contracted):
    contract = contracted["home_contract"]
    response = await client.get(f"/api/v1/contracts/{contract.id}")
    assert response.status_code == 200, response.text
    body = response.json()
    lead_org = contracted["lead"].organisation_id
    assert [(p["organisation_id"], p["lead"], p["budget_cents"]) for p in body["parties"]] == [
        (lead_org, True, 100_000_00),
        (body["parties"][1]["organisation_id"], False, 100_000_00),
    ]
    assert body["lead"] == body["parties"][0]["name"]
    assert body["version"] == 2 and len(body["content_hash"]) == 64
    (indicator,) = body["indicators"]
    assert indicator["baseline_value"] == 22 and indicator["committed_target"] == 62
    assert indicator["reporting_frequency"] == "quarterly" and len(indicator["periods"]) == 12
    assert indicator["periods"][0] == {
        "number": 1,
        "start": "2026-09-01",
        "end": "2026-11-30",
        "due": "2026-12-30",
    }
    model = body["payment_model"]
    assert model["fixed_share_bp"] == 6_000
    assert model["fixed_cents"] == 120_000_00 and model["results_cap_cents"] == 80_000_00
    assert sum(p["amount_cents"] for p in model["fixed_schedule"]) == 120_000_00


async def test_nothing_of_another_bidder_or_the_proposal_text_is_published(client, contracted):
    body = (await client.get(f"/api/v1/contracts/{contracted['home_contract'].id}")).text
    rival_org = str(contracted["rival"].organisation_id)
    assert contracted["loser"].name not in body
    assert str(contracted["loser"].public_id) not in body
    assert f'"organisation_id":{rival_org},' not in body.replace(" ", "")
    # The plan itself, the receipt number and the requirement answers stay with the opening.
    assert "Eén plan per leerling" not in body
    assert contracted["home_contract"].receipt_number not in body
    page = await client.get(f"/contracts/{contracted['home_contract'].id}")
    assert contracted["loser"].name not in page.text
    assert "Eén plan per leerling" not in page.text


async def test_an_unknown_contract_is_not_found(client, contracted):
    response = await client.get("/api/v1/contracts/2000000000")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert (await client.get("/contracts/2000000000")).status_code == 404


async def test_the_pages_show_the_contract_in_dutch(client, contracted):
    contract = contracted["home_contract"]
    listing = await client.get("/contracts")
    assert listing.status_code == 200
    assert f'href="/contracts/{contract.id}"' in listing.text
    assert "2 contracten" in listing.text
    filtered = await client.get("/contracts", params={"municipality": contracted["elsewhere"].id})
    assert f'href="/contracts/{contract.id}"' not in filtered.text
    page = await client.get(f"/contracts/{contract.id}")
    assert page.status_code == 200
    text = page.text
    assert "Partijen en verdeling van het budget" in text
    assert "Penvoerder" in text or "penvoerder" in text
    assert "<caption>" in text and 'scope="col"' in text
    # Parties, indicators, its periods, the fixed payments; the accepted values of the one
    # indicator and the payments due, paid and open (app/results).
    assert len(re.findall(r"<caption", text)) == 6


async def test_the_challenge_page_links_to_its_contract(client, contracted):
    contract = contracted["home_contract"]
    page = await client.get(f"/challenges/{contracted['first'].id}")
    assert page.status_code == 200
    assert 'id="contract"' in page.text
    assert f'href="/contracts/{contract.id}"' in page.text
    assert "€ 200.000" in page.text


async def test_a_challenge_without_a_contract_shows_none(client, make):
    officer = await make.user(Role.policy_officer)
    challenge = await closed_challenge(make, officer)
    page = await client.get(f"/challenges/{challenge.id}")
    assert page.status_code == 200 and 'id="contract"' not in page.text
