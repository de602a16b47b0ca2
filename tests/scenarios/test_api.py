"""Cut scenarios through the API: saved on the portfolio as it stands, read back as JSON, CSV,
XLSX and the memo's PDF; who may do what, from both sides; bad input refused, nothing saved."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.scenarios.models import CutScenarioRecord
from tests.scenarios.world import FAMILIES, build

PAST_PERIOD_TWO = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # period 2 ended on 28 February


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


def ten_percent(world, **extra) -> dict:
    return {"name": "Bezuiniging 2027: 10%", "saving_percentage": "10", **extra}


async def _saved(world) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(CutScenarioRecord))


async def _create(world, body=None, who="officer") -> dict:
    response = await world.call(who, "POST", "/api/v1/scenarios", json=body or ten_percent(world))
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_officer_saves_a_scenario_on_the_portfolio(world):
    body = await _create(world)
    assert body["name"] == "Bezuiniging 2027: 10%" and body["saving_percentage"] == "10"
    pupils, families = body["contracts"]
    assert (pupils["contract_id"], families["contract_id"]) == (world.pupils, world.families)
    total = pupils["budget_cents"] + families["budget_cents"]
    assert body["total_budget_cents"] == total and body["saving_cents"] == total // 10
    # The pupils' contract achieves least per euro: the results-based cut takes it all there.
    assert not pupils["estimated"] and families["estimated"]
    assert pupils["results_based"]["cut_cents"] == total // 10
    assert families["results_based"]["cut_cents"] == 0
    assert body["flat"]["percentage"] == "10.00"
    assert Decimal(body["results_based"]["results_lost"]) < Decimal(body["flat"]["results_lost"])
    assert body["short_cents"] == 0 and body["shortfall"] is None
    assert [g["target_group"] for g in body["target_groups"]] == sorted(
        [world.pupils_group, FAMILIES]
    )
    assert body["created_by"] == world.users["officer"].name
    assert any("evenredig" in text for text in body["assumptions"])
    assert body["unit"] == "euro aan resultaat"
    actions = (await world.make.db.scalars(select(AuditEvent.action))).all()
    assert "scenario.saved" in actions


async def test_a_protected_target_group_loses_nothing(world):
    body = await _create(world, ten_percent(world, protected_target_groups=[world.pupils_group]))
    pupils, families = body["contracts"]
    assert pupils["protected"] and pupils["protected_by_groups"] == [world.pupils_group]
    for cut in ("flat", "results_based"):
        assert pupils[cut]["cut_cents"] == 0
        assert families[cut]["cut_cents"] == body["saving_cents"]


async def test_what_cannot_be_reached_is_saved_and_says_by_how_much(world):
    body = await _create(
        world,
        {
            "name": "Te veel",
            "saving_percentage": "50",
            "protected_contracts": [world.pupils],
            "floors": [{"contract_id": world.families, "floor_cents": 90_000_00}],
        },
    )
    families = body["contracts"][1]
    assert families["flat"]["cut_cents"] == families["budget_cents"] - 90_000_00
    assert body["short_cents"] == body["saving_cents"] - families["flat"]["cut_cents"]
    assert body["short_cents"] > 0 and "tekort" in body["shortfall"].lower()


async def test_the_saved_scenario_reads_back_the_same_after_new_results(world):
    """A report accepted later changes the portfolio, never a saved scenario."""
    saved = await _create(world)
    world.results.at(PAST_PERIOD_TWO)
    report = await world.results.submit(period=2, value=61)
    accepted = await world.results.call("officer", "POST", f"/reports/{report['id']}/accept")
    assert accepted.status_code == 200
    later = await _create(world, ten_percent(world, name="Later"))
    assert later["contracts"][0]["expected_results"] != saved["contracts"][0]["expected_results"]
    again = await world.call("auditor", "GET", f"/api/v1/scenarios/{saved['id']}")
    assert again.status_code == 200
    assert again.json() == saved


@pytest.mark.parametrize("who", ["officer", "auditor", "admin"])
async def test_the_municipality_reads_and_lists_its_scenarios(world, who):
    saved = await _create(world)
    one = await world.call(who, "GET", f"/api/v1/scenarios/{saved['id']}")
    assert one.status_code == 200 and one.json()["id"] == saved["id"]
    listed = await world.call(who, "GET", "/api/v1/scenarios")
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [saved["id"]]
    assert listed.json()["total"] == 1


@pytest.mark.parametrize("who", ["other_officer", "other_auditor", "lead", "partner", "outsider"])
async def test_to_anyone_else_a_scenario_is_not_found(world, who):
    saved = await _create(world)
    for suffix in ("", "?format=csv", "?format=xlsx", "?format=pdf"):
        response = await world.call(who, "GET", f"/api/v1/scenarios/{saved['id']}{suffix}")
        assert response.status_code == 404, (suffix, response.text)
        assert response.json()["code"] == "not_found"


async def test_another_municipality_lists_only_its_own(world):
    await _create(world)
    listed = await world.call("other_officer", "GET", "/api/v1/scenarios")
    assert listed.status_code == 200 and listed.json()["items"] == []


@pytest.mark.parametrize("who", ["lead", "outsider"])
async def test_providers_have_no_scenarios(world, who):
    listed = await world.call(who, "GET", "/api/v1/scenarios")
    assert listed.status_code == 403


@pytest.mark.parametrize("who", ["auditor", "admin", "lead"])
async def test_only_policy_officers_save(world, who):
    response = await world.call(who, "POST", "/api/v1/scenarios", json=ten_percent(world))
    assert response.status_code == 403
    assert await _saved(world) == 0


async def test_anonymous_callers_sign_in(world):
    assert (await world.call("nobody", "GET", "/api/v1/scenarios")).status_code == 401
    response = await world.call("nobody", "POST", "/api/v1/scenarios", json=ten_percent(world))
    assert response.status_code == 401
    assert await _saved(world) == 0


async def test_another_municipality_saves_on_its_own_empty_portfolio(world):
    response = await world.call(
        "other_officer", "POST", "/api/v1/scenarios", json=ten_percent(world)
    )
    assert response.status_code == 409 and response.json()["code"] == "no_contracts"
    assert await _saved(world) == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"saving_amount_cents": -100, "saving_percentage": None},
            "saving_amount_cents",
            "niet negatief",
        ),
        (
            {"saving_amount_cents": 10**12, "saving_percentage": None},
            "saving_amount_cents",
            "groter dan het totale budget",
        ),
        ({"saving_amount_cents": 100}, "saving", "niet allebei"),
        ({"saving_percentage": None}, "saving", "als bedrag of als percentage"),
        ({"saving_percentage": "101"}, "saving_percentage", "tussen 0 en 100"),
        ({"protected_contracts": [999_999]}, "protected_contracts", "geen contract 999999"),
        (
            {"floors": [{"contract_id": 999_999, "floor_cents": 0}]},
            "floors.0.contract_id",
            "999999",
        ),
        ({"theme": "weather"}, "theme", "een van de mogelijkheden"),
        ({"unknown": 1}, "unknown", "onbekend"),
    ],
)
async def test_bad_input_is_a_clear_422_and_nothing_is_saved(world, change, field, words):
    response = await world.call(
        "officer", "POST", "/api/v1/scenarios", json=ten_percent(world, **change)
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert field in errors and words in errors[field].lower(), errors
    assert await _saved(world) == 0


async def test_a_floor_above_the_budget_is_refused(world):
    body = ten_percent(world, floors=[{"contract_id": world.families, "floor_cents": 10**11}])
    response = await world.call("officer", "POST", "/api/v1/scenarios", json=body)
    assert response.status_code == 422
    assert "tussen 0 en zijn budget" in response.json()["errors"]["floors.0.floor_cents"]
    assert await _saved(world) == 0


async def test_an_unknown_scenario_is_not_found(world):
    response = await world.call(
        "officer", "GET", "/api/v1/scenarios/3f0c9a52-8d4e-4b7a-9a61-2c5e0d7f4b18"
    )
    assert response.status_code == 404
    bad = await world.call("officer", "GET", "/api/v1/scenarios/12")
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("how", "media_type"),
    [
        ({"params": {"format": "csv"}}, "text/csv"),
        ({"headers": {"Accept": "text/csv"}}, "text/csv"),
    ],
)
async def test_a_scenario_as_csv(world, how, media_type):
    saved = await _create(world)
    response = await world.call("auditor", "GET", f"/api/v1/scenarios/{saved['id']}", **how)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[:3] == ["Contract", "Naam", "Doelgroepen"]
    pupils = lines[1].split(";")
    assert pupils[0] == str(world.pupils)
    budget = saved["contracts"][0]["budget_cents"]
    assert pupils[5] == f"{budget // 100},{budget % 100:02d}"
    cut = saved["contracts"][0]["results_based"]["cut_cents"]
    assert pupils[9] == f"{cut // 100},{cut % 100:02d}"
    assert any(line.startswith("Aannames") for line in lines)


@pytest.mark.parametrize(
    "how",
    [
        {"params": {"format": "xlsx"}},
        {
            "headers": {
                "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        },
    ],
)
async def test_a_scenario_as_xlsx(world, how):
    saved = await _create(world)
    response = await world.call("officer", "GET", f"/api/v1/scenarios/{saved['id']}", **how)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Contract"
    assert sheet["A2"].value == str(world.pupils)
    budget = saved["contracts"][0]["budget_cents"]
    assert sheet["F2"].value == Decimal(budget) / 100
    assert sheet["J2"].value == Decimal(saved["contracts"][0]["results_based"]["cut_cents"]) / 100


@pytest.mark.parametrize(
    "how", [{"params": {"format": "pdf"}}, {"headers": {"Accept": "application/pdf"}}]
)
async def test_the_council_memo_as_pdf(world, how):
    saved = await _create(world, ten_percent(world, protected_target_groups=[FAMILIES]))
    response = await world.call("officer", "GET", f"/api/v1/scenarios/{saved['id']}", **how)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Memo voor de raad" in text and "Bezuiniging 2027: 10%" in text
    assert world.users["officer"].name in text
    assert "Kaasschaaf" in text and "Resultaatgerichte bezuiniging" in text
    assert "Beschermde doelgroepen: " + FAMILIES in " ".join(text.split())
    assert reader.metadata.author == world.users["officer"].name


async def test_the_list_is_paged(world):
    for n in range(3):
        await _create(world, ten_percent(world, name=f"Scenario {n}"))
    page = await world.call(
        "officer", "GET", "/api/v1/scenarios", params={"per_page": 2, "page": 2}
    )
    body = page.json()
    assert (body["total"], body["pages"], body["page"]) == (3, 2, 2)
    assert len(body["items"]) == 1
