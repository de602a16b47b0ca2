"""The portfolio loader: the municipality's contracts with their results per euro, for its
officers, auditors and admins, and as a cut scenario takes them."""

from fractions import Fraction

import pytest

from app.errors import Forbidden, Unauthenticated, ValidationFailed
from app.results.cuts import CutContract
from app.results.portfolio_service import NO_TARGET_GROUP, load_portfolio
from tests.results.world import build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def _accepted(world, value: float) -> None:
    report = await world.submit(value=value)
    response = await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    assert response.status_code == 200, response.text


async def test_a_contract_without_accepted_results_is_estimated_at_its_price(world):
    portfolio = await load_portfolio(world.make.ctx(world.users["officer"]))
    [row] = portfolio.rows
    contract = world.contract
    assert (row.id, row.reference, row.coalition_name) == (
        contract.id,
        contract.reference,
        contract.coalition_name,
    )
    assert row.theme == "education" and row.target_group.startswith("Leerlingen van 6 tot 18")
    assert row.cost_cents == contract.value_cents and row.paid_cents == 0
    assert row.estimated and row.achieved_share is None
    assert row.expected_results == contract.value_cents and row.results_per_euro == 1
    assert row.status_counts["not_reported"] == len(contract.indicators)
    assert portfolio.total.cost_cents == contract.value_cents
    assert portfolio.total.estimated == 1
    assert [t.label for t in portfolio.by_theme] == ["education"]
    assert portfolio.themes == ("education",)


async def test_an_accepted_value_measures_the_contract(world):
    """Quarterly from 1 September 2026 for three years: on 10 December 1 of 12 periods has
    ended, so 1/12 of the committed 39 points (22 % to 61 %) is expected, 3.25. 30 % accepted is
    8 points: more than expected, performance 1; 23 % is 1 point, 4/13 of it."""
    await _accepted(world, 23)
    [row] = (await load_portfolio(world.make.ctx(world.users["officer"]))).rows
    assert len(world.contract.indicators[0].periods) == 12
    assert row.achieved_share == Fraction(4, 13)
    assert not row.estimated
    assert row.expected_results == Fraction(4, 13) * world.contract.value_cents
    assert row.status_counts["not_reported"] == 0 and row.status_counts["off_track"] == 1


async def test_the_cut_contracts_carry_budget_and_expected_results_in_euros(world):
    portfolio = await load_portfolio(world.make.ctx(world.users["officer"]))
    contract = world.contract
    assert portfolio.cut_contracts() == [
        CutContract(
            id=str(contract.id),
            budget_cents=contract.value_cents,
            expected_results=Fraction(contract.value_cents, 100),
            target_groups=(portfolio.rows[0].target_group,),
            estimated=True,
            name=f"{contract.reference} {contract.coalition_name}",
        )
    ]


@pytest.mark.parametrize("who", ["officer", "auditor", "admin"])
async def test_the_municipality_reads_its_portfolio(world, who):
    portfolio = await load_portfolio(world.make.ctx(world.users[who]))
    assert [row.id for row in portfolio.rows] == [world.contract.id]


@pytest.mark.parametrize("who", ["other_officer", "other_auditor"])
async def test_another_municipality_sees_nothing_of_it(world, who):
    portfolio = await load_portfolio(world.make.ctx(world.users[who]))
    assert portfolio.rows == [] and portfolio.total.cost_cents == 0


@pytest.mark.parametrize("who", ["lead", "partner", "outsider"])
async def test_providers_are_refused(world, who):
    with pytest.raises(Forbidden):
        await load_portfolio(world.make.ctx(world.users[who]))


async def test_anonymous_callers_sign_in(world):
    with pytest.raises(Unauthenticated):
        await load_portfolio(world.make.ctx(None))


async def test_filters(world):
    ctx = world.make.ctx(world.users["officer"])
    assert len((await load_portfolio(ctx, theme="education")).rows) == 1
    assert (await load_portfolio(ctx, theme="sport")).rows == []
    group = (await load_portfolio(ctx)).target_groups[0]
    assert len((await load_portfolio(ctx, target_group=group)).rows) == 1
    for bad in ({"theme": "gardening"}, {"target_group": NO_TARGET_GROUP}, {"sort": "colour"}):
        with pytest.raises(ValidationFailed):
            await load_portfolio(ctx, **bad)
