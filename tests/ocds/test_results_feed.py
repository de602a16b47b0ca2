"""Results and payments made through the results API appear in the OCDS feed as
implementation releases: validated, compiled by ocdsmerge, found by `since`, small counts as
"<5" for everyone, and loaded for many contracts in as many statements as for one."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.contracts import service as contracts
from app.ocds import service
from app.ocds.implementation import SMALL_NOTE
from app.ocds.releases import record_package
from app.ocds.schema import validate_record_package
from app.organisations.models import Role
from app.results import service as results
from app.results.schemas import PaymentIn, ReportIn
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.ocds.test_api import assert_compiled, feed, ocid, record
from tests.results.world import AFTER_PERIOD_ONE, build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def accepted(world, **report) -> dict:
    made = await world.submit(**report)
    response = await world.call("officer", "POST", f"/reports/{made['id']}/accept")
    assert response.status_code == 200, response.text
    return made


async def paid(world, amount_cents: int = 1_000_00) -> dict:
    response = await world.call(
        "officer", "POST", "/payments", json={"period": 1, "amount_cents": amount_cents}
    )
    assert response.status_code == 201, response.text
    return response.json()["payments"][-1]


def implementation(record_: dict) -> list[dict]:
    return [r for r in record_["releases"] if "implementation" in r["tag"]]


async def test_an_accepted_report_and_a_payment_are_implementation_releases(world, client):
    report = await accepted(world, value=31.5, people=12)
    world.at(AFTER_PERIOD_ONE + timedelta(hours=1))
    payment = await paid(world, 1_234_56)
    challenge_id = world.contract.challenge_id
    record_ = await record(client, challenge_id)
    assert_compiled(record_)
    found = implementation(record_)
    assert [r["id"] for r in found] == [
        f"{ocid(challenge_id)}-implementation-report-{report['id']}",
        f"{ocid(challenge_id)}-implementation-payment-{payment['id']}",
    ]
    contract = record_["compiledRelease"]["contracts"][0]
    (metric,) = contract["implementation"]["metrics"]
    (observation,) = metric["observations"]
    period = world.contract.indicators[0].periods[0]
    assert metric["id"] == "1" and metric["title"] == world.contract.indicators[0].name
    assert observation == {
        "id": "period-1",
        "period": {
            "startDate": f"{period.start.isoformat()}T00:00:00Z",
            "endDate": f"{period.end.isoformat()}T23:59:59Z",
        },
        "measure": 31.5,
        "unit": {"name": "%"},
        "dimensions": {"numberOfPeople": "12"},
    }
    (transaction,) = contract["implementation"]["transactions"]
    lead = world.contract.lead
    assert transaction["id"] == str(payment["id"])
    assert transaction["value"] == {"amount": 1234.56, "currency": "EUR"}
    assert transaction["date"] == f"{AFTER_PERIOD_ONE.date().isoformat()}T00:00:00Z"
    assert transaction["payee"]["name"] == lead.name
    parties = {p["id"]: p for p in record_["compiledRelease"]["parties"]}
    assert "payee" in parties[transaction["payee"]["id"]]["roles"]
    assert "payer" in parties[transaction["payer"]["id"]]["roles"]
    assert transaction["payer"] == record_["compiledRelease"]["buyer"]
    # The whole feed and the bulk download carry them too, each page valid.
    everything = await feed(client, limit=2)
    assert [r for r in everything if "implementation" in r["tag"]] == found
    async with client.stream("GET", "/api/v1/ocds/releases.jsonl") as response:
        lines = [json.loads(line) async for line in response.aiter_lines() if line]
    assert lines == everything


async def test_a_report_not_accepted_is_not_published(world, client):
    first = await world.submit(value=25)
    await world.call("officer", "POST", f"/reports/{first['id']}/query", json={"question": "?"})
    await world.submit(value=28, answer="Zo.")
    assert implementation(await record(client, world.contract.challenge_id)) == []


@pytest.mark.parametrize("people", [0, 3, 4])
async def test_a_small_count_is_published_as_less_than_five_without_the_value(
    world, client, people
):
    await accepted(world, value=12345.75, people=people)
    record_ = await record(client, world.contract.challenge_id)
    (release,) = implementation(record_)
    (observation,) = release["contracts"][0]["implementation"]["metrics"][0]["observations"]
    assert observation["dimensions"] == {"numberOfPeople": "<5"}
    assert observation["notes"] == SMALL_NOTE and "measure" not in observation
    assert "12345.75" not in json.dumps(record_)
    # An API client's token or a municipality's auditor reads the same open data.
    auditor = {"Authorization": f"Bearer {world.tokens['auditor']}"}
    assert (await record(client, world.contract.challenge_id, auditor)) == record_
    ctx = world.make.ctx(world.users["auditor"])
    publisher = service.publisher_of(client._transport.app.state.settings)
    mine = await service.record(ctx, publisher, ocid(world.contract.challenge_id))
    assert "12345.75" not in json.dumps(mine.releases) and "<5" in json.dumps(mine.releases)


async def test_since_finds_a_later_report_and_payment_of_an_older_process(world, client):
    since = AFTER_PERIOD_ONE - timedelta(minutes=1)
    assert await feed(client, since=since.isoformat()) == []
    await accepted(world)
    await paid(world)
    found = await feed(client, since=since.isoformat())
    assert [r["tag"] for r in found] == [["implementation"], ["implementation"]]
    record_ = await record(client, world.contract.challenge_id)
    package = record_package(
        service.publisher_of(client._transport.app.state.settings),
        record_["ocid"],
        record_["releases"],
        record_["compiledRelease"],
        AFTER_PERIOD_ONE,
        "http://t/r",
    )
    assert validate_record_package(package) == []


async def contracted_with_results(make, app, count: int) -> list[int]:
    """`count` contracts, each with an accepted report on period 1 and a payment."""
    officer = await make.user(Role.policy_officer)
    made = []
    for _ in range(count):
        challenge = await closed_challenge(make, officer)
        lead = await make.user(Role.provider_member)
        partner = await make.user(Role.provider_member)
        winner = await submitted(make, challenge, lead, partner)
        past_the_deadline(make, challenge, app)
        ctx = make.ctx(officer)
        contract = await contracts.make_contract(ctx, challenge.id, winner.public_id)
        made.append((contract.id, lead, challenge.indicators[0].id))
    make.clock.at = max(make.clock.at, AFTER_PERIOD_ONE)  # period 1 has ended
    app.state.clock_offset_cache = None
    for contract_id, lead, indicator_id in made:
        values = [{"indicator_id": indicator_id, "value": 40, "people": 9}]
        report = await results.submit_report(
            make.ctx(lead), contract_id, ReportIn(period=1, values=values)
        )
        await results.accept_report(make.ctx(officer), contract_id, report.id)
        await results.record_payment(
            make.ctx(officer), contract_id, PaymentIn(period=1, amount_cents=100)
        )
    await make.db.flush()
    return [contract_id for contract_id, *_ in made]


async def test_many_contracts_with_results_cost_as_many_statements_as_one(
    client, make, app, engine
):
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    async def statements(path: str) -> tuple[int, str]:
        await client.get(path)  # the clock's offset is read now and then
        counted.clear()
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return len(counted), response.text

    found = {}
    await contracted_with_results(make, app, 1)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for total in (1, 3):
            if total == 3:
                event.remove(engine.sync_engine, "before_cursor_execute", count)
                await contracted_with_results(make, app, 2)
                event.listen(engine.sync_engine, "before_cursor_execute", count)
            page, text = await statements("/api/v1/ocds/releases?limit=100")
            bulk, lines = await statements("/api/v1/ocds/releases.jsonl")
            assert text.count("implementation-payment-") == total
            assert lines.count("implementation-report-") == total
            found[total] = (page, bulk)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert found[1] == found[3]
