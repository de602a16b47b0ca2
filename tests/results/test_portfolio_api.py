"""The portfolio through the API (JSON and CSV) and as a page: who may read it, filters, sorting."""

import pytest

from tests.conftest import sign_in
from tests.results.world import build

URL = "/api/v1/portfolio"


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def get(world, who: str, path: str = URL, **kwargs):
    token = world.tokens.get(who)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers |= kwargs.pop("headers", {})
    return await world.client.get(path, headers=headers, **kwargs)


async def test_the_officer_reads_the_portfolio_as_json(world):
    response = await get(world, "officer")
    assert response.status_code == 200, response.text
    body = response.json()
    contract = world.contract
    [row] = body["contracts"]
    assert row["contract_id"] == contract.id and row["reference"] == contract.reference
    assert row["cost_cents"] == contract.value_cents and row["paid_cents"] == 0
    assert row["expected_results_cents"] == contract.value_cents
    assert row["results_per_euro"] == "1.00" and row["achieved_percent"] is None
    assert row["estimated"] is True and row["valuation"] == ["at_price"]
    assert row["indicator_statuses"]["not_reported"] == 1
    assert body["total"]["cost_cents"] == contract.value_cents
    assert [t["label"] for t in body["by_theme"]] == ["education"]
    assert body["sort"] == "results_per_euro" and body["order"] == "desc"
    assert "outcome value" in body["rule"] or "maatschappelijke waarde" in body["rule"]


async def test_the_portfolio_as_csv_for_dutch_excel(world):
    for kwargs in ({"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        response = await get(world, "officer", **kwargs)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        lines = text[1:].split("\r\n")
        assert lines[0].split(";")[:3] == ["Contract", "Titel", "Coalitie"]
        cells = lines[1].split(";")
        assert cells[0] == world.contract.reference and cells[8] == "1,00"
        assert cells[3] == "Onderwijs"  # the theme as people read it, not its code


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "gardening"},
        {"target_group": "Iedereen"},
        {"sort": "colour"},
        {"order": "up"},
        {"format": "xml"},
    ],
)
async def test_every_filter_value_is_checked(world, params):
    response = await get(world, "officer", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_filters_and_sorting(world):
    assert len((await get(world, "officer", params={"theme": "education"})).json()["contracts"])
    assert (await get(world, "officer", params={"theme": "sport"})).json()["contracts"] == []
    group = (await get(world, "officer")).json()["target_groups"][0]
    response = await get(world, "officer", params={"target_group": group, "sort": "cost"})
    assert response.status_code == 200 and len(response.json()["contracts"]) == 1


@pytest.mark.parametrize("who", ["officer", "auditor", "admin"])
async def test_the_municipality_reads_it(world, who):
    response = await get(world, who)
    assert response.status_code == 200
    assert [c["contract_id"] for c in response.json()["contracts"]] == [world.contract.id]


@pytest.mark.parametrize("who", ["other_officer", "other_auditor"])
async def test_another_municipality_reads_only_its_own(world, who):
    response = await get(world, who)
    assert response.status_code == 200 and response.json()["contracts"] == []


@pytest.mark.parametrize("who", ["lead", "partner", "outsider"])
async def test_providers_are_refused(world, who):
    assert (await get(world, who)).status_code == 403


async def test_anonymous_callers_sign_in(world):
    assert (await get(world, "nobody")).status_code == 401


# --- the page ----------------------------------------------------------------------------------


async def test_the_page_shows_table_chart_and_rule(world):
    await sign_in(world.client, world.users["officer"].email)
    response = await world.client.get("/portfolio")
    assert response.status_code == 200, response.text
    page = response.text
    assert "Portefeuille" in page and world.contract.reference in page
    assert 'aria-sort="descending"' in page  # results per euro, highest first
    assert 'class="portfolio-chart" role="img"' in page
    assert "geschat op basis van de toegezegde streefwaarden" in page
    assert "maatschappelijke waarde per eenheid" in page  # the rule in words
    assert 'href="/portfolio?sort=results_per_euro&amp;order=asc"' in page
    assert "/api/v1/portfolio?sort=results_per_euro&amp;order=desc&amp;format=csv" in page


async def test_htmx_gets_the_results_block_only(world):
    await sign_in(world.client, world.users["officer"].email)
    response = await world.client.get(
        "/portfolio?sort=cost&order=asc", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert 'aria-sort="ascending"' in response.text


async def test_an_unknown_filter_on_the_page_says_so(world):
    await sign_in(world.client, world.users["officer"].email)
    response = await world.client.get("/portfolio?theme=gardening")
    assert response.status_code == 422
    assert "Kies een van de thema's." in response.text.replace("&#39;", "'")
    assert world.contract.reference in response.text  # the whole portfolio below


async def test_the_menu_links_the_portfolio_for_the_municipality(world):
    await sign_in(world.client, world.users["officer"].email)
    assert 'href="/portfolio"' in (await world.client.get("/signals")).text
    world.client.cookies.clear()
    await sign_in(world.client, world.users["lead"].email)
    assert 'href="/portfolio"' not in (await world.client.get("/contracts")).text


async def test_the_page_asks_anonymous_visitors_to_sign_in_and_refuses_providers(world):
    response = await world.client.get("/portfolio")
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")
    await sign_in(world.client, world.users["lead"].email)
    assert (await world.client.get("/portfolio")).status_code == 403
