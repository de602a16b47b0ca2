"""A cut scenario from the form to the council memo, in Chromium, on a server of its own: the
policy officer fills in a saving of 10 %, protects a target group and sets a floor, sees the
flat cut and the results-based cut side by side, and downloads the memo as a PDF; axe finds
nothing on the pages along the way.

Elements are found by ids, names and form actions, never by their (translated) text.
"""

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from tests.browser.conftest import LiveServer, Pages, serve
from tests.browser.test_results_journey import accessible

pytestmark = pytest.mark.browser

OFFICER = "werk@voorbeeldstad.nl"
NAME = "Voorjaarsnota: 7,5% minder"


@pytest.fixture(scope="module")
def scenarios_server(tmp_path_factory: pytest.TempPathFactory, chromium_path) -> Iterator:
    with serve(tmp_path_factory.mktemp("scenarios-server"), "scenarios") as server:
        yield server


@pytest.fixture
def journey(browser, scenarios_server: LiveServer) -> Iterator[Pages]:
    opened = Pages(browser, scenarios_server)
    yield opened
    opened.close()


def test_build_a_scenario_see_both_cuts_and_download_the_memo(
    journey: Pages, axe_source: str, tmp_path
) -> None:
    officer = journey.new(user=OFFICER)
    officer.goto("/scenarios")
    accessible(officer, axe_source)
    form = officer.locator("#new-scenario")
    officer.fill("#f-name", NAME)
    officer.fill("#f-saving_percentage", "7,5")
    form.locator('input[name="protect_group"]').first.check()
    floor = form.locator('input[name^="floor-"]').last
    floor.fill("1.000")
    with officer.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/scenarios/" in officer.url and officer.locator("h1").inner_text() == NAME
    for card in ("#cut-flat", "#cut-results"):
        assert officer.locator(card).count() == 1
    assert officer.locator("table.cuts").count() == 2
    assert officer.locator("table.cuts .badge-protected").count() >= 1
    accessible(officer, axe_source)

    with officer.expect_download() as waiting:
        officer.locator("#memo-pdf").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert NAME in text and "Memo voor de raad" in text

    officer.goto(officer.url.split("#")[0] + "/memo")
    assert officer.locator("h1").count() == 1
    accessible(officer, axe_source)
    officer.emulate_media(media="print")
    assert not officer.locator("header.top").is_visible(), "no menu on paper"
    assert not journey.errors, journey.errors
