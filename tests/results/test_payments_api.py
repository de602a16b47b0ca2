"""Payments through the API: due, paid and open per period for anyone; recorded only by the
owning municipality's officers, above zero and never above what is open."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.contracts.payments import split_cents
from app.results.models import ContractPayment
from tests.results.world import AFTER_PERIOD_ONE, build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def _payments(world) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(ContractPayment))


async def test_anyone_reads_due_paid_and_open(world):
    response = await world.call("nobody", "GET", "/payments")
    assert response.status_code == 200, response.text
    body = response.json()
    first, second = body["periods"][:2]
    fixed = world.contract.fixed_schedule()[0].amount_cents
    assert first["ended"] and first["fixed_cents"] == fixed
    assert first["results_cents"] == 0 and first["due_cents"] == fixed
    assert first["pending_indicator_ids"] == [world.indicator_id]
    assert not second["ended"] and second["due_cents"] == 0
    assert body["due_cents"] == fixed and body["paid_cents"] == 0 and body["open_cents"] == fixed
    assert body["rule"]


async def test_the_officer_records_a_payment_and_it_is_paid(world):
    fixed = world.contract.fixed_schedule()[0].amount_cents
    response = await world.call(
        "officer", "POST", "/payments", json={"period": 1, "amount_cents": fixed - 100}
    )
    assert response.status_code == 201, response.text
    first = response.json()["periods"][0]
    assert first["paid_cents"] == fixed - 100 and first["open_cents"] == 100
    assert response.json()["payments"][0]["paid_on"] == AFTER_PERIOD_ONE.date().isoformat()
    actions = (await world.make.db.scalars(select(AuditEvent.action))).all()
    assert "payment.recorded" in actions


@pytest.mark.parametrize("who", ["lead", "partner", "auditor", "admin", "other_officer"])
async def test_only_the_owners_officers_record_payments(world, who):
    response = await world.call(who, "POST", "/payments", json={"period": 1, "amount_cents": 100})
    assert response.status_code == 403, response.text
    assert await _payments(world) == 0


async def test_anonymous_callers_sign_in_to_record(world):
    response = await world.call(
        "nobody", "POST", "/payments", json={"period": 1, "amount_cents": 1}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"period": 1, "amount_cents": 0}, "amount_cents", "boven nul"),
        ({"period": 1, "amount_cents": -500}, "amount_cents", "boven nul"),
        ({"period": 1, "amount_cents": 10**12}, "amount_cents", "open"),
        ({"period": 2, "amount_cents": 100}, "period", "nog niet"),
        ({"period": 99, "amount_cents": 100}, "period", "1 tot"),
        ({"period": 1, "amount_cents": 100, "paid_on": "2027-06-01"}, "paid_on", "gedaan"),
        ({"period": 1, "amount_cents": "veel"}, "amount_cents", "heel getal"),
    ],
)
async def test_bad_payments_are_refused_with_a_clear_message(world, body, field, words):
    response = await world.call("officer", "POST", "/payments", json=body)
    assert response.status_code == 422, response.text
    assert words in response.json()["errors"][field].lower()
    assert await _payments(world) == 0


async def test_no_more_than_is_open(world):
    fixed = world.contract.fixed_schedule()[0].amount_cents
    ok = await world.call("officer", "POST", "/payments", json={"period": 1, "amount_cents": fixed})
    assert ok.status_code == 201
    more = await world.call("officer", "POST", "/payments", json={"period": 1, "amount_cents": 1})
    assert more.status_code == 422 and "0,00" in more.json()["errors"]["amount_cents"]


async def test_an_accepted_report_earns_the_results_part(world):
    report = await world.submit(value=40, people=20)
    accepted = await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    assert accepted.status_code == 200
    first = (await world.call("nobody", "GET", "/payments")).json()["periods"][0]
    assert first["results_cents"] > 0 and first["pending_indicator_ids"] == []
    assert first["due_cents"] == first["fixed_cents"] + first["results_cents"]


async def test_a_partial_result_earns_its_share_of_the_period_pot(world):
    """Baseline 22, committed 61 over 12 quarters: by the end of quarter 1 an improvement of
    39 / 12 = 3.25 is expected; 23 achieves 1 / 3.25 = 4/13 of it (30.77 %)."""
    report = await world.submit(value=23, people=20)
    await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    before = (await world.call("nobody", "GET", "/payments")).json()["periods"][0]
    assert before["achievement_percent"] == "30.77"
    whole = world.contract.results_cap_cents
    days = [(p.end - p.start).days + 1 for p in world.contract.fixed_schedule()]
    pot = split_cents(whole, days)[0]
    assert before["results_cents"] == pot * 4 // 13
