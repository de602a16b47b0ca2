"""The results on the contract page: the lead's report form, the officer's accept and query
forms, charts with their tables, payments, and the signals page; errors named, text kept."""

import re

import pytest
from sqlalchemy import func, select

from app.results.models import ContractPayment, ResultReport
from tests.conftest import csrf, post_form, sign_in
from tests.documents.samples import make_pdf
from tests.results.world import build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


def page(world) -> str:
    return f"/contracts/{world.contract.id}"


async def as_user(client, world, who):
    client.cookies.clear()
    await sign_in(client, world.users[who].email)


async def _count(world, model=ResultReport) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(model))


def report_form(world, **overrides) -> dict:
    key = world.indicator_id
    return {
        "period": "1",
        f"value-{key}": "30,5",
        f"people-{key}": "12",
        "narrative": "Twaalf leerlingen terug.",
        "signal_theme-1": "rules_gap",
        "signal_text-1": "De leerplichtwet kent geen tussenvorm.",
        **overrides,
    }


async def test_the_public_sees_charts_tables_and_payments_but_no_reports(client, world):
    response = await client.get(page(world))
    assert response.status_code == 200
    assert 'role="img"' in response.text and "<desc" in response.text
    assert 'id="results"' in response.text and 'id="payments"' in response.text
    assert 'id="reports"' not in response.text
    assert "/payments" not in re.findall(r'action="([^"]+)"', response.text)


async def test_the_public_page_withholds_a_value_about_fewer_than_5_people(client, world):
    report = await world.submit(value=37.25, people=3)
    await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    public = (await client.get(page(world))).text
    assert "37,25" not in public and "niet getoond: minder dan 5 personen" in public
    await as_user(client, world, "officer")
    own = (await client.get(page(world))).text
    assert "37,25" in own and "niet getoond" not in own


async def test_the_lead_submits_through_the_form_with_evidence(client, world):
    await as_user(client, world, "lead")
    text = (await client.get(page(world))).text
    assert 'id="s-report-form"' in text and "Accept version" not in text
    token = await csrf(client, page(world))
    response = await client.post(
        page(world) + "/reports",
        data={**report_form(world), "csrf_token": token},
        files={"file": ("bewijs.pdf", make_pdf("bewijs"), "application/pdf")},
    )
    assert response.status_code == 303, response.text
    report = await world.make.db.scalar(select(ResultReport))
    assert report.version == 1 and report.narrative == "Twaalf leerlingen terug."
    shown = (await client.get(page(world))).text
    assert "bewijs.pdf" in shown and "De leerplichtwet kent geen tussenvorm." in shown


async def test_every_error_at_once_with_the_text_kept(client, world):
    await as_user(client, world, "lead")
    key = world.indicator_id
    bad = report_form(world, **{f"value-{key}": "veel", f"people-{key}": "-3"})
    response = await post_form(client, page(world) + "/reports", bad, page=page(world))
    assert response.status_code == 422
    assert 'id="error-summary"' in response.text
    assert f'id="f-value-{key}"' in response.text and "Vul een getal in." in response.text
    assert "Twaalf leerlingen terug." in response.text  # the narrative is kept
    assert await _count(world) == 0


async def test_the_officer_queries_then_accepts_on_the_page(client, world):
    first = await world.submit()
    await as_user(client, world, "officer")
    text = (await client.get(page(world))).text
    assert f"/reports/{first['id']}/accept" in text and 'id="s-report-form"' not in text
    empty = await post_form(
        client, page(world) + f"/reports/{first['id']}/query", {"question": ""}, page(world)
    )
    assert empty.status_code == 422 and f'id="f-question-{first["id"]}"' in empty.text
    asked = await post_form(
        client,
        page(world) + f"/reports/{first['id']}/query",
        {"question": "Hoe telt u?"},
        page(world),
    )
    assert asked.status_code == 303
    second = await world.submit(value=31, answer="Uit de administratie.")
    accepted = await post_form(
        client, page(world) + f"/reports/{second['id']}/accept", {}, page(world)
    )
    assert accepted.status_code == 303
    text = (await client.get(page(world))).text
    assert "Hoe telt u?" in text and "Uit de administratie." in text


async def test_only_the_lead_posts_the_report_form(client, world):
    await as_user(client, world, "officer")
    response = await post_form(client, page(world) + "/reports", report_form(world), page(world))
    assert response.status_code == 403
    assert await _count(world) == 0


async def test_the_officer_records_a_payment_on_the_page(client, world):
    await as_user(client, world, "officer")
    text = (await client.get(page(world))).text
    assert 'id="s-payment-form"' in text
    bad = await post_form(
        client, page(world) + "/payments", {"period": "1", "amount": "-5"}, page(world)
    )
    assert bad.status_code == 422 and "Een betaling is een bedrag boven nul." in bad.text
    assert 'value="-5"' in bad.text
    made = await post_form(
        client, page(world) + "/payments", {"period": "1", "amount": "1000,00"}, page(world)
    )
    assert made.status_code == 303
    payment = await world.make.db.scalar(select(ContractPayment))
    assert payment.amount_cents == 100_000
    await as_user(client, world, "lead")
    refused = await post_form(
        client, page(world) + "/payments", {"period": "1", "amount": "10"}, page(world)
    )
    assert refused.status_code == 403


async def test_signals_across_contracts_for_the_officer_by_theme(client, world):
    await world.submit(
        signals=[
            {"theme": "trend", "text": "Meer thuiszitters na de zomer."},
            {"theme": "rules_gap", "text": "Geen tussenvorm in de wet."},
        ]
    )
    await as_user(client, world, "officer")
    everything = (await client.get("/signals")).text
    assert "Meer thuiszitters na de zomer." in everything and "Geen tussenvorm" in everything
    trends = (await client.get("/signals", params={"theme": "trend"})).text
    assert "Meer thuiszitters na de zomer." in trends and "Geen tussenvorm" not in trends
    await as_user(client, world, "other_officer")
    assert "Meer thuiszitters" not in (await client.get("/signals")).text
    await as_user(client, world, "lead")
    assert (await client.get("/signals")).status_code == 403
