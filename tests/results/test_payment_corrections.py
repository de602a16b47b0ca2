"""A payment recorded in error is corrected by a new entry that names it, with a reason: the
payment itself never changes, due/paid/open follow, and every refusal is a clear 4xx."""

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.audit.models import AuditEvent
from app.clock import FrozenClock
from app.config import normalise_database_url
from app.context import Context
from app.contracts import search
from app.contracts import service as contracts
from app.db import create_engine, make_sessionmaker
from app.errors import DomainError
from app.migrate import upgrade
from app.organisations.models import OrganisationKind, Role
from app.results import service
from app.results.models import ContractPayment
from app.results.schemas import CorrectionIn, PaymentIn
from tests.conftest import NOW, post_form, scratch_database, sign_in
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.factories import Factory
from tests.results.world import AFTER_PERIOD_ONE, build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def _entries(world) -> list[tuple[int, int | None]]:
    rows = await world.make.db.scalars(select(ContractPayment).order_by(ContractPayment.id))
    return [(p.amount_cents, p.corrects_id) for p in rows]


async def _pay(world, amount: int) -> dict:
    response = await world.call(
        "officer", "POST", "/payments", json={"period": 1, "amount_cents": amount}
    )
    assert response.status_code == 201, response.text
    return response.json()["payments"][-1]


def _fixed(world) -> int:
    return world.contract.fixed_schedule()[0].amount_cents


async def test_a_payment_taken_back_stays_recorded_beside_its_correction(world):
    fixed = _fixed(world)
    payment = await _pay(world, fixed)
    response = await world.call(
        "officer",
        "POST",
        f"/payments/{payment['id']}/correct",
        json={"amount_cents": 0, "reason": "Dubbel geboekt; niet betaald."},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    original, correction = body["payments"]
    assert original["amount_cents"] == fixed and original["net_cents"] == 0
    assert original["corrected_by"] == [correction["id"]] and original["corrects"] is None
    assert correction["amount_cents"] == -fixed and correction["corrects"] == payment["id"]
    assert correction["reason"] == "Dubbel geboekt; niet betaald."
    assert correction["net_cents"] is None and correction["period"] == 1
    first = body["periods"][0]
    assert (first["paid_cents"], first["open_cents"]) == (0, fixed)
    assert (body["paid_cents"], body["open_cents"]) == (0, fixed)
    assert await _entries(world) == [(fixed, None), (-fixed, payment["id"])]
    event = await world.make.db.scalar(
        select(AuditEvent).where(AuditEvent.action == "payment.corrected")
    )
    assert event.data["corrects"] == payment["id"] and event.data["amount_cents"] == -fixed
    assert event.data["corrected_to_cents"] == 0
    assert event.data["reason"] == "Dubbel geboekt; niet betaald."


async def test_a_payment_corrected_up_to_what_is_open_and_no_further(world):
    fixed = _fixed(world)
    payment = await _pay(world, fixed - 500)
    url = f"/payments/{payment['id']}/correct"
    beyond = await world.call(
        "officer", "POST", url, json={"amount_cents": fixed + 1, "reason": "Typfout"}
    )
    assert beyond.status_code == 422, beyond.text
    assert "open" in beyond.json()["errors"]["amount_cents"]
    up = await world.call("officer", "POST", url, json={"amount_cents": fixed, "reason": "Typfout"})
    assert up.status_code == 201, up.text
    assert up.json()["periods"][0]["open_cents"] == 0
    assert up.json()["payments"][0]["net_cents"] == fixed
    # A new payment for the period now finds nothing open.
    more = await world.call("officer", "POST", "/payments", json={"period": 1, "amount_cents": 1})
    assert more.status_code == 422


async def test_a_second_correction_counts_from_the_first(world):
    payment = await _pay(world, 10_000)
    url = f"/payments/{payment['id']}/correct"
    first = await world.call("officer", "POST", url, json={"amount_cents": 6_000, "reason": "a"})
    second = await world.call("officer", "POST", url, json={"amount_cents": 7_500, "reason": "b"})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert await _entries(world) == [
        (10_000, None),
        (-4_000, payment["id"]),
        (1_500, payment["id"]),
    ]
    assert second.json()["payments"][0]["net_cents"] == 7_500
    assert second.json()["periods"][0]["paid_cents"] == 7_500


@pytest.mark.parametrize(
    "who", ["lead", "partner", "auditor", "admin", "other_officer", "outsider"]
)
async def test_only_the_owners_officers_correct_payments(world, who):
    payment = await _pay(world, 1_000)
    response = await world.call(
        who, "POST", f"/payments/{payment['id']}/correct", json={"amount_cents": 0, "reason": "x"}
    )
    assert response.status_code == 403, response.text
    assert await _entries(world) == [(1_000, None)]


async def test_anonymous_callers_sign_in_to_correct(world):
    payment = await _pay(world, 1_000)
    response = await world.call(
        "nobody",
        "POST",
        f"/payments/{payment['id']}/correct",
        json={"amount_cents": 0, "reason": "x"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize("who", ["officer", "other_officer"])
async def test_an_unknown_payment_is_not_found_before_any_refusal(world, who):
    await _pay(world, 1_000)
    response = await world.call(
        who, "POST", "/payments/999999/correct", json={"amount_cents": 0, "reason": "x"}
    )
    assert response.status_code == 404, response.text
    assert await _entries(world) == [(1_000, None)]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"amount_cents": 0}, "reason", "verplicht"),
        ({"amount_cents": 0, "reason": "   "}, "reason", "verplicht"),
        ({"amount_cents": -1, "reason": "x"}, "amount_cents", "nul of meer"),
        ({"amount_cents": 1_000, "reason": "x"}, "amount_cents", "staat al"),
        ({"amount_cents": "veel", "reason": "x"}, "amount_cents", "heel getal"),
        ({"reason": "x"}, "amount_cents", "verplicht"),
    ],
)
async def test_bad_corrections_are_refused_with_a_clear_message(world, body, field, words):
    payment = await _pay(world, 1_000)
    response = await world.call("officer", "POST", f"/payments/{payment['id']}/correct", json=body)
    assert response.status_code == 422, response.text
    assert words in response.json()["errors"][field].lower()
    assert await _entries(world) == [(1_000, None)]


async def test_taking_back_twice_is_refused_and_nothing_is_lost(world):
    payment = await _pay(world, 1_000)
    url = f"/payments/{payment['id']}/correct"
    ok = await world.call("officer", "POST", url, json={"amount_cents": 0, "reason": "Fout"})
    again = await world.call("officer", "POST", url, json={"amount_cents": 0, "reason": "Fout"})
    assert ok.status_code == 201 and again.status_code == 422, again.text
    assert "0,00" in again.json()["errors"]["amount_cents"]
    below = await world.call("officer", "POST", url, json={"amount_cents": -1_000, "reason": "x"})
    assert below.status_code == 422
    assert await _entries(world) == [(1_000, None), (-1_000, payment["id"])]


async def test_a_correction_is_not_itself_corrected(world):
    payment = await _pay(world, 1_000)
    made = await world.call(
        "officer",
        "POST",
        f"/payments/{payment['id']}/correct",
        json={"amount_cents": 0, "reason": "x"},
    )
    correction = made.json()["payments"][1]["id"]
    response = await world.call(
        "officer",
        "POST",
        f"/payments/{correction}/correct",
        json={"amount_cents": 0, "reason": "y"},
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "payment_is_correction"
    assert str(payment["id"]) in response.json()["detail"]
    assert len(await _entries(world)) == 2


@pytest.mark.parametrize(
    "statement",
    ["UPDATE contract_payments SET amount_cents = 1", "DELETE FROM contract_payments"],
)
async def test_the_database_refuses_to_change_a_recorded_payment(world, statement):
    await _pay(world, 1_000)
    db = world.make.db
    nested = await db.begin_nested()
    with pytest.raises((DBAPIError, IntegrityError)) as refused:
        await db.execute(text(statement))
    await nested.rollback()
    assert "append-only" in str(refused.value)
    assert await _entries(world) == [(1_000, None)]


# --- on the contract page ----------------------------------------------------------------------


def _page(world) -> str:
    return f"/contracts/{world.contract.id}"


async def test_the_officer_corrects_on_the_page_and_everyone_sees_it(client, world):
    payment = await _pay(world, 2_000)
    client.cookies.clear()
    await sign_in(client, world.users["officer"].email)
    text_ = (await client.get(_page(world))).text
    assert 'id="s-correction-form"' in text_
    assert f'<option value="{payment["id"]}"' in text_
    bad = await post_form(
        client,
        _page(world) + "/payments/corrections",
        {
            "correction_payment": str(payment["id"]),
            "correction_amount": "veel",
            "correction_reason": "",
        },
        page=_page(world),
    )
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.text
    assert 'href="#f-correction_amount"' in bad.text and 'href="#f-correction_reason"' in bad.text
    assert 'id="f-correction_amount"' in bad.text and 'value="veel"' in bad.text
    negative = await post_form(
        client,
        _page(world) + "/payments/corrections",
        {
            "correction_payment": str(payment["id"]),
            "correction_amount": "-5",
            "correction_reason": "Fout",
        },
        page=_page(world),
    )
    assert negative.status_code == 422 and "nul of meer" in negative.text
    assert 'value="-5"' in negative.text and ">Fout</textarea>" in negative.text
    assert await _entries(world) == [(2_000, None)]
    ok = await post_form(
        client,
        _page(world) + "/payments/corrections",
        {
            "correction_payment": str(payment["id"]),
            "correction_amount": "12,50",
            "correction_reason": "Bedrag verkeerd overgenomen.",
        },
        page=_page(world),
    )
    assert ok.status_code == 303, ok.text
    assert await _entries(world) == [(2_000, None), (-750, payment["id"])]
    client.cookies.clear()
    public = (await client.get(_page(world))).text
    assert "Bedrag verkeerd overgenomen." in public and "Correctie van betaling" in public
    assert 'id="s-correction-form"' not in public


@pytest.mark.parametrize("who", ["lead", "auditor", "other_officer"])
async def test_others_get_no_correction_form_and_are_refused(client, world, who):
    payment = await _pay(world, 2_000)
    client.cookies.clear()
    await sign_in(client, world.users[who].email)
    assert 'id="s-correction-form"' not in (await client.get(_page(world))).text
    response = await post_form(
        client,
        _page(world) + "/payments/corrections",
        {
            "correction_payment": str(payment["id"]),
            "correction_amount": "0",
            "correction_reason": "x",
        },
        page=_page(world),
    )
    assert response.status_code == 403
    assert await _entries(world) == [(2_000, None)]


async def test_the_form_names_a_missing_payment(client, world):
    await _pay(world, 2_000)
    client.cookies.clear()
    await sign_in(client, world.users["officer"].email)
    response = await post_form(
        client,
        _page(world) + "/payments/corrections",
        {"correction_payment": "", "correction_amount": "0", "correction_reason": "x"},
        page=_page(world),
    )
    assert response.status_code == 422 and 'href="#f-correction_payment"' in response.text


# --- two corrections at the same moment --------------------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("corrections", tmp_path_factory.mktemp("corrections")) as url:
        upgrade(url)
        yield url


async def _attempt(sessions, user, step) -> str:
    async with sessions() as db:
        ctx = Context(db=db, user=user, now=AFTER_PERIOD_ONE)
        try:
            await step(ctx)
            await db.commit()
            return "done"
        except DomainError as refused:
            await db.rollback()
            return refused.code


async def test_two_corrections_at_once_take_the_payment_back_once(database):
    """Both officers take the same payment back; each in a transaction of its own that commits.
    The contract's row is held until commit, so the second reads the first's correction."""
    engine = create_engine(normalise_database_url(database))
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db:
            make = Factory(db, FrozenClock(NOW))
            municipality = await make.org(OrganisationKind.municipality)
            officers = [await make.user(Role.policy_officer, org=municipality) for _ in range(2)]
            lead = await make.user(Role.provider_member)
            challenge = await closed_challenge(make, officers[0])
            winner = await submitted(make, challenge, lead)
            past_the_deadline(make, challenge)
            made = await contracts.make_contract(
                make.ctx(officers[0]), challenge.id, winner.public_id
            )
            contract = await search.get_contract(make.ctx(None), made.id)
            ctx = Context(db=db, user=officers[0], now=AFTER_PERIOD_ONE)
            payment = await service.record_payment(
                ctx, contract.id, PaymentIn(period=1, amount_cents=5_000)
            )
            await db.commit()

        outcomes = await asyncio.gather(
            *(
                _attempt(
                    sessions,
                    officer,
                    lambda ctx: service.correct_payment(
                        ctx, contract.id, payment.id, CorrectionIn(amount_cents=0, reason="Fout")
                    ),
                )
                for officer in officers
            )
        )
        assert sorted(outcomes) == ["done", "validation_error"], outcomes
        async with sessions() as db:
            rows = (await db.scalars(select(ContractPayment).order_by(ContractPayment.id))).all()
            paid = await db.scalar(select(func.sum(ContractPayment.amount_cents)))
        assert [(p.amount_cents, p.corrects_id) for p in rows] == [
            (5_000, None),
            (-5_000, payment.id),
        ]
        assert paid == 0
    finally:
        await engine.dispose()
