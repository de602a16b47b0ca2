"""Three running contracts of two municipalities with accepted results, and a report under
review and one queried, for the portfolio feed for API clients (GET /api/v1/auditor/results).

Contracts run from 1 September 2026 (tests/factories.py); quarterly periods end on 30 November,
28 February, 31 May and 31 August; a yearly indicator's first period ends on 31 August 2027 and
its value comes with the report on quarter 4. The clock stands at 10 September 2027.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.api_clients import service as api_clients
from app.contracts import search
from app.contracts import service as contracts
from app.contracts.models import Contract
from app.organisations.models import Organisation, OrganisationKind, Role, User
from app.results import service as results
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.factories import Factory

REPORTED = datetime(2027, 9, 10, 9, 0, tzinfo=UTC)
BACK = "Terug op school"
STAYING = "Na een jaar nog op school"
WORKING = "Aan het werk"


def indicator(name: str, frequency: str = "quarterly", unit: str = "leerlingen") -> dict:
    return {
        "name": name,
        "definition": f"{name}, geteld per periode.",
        "unit": unit,
        "baseline_value": 10,
        "baseline_date": date(2025, 9, 1),
        "direction": "increase",
        "target_value": 60,
        "measurement_method": "Administratie.",
        "reporting_frequency": frequency,
    }


@dataclass
class Portfolio:
    home: Organisation
    elsewhere: Organisation
    school: Contract  # home, education: BACK quarterly and STAYING yearly; all four accepted
    work: Contract  # home, work: WORKING; period 1 accepted, 2 under review, 3 queried
    other: Contract  # elsewhere, work: WORKING; periods 1 and 2 accepted
    users: dict[str, User]

    async def token(self, make: Factory, client, registrar: User | None, scopes: str) -> dict:
        """A bearer header for a client registered by `registrar` (None: at the command line)."""
        ctx = make.ctx(registrar)
        made, secret = await api_clients.create_client(
            ctx, {"name": "Programma", "scopes": scopes}, operator=registrar is None
        )
        answer = await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(made.client_id, secret)
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _contract(make: Factory, officer: User, lead: User, partner: User, **overrides: Any):
    challenge = await closed_challenge(make, officer, **overrides)
    coalition = await submitted(make, challenge, lead, partner)
    return challenge, coalition


async def _report(make: Factory, lead: User, contract: Contract, period: int, values: list):
    data = {
        "period": period,
        "values": [
            {"indicator_id": i.indicator_id, "value": value, "people": people}
            for i, (value, people) in zip(contract.indicators, values, strict=False)
            if value is not None
        ],
        "narrative": f"Periode {period}.",
    }
    return await results.submit_report(make.ctx(lead), contract.id, data)


async def build_portfolio(make: Factory, app) -> Portfolio:
    home = await make.org(OrganisationKind.municipality, name="Gemeente Thuis-Dorp")
    elsewhere = await make.org(OrganisationKind.municipality, name="Gemeente Élders")
    users = {
        "officer": await make.user(Role.policy_officer, org=home),
        "admin": await make.user(Role.admin, org=home),
        "other_officer": await make.user(Role.policy_officer, org=elsewhere),
        "other_admin": await make.user(Role.admin, org=elsewhere),
        "lead": await make.user(Role.provider_member),
        "partner": await make.user(Role.provider_member),
    }
    lead, partner = users["lead"], users["partner"]
    made = [
        await _contract(
            make,
            users["officer"],
            lead,
            partner,
            title="Thuiszitters terug naar school",
            theme="education",
            indicators=[indicator(BACK), indicator(STAYING, "yearly")],
        ),
        await _contract(
            make,
            users["officer"],
            lead,
            partner,
            title="Vrijwillig aan het werk",
            theme="work",
            indicators=[indicator(WORKING, unit="deelnemers")],
        ),
        await _contract(
            make,
            users["other_officer"],
            lead,
            partner,
            title="Werk in de wijk",
            theme="work",
            indicators=[indicator(WORKING, unit="deelnemers")],
        ),
    ]
    past_the_deadline(make, made[0][0], app)
    found = []
    for (challenge, coalition), officer in zip(
        made, (users["officer"], users["officer"], users["other_officer"]), strict=True
    ):
        contract = await contracts.make_contract(
            make.ctx(officer), challenge.id, coalition.public_id
        )
        await make.db.flush()
        found.append(await search.get_contract(make.ctx(None), contract.id))
    school, work, other = found
    make.clock.at = REPORTED
    app.state.clock_offset_cache = None

    async def accepted(officer, contract, period, values):
        report = await _report(make, lead, contract, period, values)
        await results.accept_report(make.ctx(officer), contract.id, report.id)

    for period, values in enumerate(
        [[(12, 12), (None, 0)], [(20, 3), (None, 0)], [(31, 31), (None, 0)], [(40, 40), (7, 2)]],
        start=1,
    ):
        await accepted(users["officer"], school, period, values)
    await accepted(users["officer"], work, 1, [(8, 8)])
    await _report(make, lead, work, 2, [(99, 99)])  # under review
    queried = await _report(make, lead, work, 3, [(77, 77)])
    await results.query_report(make.ctx(users["officer"]), work.id, queried.id, {"question": "?"})
    await accepted(users["other_officer"], other, 1, [(4, 4)])
    await accepted(users["other_officer"], other, 2, [(6, 6)])
    await make.db.flush()
    return Portfolio(home, elsewhere, school, work, other, users)
