"""GET /api/v1/auditor/results: accepted results across the portfolio for API clients, as JSON
and CSV, filtered, paged by a cursor, made in one statement per page."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from app.results.feed import Cursor, slug
from tests.results.feed_world import (
    BACK,
    STAYING,
    WORKING,
    Portfolio,
    build_portfolio,
)

URL = "/api/v1/auditor/results"


@pytest.fixture
async def portfolio(make, app) -> Portfolio:
    return await build_portfolio(make, app)


@pytest.fixture
async def own(portfolio, make, client) -> dict:
    """A client registered by the home municipality's admin."""
    return await portfolio.token(make, client, portfolio.users["admin"], "results:read")


@pytest.fixture
async def public(portfolio, make, client) -> dict:
    """A client registered at the command line: reads small counts as the public does."""
    return await portfolio.token(make, client, None, "results:read")


async def rows(client, headers, **params) -> list[dict]:
    response = await client.get(URL, params={"limit": 1000, **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return response.json()["rows"]


def keys(found: list[dict]) -> list[tuple]:
    return [(r["contract_id"], r["indicator"], r["period"]) for r in found]


async def test_every_accepted_value_once_in_a_stable_order(client, portfolio, own):
    school, work, other = portfolio.school.id, portfolio.work.id, portfolio.other.id
    assert keys(await rows(client, own)) == [
        (school, BACK, 1),
        (school, BACK, 2),
        (school, BACK, 3),
        (school, BACK, 4),
        (school, STAYING, 1),
        (work, WORKING, 1),  # period 2 is under review, period 3 queried: not results
        (other, WORKING, 1),
        (other, WORKING, 2),
    ]


async def test_rows_are_the_per_contract_results(client, portfolio, own):
    """The feed puts each value in the indicator's own period exactly as the per-contract
    route does (a yearly indicator's value comes with the report on the fourth quarter)."""
    feed = {
        (r["contract_id"], r["indicator_id"], r["period"]): (
            r["start"],
            r["end"],
            r["value"],
            r["people_shown"],
        )
        for r in await rows(client, own)
    }
    expected = {}
    for contract in (portfolio.school, portfolio.work, portfolio.other):
        response = await client.get(f"/api/v1/auditor/contracts/{contract.id}/results", headers=own)
        for indicator in response.json()["indicators"]:
            for point in indicator["periods"]:
                # accepted: a value, or a count of fewer than 5 whose value is withheld
                if point["value"] is not None or point["people_shown"] == "<5":
                    expected[(contract.id, indicator["indicator_id"], point["period"])] = (
                        point["start"],
                        point["end"],
                        point["value"],
                        point["people_shown"],
                    )
    assert feed == expected
    staying = next(r for r in await rows(client, own) if r["indicator"] == STAYING)
    assert (staying["start"], staying["end"], staying["value"]) == ("2026-09-01", "2027-08-31", 7)


async def test_small_counts_are_exact_only_for_the_owning_municipalitys_client(
    client, portfolio, own, public, make
):
    other_admin = await portfolio.token(
        make, client, portfolio.users["other_admin"], "results:read"
    )
    for headers, school_exact, other_exact in (
        (own, True, False),
        (public, False, False),
        (other_admin, False, True),
    ):
        found = {
            (r["contract_id"], r["indicator"], r["period"]): r for r in await rows(client, headers)
        }
        small = found[(portfolio.school.id, BACK, 2)]  # 3 people
        assert (small["value"] is not None, small["people"], small["people_shown"]) == (
            (True, 3, "3") if school_exact else (False, None, "<5")
        )
        elsewhere = found[(portfolio.other.id, WORKING, 1)]  # 4 people
        assert elsewhere["people_shown"] == ("4" if other_exact else "<5")
        assert found[(portfolio.school.id, BACK, 1)]["people_shown"] == "12"


async def test_filter_by_municipality_id_or_slug(client, portfolio, own):
    home = keys(await rows(client, own, municipality=portfolio.home.id))
    assert {k[0] for k in home} == {portfolio.school.id, portfolio.work.id}
    assert slug(portfolio.home.name) == "gemeente-thuis-dorp"
    assert keys(await rows(client, own, municipality="gemeente-thuis-dorp")) == home
    assert keys(await rows(client, own, municipality="Gemeente Thuis-Dorp")) == home
    assert {k[0] for k in keys(await rows(client, own, municipality="gemeente-elders"))} == {
        portfolio.other.id
    }
    for unknown in ("gemeente-nergens", "999999", str(portfolio.users["lead"].organisation_id)):
        refused = await client.get(URL, params={"municipality": unknown}, headers=own)
        assert refused.status_code == 422, unknown
        assert set(refused.json()["errors"]) == {"municipality"}


async def test_filter_by_period_theme_and_indicator(client, portfolio, own):
    # Periods that end within the window: quarter 2 (28 February) and 3 (31 May).
    window = await rows(client, own, **{"from": "2027-01-01", "to": "2027-05-31"})
    assert {(k[1], k[2]) for k in keys(window)} == {(BACK, 2), (BACK, 3), (WORKING, 2)}
    since = await rows(client, own, **{"from": "2027-06-01"})
    assert {(k[1], k[2]) for k in keys(since)} == {(BACK, 4), (STAYING, 1)}
    until = await rows(client, own, to="2026-11-30")
    assert {(k[1], k[2]) for k in keys(until)} == {(BACK, 1), (WORKING, 1)}

    work = await rows(client, own, theme="work")
    assert {k[0] for k in keys(work)} == {portfolio.work.id, portfolio.other.id}
    assert await rows(client, own, theme="housing") == []

    by_name = await rows(client, own, indicator="aan HET werk")
    assert {k[0] for k in keys(by_name)} == {portfolio.work.id, portfolio.other.id}
    staying = portfolio.school.indicators[1].indicator_id
    assert keys(await rows(client, own, indicator=staying)) == [(portfolio.school.id, STAYING, 1)]
    assert await rows(client, own, indicator="Niet bestaand") == []
    assert await rows(client, own, indicator="99999999999") == []

    both = await rows(client, own, municipality="gemeente-elders", theme="work", to="2026-12-31")
    assert keys(both) == [(portfolio.other.id, WORKING, 1)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-06-01", "to": "2027-01-01"}, "to"),
        ({"from": "1800-01-01"}, "from"),
        ({"to": "3000-01-01"}, "to"),
        ({"theme": "gardening"}, "theme"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"cursor": Cursor(2**31, 0, 0).encode()}, "cursor"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_bad_filters_are_refused_clearly(client, portfolio, own, params, field):
    response = await client.get(URL, params=params, headers=own)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


async def test_pages_follow_the_cursor_and_the_link(client, portfolio, own, app):
    whole = await rows(client, own)
    paged, url, params, links = [], URL, {"limit": 3}, 0
    while True:
        response = await client.get(url, params=params, headers=own)
        body = response.json()
        assert len(body["rows"]) <= 3
        paged += body["rows"]
        if body["next_cursor"] is None:
            assert "link" not in response.headers and body["links"]["next"] is None
            break
        links += 1
        assert response.headers["link"] == f'<{body["links"]["next"]}>; rel="next"'
        base = app.state.settings.base_url.rstrip("/")
        url, params = body["links"]["next"].removeprefix(base), None
        assert "limit=3" in url and f"cursor={body['next_cursor']}" in url
    assert paged == whole and links == 2


async def test_filters_travel_with_the_cursor(client, portfolio, own, app):
    first = await client.get(URL, params={"theme": "work", "limit": 1}, headers=own)
    base = app.state.settings.base_url.rstrip("/")
    nxt = first.json()["links"]["next"].removeprefix(base)
    assert "theme=work" in nxt
    second = await client.get(nxt, headers=own)
    assert [r["theme"] for r in first.json()["rows"] + second.json()["rows"]] == ["work", "work"]


async def test_csv_for_dutch_excel(client, portfolio, own, public):
    for headers, params in ((own, {"format": "csv"}), ({**own, "Accept": "text/csv"}, {})):
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="results.csv"'
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeffGemeente;Contract;Opgave;Thema;Indicator-id;")
        table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
        assert len(table) == 1 + 8
        assert all(line.endswith("\r") or not line for line in text.split("\n"))
    first = table[1]
    assert first[0] == "Gemeente Thuis-Dorp" and first[3] == "education"
    assert first[5:] == [BACK, "leerlingen", "1", "2026-09-01", "2026-11-30", "12", "12"]
    public_csv = await client.get(URL, params={"format": "csv"}, headers=public)
    assert public_csv.text.split("\r\n")[2].split(";")[-2:] == ["", "<5"]  # value withheld
    english = await client.get(
        URL, params={"format": "csv"}, headers={**own, "Accept-Language": "en"}
    )
    assert english.content.decode().startswith("\ufeffMunicipality;Contract;Challenge;Theme;")


async def test_a_page_costs_the_same_statements_however_many_contracts(
    client, portfolio, own, engine
):
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    async def cost(**params) -> tuple[int, int]:
        statements.clear()
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            found = await rows(client, own, **params)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        return len({r["contract_id"] for r in found}), len(statements)

    one = await cost(municipality="gemeente-elders")
    three = await cost(municipality=portfolio.home.id)
    everything = await cost()
    assert (one[0], three[0], everything[0]) == (1, 2, 3)
    assert one[1] == three[1] == everything[1] + 1  # + finding the municipality


async def test_only_accepted_values_never_one_under_review_or_queried(client, portfolio, own):
    values = {(r["value"], r["people_shown"]) for r in await rows(client, own, indicator=WORKING)}
    # 99 is under review, 77 was queried; the other municipality's 4 (about 4 people) is withheld
    assert {value for value, _ in values} == {8, None, 6} and (None, "<5") in values


@given(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1))
def test_a_cursor_reads_back_as_itself(contract_id, position, period):
    cursor = Cursor(contract_id, position, period)
    assert Cursor.decode(cursor.encode()) == cursor


@given(st.text(max_size=60))
def test_a_slug_is_plain_and_stable(name):
    made = slug(name)
    assert made == slug(made) and made.strip("-") == made
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in made)


def test_slugs_of_dutch_names():
    assert slug("Gemeente 's-Hertogenbosch") == "gemeente-s-hertogenbosch"
    assert slug("Gemeente Súdwest-Fryslân") == "gemeente-sudwest-fryslan"
    assert slug("  Gemeente  Voorbeeldstad ") == "gemeente-voorbeeldstad"
