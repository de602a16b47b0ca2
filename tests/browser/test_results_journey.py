"""A result report from submission to payment, in Chromium, on a server of its own: the lead of
a running demo contract reports on its first open period (a value and people per indicator, a
signal), the policy officer accepts it, the public chart gains its point, the officer records a
payment and reads the signal on the signals page; axe finds nothing on the pages along the way.

Elements are found by ids, names and form actions, never by their (translated) text. The demo's
poor performer, "Eén gezin, één coach", has its first period overdue, its second accepted and
nothing paid (app/demo/results.py), so its lead has a period to report on and its first payment
period is open.
"""

from collections.abc import Iterator

import pytest

from tests.browser.conftest import OFFICER, LiveServer, Pages, serve
from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = pytest.mark.browser

LEAD = "anna@welzijnvoorbeeldstad.nl"  # leads "Eén gezin, één coach", running since months
COALITION = "Eén gezin, één coach"


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory, chromium_path) -> Iterator:
    with serve(tmp_path_factory.mktemp("results-server"), "results") as server:
        yield server


@pytest.fixture
def journey(browser, results_server: LiveServer) -> Iterator[Pages]:
    opened = Pages(browser, results_server)
    yield opened
    opened.close()


def accessible(page, axe_source: str) -> None:
    page.evaluate(axe_source)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert not violations, f"{page.url}:\n{describe(violations)}"


def contract_path(page) -> str:
    page.goto("/contracts")
    card = page.locator("#results .card").filter(has_text=COALITION)
    assert card.count() == 1
    return card.locator("h3 a").get_attribute("href")


def accepted_points(page) -> int:
    return page.locator("svg.indicator-chart g.accepted circle").count()


def test_report_accept_chart_and_payment(journey: Pages, axe_source: str) -> None:
    public = journey.new()
    path = contract_path(public)
    public.goto(path)
    before = accepted_points(public)

    lead = journey.new(user=LEAD)
    lead.goto(path)
    form = lead.locator('form[action$="/reports"]')
    assert form.count() == 1, "the lead has a period to report on"
    for index, field in enumerate(form.locator('input[name^="value-"]').all()):
        field.fill(str(40 + index))
    for field in form.locator('input[name^="people-"]').all():
        field.fill("3")
    lead.fill("#f-narrative", "Het overzicht van het eerste kwartaal, alsnog.")
    lead.select_option("#f-signal_theme-1", "between_stools")
    lead.fill("#f-signal_text-1", "Huishoudens met schulden en jeugdhulp hebben nog twee plannen.")
    with lead.expect_navigation():
        form.locator("button[type=submit]").click()
    assert lead.url.endswith("#reports")
    accessible(lead, axe_source)

    officer = journey.new(user=OFFICER)
    officer.goto(path)
    accept = officer.locator('form[action$="/accept"]')
    assert accept.count() == 1
    accessible(officer, axe_source)
    officer_before = accepted_points(officer)
    with officer.expect_navigation():
        accept.locator("button[type=submit]").click()
    assert officer.locator('form[action$="/accept"]').count() == 0
    assert accepted_points(officer) > officer_before, "the accepted values appear in the chart"

    # Values about 3 people: the public reads the count as <5 and not the value itself.
    public.goto(path)
    assert accepted_points(public) == before
    assert "<5" in public.inner_text("#results")
    assert "niet getoond: minder dan 5 personen" in public.inner_text("#results")
    accessible(public, axe_source)

    officer.goto(path)
    payment = officer.locator('form[action$="/payments"]')
    officer.fill("#f-amount", "100,00")
    with officer.expect_navigation():
        payment.locator("button[type=submit]").click()
    assert officer.url.endswith("#payments")

    officer.goto("/signals?theme=between_stools")
    assert officer.locator("#s-signals").count() == 1
    accessible(officer, axe_source)
    assert not journey.errors, journey.errors
