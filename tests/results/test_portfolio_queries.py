"""The portfolio page and API run as many SQL statements for six contracts as for two, and at
most 10 with reading the session (bench/portfolio_queries.py prints the figures for 1,000)."""

from datetime import date

import pytest

from app.results.portfolio_service import load_portfolio
from tests.conftest import sign_in
from tests.evaluation.world import counting
from tests.results.portfolio_world import add_contracts
from tests.results.world import build

MOST = 10
TODAY = date(2026, 12, 10)  # the results world's AFTER_PERIOD_ONE


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def more(world, count: int) -> None:
    contract = world.contract
    await add_contracts(
        world.make.db,
        count,
        organisation_id=world.users["officer"].organisation_id,
        user_id=world.users["officer"].id,
        coalition_id=contract.coalition_id,
        submission_id=contract.submission_id,
        today=TODAY,
    )
    await world.make.db.flush()


async def statements(world, engine) -> dict[str, int]:
    client = world.client
    found = {}
    with counting(engine) as counted:
        client.cookies.clear()
        await sign_in(client, world.users["officer"].email)
        for name, path, headers in (
            ("page", "/portfolio", {}),
            ("htmx", "/portfolio?sort=cost", {"HX-Request": "true", "HX-Target": "results"}),
            ("api", "/api/v1/portfolio", {"Authorization": f"Bearer {world.tokens['officer']}"}),
            (
                "csv",
                "/api/v1/portfolio?format=csv",
                {"Authorization": f"Bearer {world.tokens['officer']}"},
            ),
        ):
            if name in ("api", "csv"):
                client.cookies.clear()
            counted.clear()
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, (name, response.text)
            found[name] = len(counted)
    return found


async def test_no_statement_per_contract(world, engine):
    await more(world, 1)
    few = await statements(world, engine)
    await more(world, 4)
    portfolio = await load_portfolio(world.make.ctx(world.users["officer"]))
    assert len(portfolio.rows) == 6
    assert any(not row.estimated for row in portfolio.rows)  # accepted values were read
    assert any(row.paid_cents for row in portfolio.rows)
    assert any("valued" in row.outcome.bases for row in portfolio.rows)
    many = await statements(world, engine)
    assert few == many
    assert max(many.values()) <= MOST, many
