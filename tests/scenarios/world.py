"""A municipality with two running contracts for two target groups, one of them measured by an
accepted report (it achieves 4/13 of what was expected by now), for the scenario API and pages."""

from dataclasses import dataclass
from typing import Any

from app.contracts import service as contracts
from app.results.portfolio_service import load_portfolio
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.results.world import World as ResultsWorld
from tests.results.world import build as build_results

FAMILIES = "Gezinnen met meervoudige problemen"


@dataclass
class World:
    results: ResultsWorld
    pupils: int  # the results world's contract (measured: 4/13 of what was expected)
    families: int  # a second contract, estimated at its price
    pupils_group: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.results, name)

    async def call(self, who: str, method: str, path: str, **kwargs: Any):
        token = self.results.tokens.get(who)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= kwargs.pop("headers", {})
        return await self.results.client.request(method, path, headers=headers, **kwargs)


async def build(make, client, app) -> World:
    world = await build_results(make, client, app)
    officer = world.users["officer"]
    report = await world.submit(value=23)
    accepted = await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    challenge = await closed_challenge(
        make, officer, title="Gezinnen sterker", target_group=FAMILIES, theme="youth"
    )
    winner = await submitted(make, challenge, world.users["lead"])
    past_the_deadline(make, challenge, app)
    second = await contracts.make_contract(make.ctx(officer), challenge.id, winner.public_id)
    await make.db.flush()
    portfolio = await load_portfolio(make.ctx(officer))
    pupils_group = next(r.target_group for r in portfolio.rows if r.id == world.contract.id)
    return World(world, world.contract.id, second.id, pupils_group)
