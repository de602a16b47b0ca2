"""The scenario pages: the form (every error at once, what was typed kept), a saved scenario
with both cuts side by side, the comparison, the council memo and the downloads."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.scenarios.models import CutScenarioRecord
from tests.conftest import post_form, sign_in
from tests.scenarios.world import FAMILIES, build

UUID_PATH = re.compile(r"^/scenarios/([0-9a-f-]{36})$")


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def as_user(client, world, who):
    client.cookies.clear()
    await sign_in(client, world.users[who].email)


async def _saved(world) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(CutScenarioRecord))


def form(world, **overrides) -> dict:
    return {
        "name": "Bezuiniging 2027: 10%",
        "saving_amount": "",
        "saving_percentage": "10",
        "protect_group": FAMILIES,
        "theme": "",
        "target_group": "",
        **overrides,
    }


async def _create(client, world, **overrides) -> str:
    response = await post_form(client, "/scenarios", form(world, **overrides), page="/scenarios")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_the_officer_finds_the_form_with_every_contract_and_group(client, world):
    await as_user(client, world, "officer")
    page = await client.get("/scenarios")
    assert page.status_code == 200
    html = page.text
    assert "Nieuw scenario" in html and "Nog geen scenario's opgeslagen." in html
    assert f'name="floor-{world.pupils}"' in html and f'name="floor-{world.families}"' in html
    assert f'value="{FAMILIES}"' in html
    assert 'href="/scenarios"' in html  # the menu


async def test_a_scenario_is_saved_and_shows_both_cuts_side_by_side(client, world):
    await as_user(client, world, "officer")
    location = await _create(client, world)
    assert UUID_PATH.match(location)
    assert await _saved(world) == 1
    page = await client.get(location)
    assert page.status_code == 200
    html = page.text
    assert "Bezuiniging 2027: 10%" in html
    assert "Kaasschaaf (gelijk percentage)" in html and "Resultaatgerichte bezuiniging" in html
    assert "beschermd" in html and "Aannames" in html and "evenredig" in html
    for link in ("/memo", "/memo.pdf", "/scenario.csv", "/scenario.xlsx"):
        assert f'href="{location}{link}"' in html
    listed = await client.get("/scenarios")
    assert f'href="{location}"' in listed.text


async def test_every_error_is_shown_at_once_and_what_was_typed_is_kept(client, world):
    await as_user(client, world, "officer")
    response = await post_form(
        client,
        "/scenarios",
        form(
            world,
            name="",
            saving_amount="veel",
            saving_percentage="",
            **{f"floor-{world.families}": "te weinig", f"floor-{world.pupils}": "99999999"},
            protect=str(world.pupils),
        ),
        page="/scenarios",
    )
    assert response.status_code == 422
    html = response.text
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#f-name"' in summary and "verplicht" in summary
    assert 'href="#f-saving_amount"' in summary and "150.000" in summary
    assert f'href="#f-floor-{world.families}"' in summary
    assert f'href="#f-floor-{world.pupils}"' in summary and "tussen 0 en zijn budget" in summary
    assert 'value="veel"' in html and 'value="te weinig"' in html and 'value="99999999"' in html
    assert f'id="p-{world.pupils}" name="protect" value="{world.pupils}" checked' in html
    assert 'aria-invalid="true"' in html
    assert await _saved(world) == 0


async def test_both_an_amount_and_a_percentage_is_refused(client, world):
    await as_user(client, world, "officer")
    response = await post_form(
        client, "/scenarios", form(world, saving_amount="150.000"), page="/scenarios"
    )
    assert response.status_code == 422
    assert "niet allebei" in response.text and 'value="150.000"' in response.text
    assert await _saved(world) == 0


async def test_a_negative_saving_says_so(client, world):
    await as_user(client, world, "officer")
    response = await post_form(
        client,
        "/scenarios",
        form(world, saving_amount="-5.000", saving_percentage=""),
        page="/scenarios",
    )
    assert response.status_code == 422 and "niet negatief" in response.text
    assert await _saved(world) == 0


async def test_a_filter_narrows_the_contracts(client, world):
    await as_user(client, world, "officer")
    page = await client.get("/scenarios", params={"target_group": FAMILIES})
    assert f'name="floor-{world.families}"' in page.text
    assert f'name="floor-{world.pupils}"' not in page.text
    location = await _create(client, world, target_group=FAMILIES, protect_group="")
    detail = await client.get(location)
    assert detail.status_code == 200 and FAMILIES in detail.text


@pytest.mark.parametrize("who", ["auditor", "admin"])
async def test_auditors_and_admins_read_but_get_no_form(client, world, who):
    await as_user(client, world, "officer")
    location = await _create(client, world)
    await as_user(client, world, who)
    listed = await client.get("/scenarios")
    assert listed.status_code == 200
    assert f'href="{location}"' in listed.text and "Nieuw scenario" not in listed.text
    assert (await client.get(location)).status_code == 200
    refused = await post_form(client, "/scenarios", form(world), page="/scenarios")
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["other_officer", "other_auditor", "lead"])
async def test_to_anyone_else_the_pages_of_a_scenario_do_not_exist(client, world, who):
    await as_user(client, world, "officer")
    location = await _create(client, world)
    await as_user(client, world, who)
    for suffix in ("", "/memo", "/memo.pdf", "/scenario.csv", "/scenario.xlsx"):
        assert (await client.get(location + suffix)).status_code == 404, suffix


async def test_providers_have_no_scenario_pages(client, world):
    await as_user(client, world, "lead")
    assert (await client.get("/scenarios")).status_code == 403
    assert 'href="/scenarios"' not in (await client.get("/contracts")).text


async def test_the_memo_is_printable_and_its_pdf_says_the_same(client, world):
    await as_user(client, world, "officer")
    location = await _create(client, world)
    page = await client.get(location + "/memo")
    assert page.status_code == 200
    html = page.text
    officer = world.users["officer"].name
    assert "Memo voor de raad" in html and officer in html and "Beschermde doelgroepen" in html
    pdf = await client.get(location + "/memo.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    for expected in (
        "Memo voor de raad",
        "Bezuiniging 2027: 10%",
        officer,
        "Per contract",
        "Per doelgroep",
        "Aannames",
        "Beschermde doelgroepen: " + FAMILIES,
    ):
        assert expected in text, expected


async def test_the_downloads(client, world):
    await as_user(client, world, "officer")
    location = await _create(client, world)
    csv = await client.get(location + "/scenario.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff".encode()) and b";" in csv.content
    xlsx = await client.get(location + "/scenario.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


async def test_two_scenarios_compared(client, world):
    await as_user(client, world, "officer")
    first = await _create(client, world)
    second = await _create(client, world, name="Twintig procent", saving_percentage="20")
    chooser = await client.get("/scenarios/compare")
    assert chooser.status_code == 200 and "Twintig procent" in chooser.text
    a, b = first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]
    page = await client.get("/scenarios/compare", params={"a": a, "b": b})
    assert page.status_code == 200
    assert "Bezuiniging 2027: 10%" in page.text and "Twintig procent" in page.text
    assert page.text.count('<th scope="row">') >= 2 + 7
    await as_user(client, world, "other_officer")
    hidden = await client.get("/scenarios/compare", params={"a": a, "b": b})
    assert hidden.status_code == 404
