"""A running contract with every kind of caller, for the result report and payment tests."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from app.contracts import search
from app.contracts import service as contracts
from app.contracts.models import Contract
from app.organisations.models import OrganisationKind, Role, User
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.factories import Factory

# The contract runs from 1 September 2026, reported quarterly: period 1 ends on 30 November
# 2026 and its report is due on 30 December; period 2 ends on 28 February 2027.
IN_PERIOD_ONE = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # before period 1's report opens
AFTER_PERIOD_ONE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
PAST_DUE_ONE = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class World:
    client: httpx.AsyncClient
    app: Any
    make: Factory
    contract: Contract
    users: dict[str, User]
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/contracts/{self.contract.id}"

    @property
    def indicator_id(self) -> int:
        return self.contract.indicators[0].indicator_id

    def at(self, moment: datetime) -> None:
        self.app.state.clock.at = moment
        self.app.state.clock_offset_cache = None

    async def call(self, who: str, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
        self.app.state.clock_offset_cache = None
        token = self.tokens.get(who)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= kwargs.pop("headers", {})
        return await self.client.request(method, self.url + path, headers=headers, **kwargs)

    def report(self, period: int = 1, value: float = 30, people: int = 12, **extra: Any) -> dict:
        return {
            "period": period,
            "values": [{"indicator_id": self.indicator_id, "value": value, "people": people}],
            "narrative": "Twaalf leerlingen zijn terug op school.",
            **extra,
        }

    async def submit(self, **kwargs: Any) -> dict:
        response = await self.call("lead", "POST", "/reports", json=self.report(**kwargs))
        assert response.status_code == 201, response.text
        return response.json()


async def build(make: Factory, client: httpx.AsyncClient, app: Any) -> World:
    owner = await make.org(OrganisationKind.municipality, name="Gemeente Thuis")
    elsewhere = await make.org(OrganisationKind.municipality, name="Gemeente Elders")
    users = {
        "officer": await make.user(Role.policy_officer, org=owner),
        "auditor": await make.user(Role.auditor, org=owner),
        "admin": await make.user(Role.admin, org=owner),
        "other_officer": await make.user(Role.policy_officer, org=elsewhere),
        "other_auditor": await make.user(Role.auditor, org=elsewhere),
        "lead": await make.user(Role.provider_member),
        "partner": await make.user(Role.provider_member),
        "outsider": await make.user(Role.provider_member),
    }
    challenge = await closed_challenge(make, users["officer"])
    winner = await submitted(make, challenge, users["lead"], users["partner"])
    past_the_deadline(make, challenge, app)
    made = await contracts.make_contract(make.ctx(users["officer"]), challenge.id, winner.public_id)
    await make.db.flush()
    contract = await search.get_contract(make.ctx(None), made.id)
    tokens = {who: await make.token(user) for who, user in users.items()}
    world = World(client, app, make, contract, users, tokens)
    world.at(AFTER_PERIOD_ONE)
    return world
