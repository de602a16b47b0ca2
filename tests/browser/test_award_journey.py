"""From the committee's last scores to a contract, in Chromium, on a server of its own (the clock
moves): the policy officer adds a colleague to the committee with a reason, the colleague declares
and scores every proposal, the last evaluator finishes, both submit, the chair records the
requirements and the consensus, the officer sends the award decision, the standstill passes, the
contract is made; axe finds nothing on the pages along the way.

Elements are found by ids, names and form actions, never by their (translated) text.
"""

import re
import time
from collections.abc import Iterator

import pytest

from app.demo.evaluation import AMRANI, CHAIR
from tests.browser.conftest import OFFICER, LiveServer, Pages, cli, serve, sign_in
from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = pytest.mark.browser

DETENTION = "detentie"  # in the title of the demo challenge being evaluated
COLLEAGUE = "werk@voorbeeldstad.nl"
COLLEAGUE_NAME = "Joost de Vries"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory, chromium_path) -> Iterator:
    with serve(tmp_path_factory.mktemp("journey-server"), "journey") as server:
        yield server


@pytest.fixture
def journey(browser, journey_server: LiveServer) -> Iterator[Pages]:
    opened = Pages(browser, journey_server)
    yield opened
    opened.close()


def accessible(page, axe_source: str) -> None:
    page.evaluate(axe_source)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert not violations, f"{page.url}:\n{describe(violations)}"


def submit(page, action_end: str) -> None:
    with page.expect_navigation():
        page.click(f'form[action$="{action_end}"] button[type=submit]')


def detention(page) -> str:
    """The path of the demo challenge in evaluation, found through the public list."""
    page.goto("/challenges?status=closed")
    link = page.locator("#results .card h3 a").filter(has_text=DETENTION)
    assert link.count() == 1
    return link.get_attribute("href")


def add_to_committee(page, base: str, axe_source: str) -> None:
    """Scoring has begun, so the officer's change needs a reason; it is kept in the history."""
    page.goto(base)
    with page.expect_navigation():
        page.click(f'#evaluation-links a[href="{base}/committee"]')
    label = page.locator('label[for^="f-evaluator-"]').filter(has_text=COLLEAGUE_NAME)
    page.check(f"#{label.get_attribute('for')}")
    submit(page, "/committee")
    assert page.locator("#error-summary a[href='#f-reason']").count() == 1
    page.fill("#f-reason", "Een tweede beoordelaar van de gemeente, die werk en inkomen kent.")
    submit(page, "/committee")
    assert page.locator("#error-summary").count() == 0
    assert COLLEAGUE_NAME in page.locator("main").inner_text()
    accessible(page, axe_source)


def declare(page, base: str, axe_source: str) -> None:
    """The newcomer finds the evaluation in the menu; a conflict without an explanation comes
    back named, then no conflict on either proposal."""
    page.click('nav a[href="/evaluations"]')
    page.wait_for_url("**/evaluations")
    with page.expect_navigation():
        page.click(f'#seats a[href="{base}/evaluation"]')
    assert page.locator('a[href*="/evaluation/proposals/"]').count() == 0  # nothing before
    radios = page.locator('input[type=radio][name^="conflict-"][value="yes"]')
    assert radios.count() == 2
    radios.first.check()
    page.locator('input[type=radio][name^="conflict-"][value="no"]').last.check()
    submit(page, "/evaluation/declarations")
    assert page.locator("#error-summary").count() == 1
    accessible(page, axe_source)
    page.locator('input[type=radio][name^="conflict-"][value="no"]').first.check()
    submit(page, "/evaluation/declarations")
    assert page.locator("#done").count() == 1
    assert re.search(r"\b0\D+6\b", page.locator("#progress").inner_text())


def finish_scoring(page, base: str, axe_source: str, done: int) -> None:
    """Open the evaluation from the challenge page, give every missing score with reasons."""
    page.goto(base)
    with page.expect_navigation():
        page.click(f'#evaluation-links a[href="{base}/evaluation"]')
    assert re.search(rf"\b{done}\D+6\b", page.locator("#progress").inner_text())
    accessible(page, axe_source)
    proposals = [
        href
        for href in page.eval_on_selector_all(
            'a[href*="/evaluation/proposals/"]', "links => links.map(a => a.getAttribute('href'))"
        )
        if not href.endswith("/consensus")
    ]
    assert len(proposals) == 2
    for href in proposals:
        page.goto(href)
        scores = page.locator('select[name^="score-"]')
        for index in range(scores.count()):
            select = scores.nth(index)
            if select.input_value() == "":
                select.select_option("7")
                reason = select.get_attribute("name").replace("score-", "rationale-")
                page.fill(f'textarea[name="{reason}"]', "Concreet plan met de wijkagent erbij.")
        accessible(page, axe_source)
        submit(page, href)
        assert page.locator("#done").count() == 1
    page.goto(f"{base}/evaluation")
    assert re.search(r"\b6\D+6\b", page.locator("#progress").inner_text())
    page.check("#f-confirm")
    submit(page, "/evaluation/submit")
    assert page.locator("#done").count() == 1
    assert page.locator('form[action$="/evaluation/submit"]').count() == 0


def agree(page, base: str, axe_source: str) -> None:
    """The chair: every requirement met, a consensus per criterion, for both proposals."""
    page.goto(f"{base}/evaluation")
    links = page.eval_on_selector_all(
        'a[href$="/consensus"]', "links => links.map(a => a.getAttribute('href'))"
    )
    # The chair judges both proposals (not recused from either).
    assert len(links) == 2
    for href in links:
        page.goto(href)
        assert page.locator("#waiting").count() == 0  # everyone who judges it has submitted
        accessible(page, axe_source)
        met = page.locator('input[type=radio][name^="passed-"][value="yes"]')
        for index in range(met.count()):
            met.nth(index).check()
        submit(page, href.replace("/consensus", "/requirements"))
        scores = page.locator('select[name^="score-"]')
        for index in range(scores.count()):
            select = scores.nth(index)
            select.select_option("8" if "start" in href else "6")
            reason = select.get_attribute("name").replace("score-", "rationale-")
            page.fill(f'textarea[name="{reason}"]', "Besproken in de commissie op 3 november.")
        submit(page, href)
        assert page.locator("#done").count() == 1
        assert re.search(r"\d", page.locator("#standing").inner_text())  # a weighted total


def test_the_committee_finishes_the_officer_awards_and_the_contract_follows(
    journey: Pages, journey_server: LiveServer, axe_source: str
) -> None:
    page = journey.new()
    base = detention(page)

    officer = journey.new(user=OFFICER)
    add_to_committee(officer, base, axe_source)
    colleague = journey.new(user=COLLEAGUE)
    declare(colleague, base, axe_source)
    finish_scoring(colleague, base, axe_source, done=0)
    finish_scoring(journey.new(user=AMRANI), base, axe_source, done=4)
    agree(journey.new(user=CHAIR), base, axe_source)

    officer.goto(f"{base}/award")
    assert officer.locator("table caption").count() == 1  # the ranking to decide on
    officer.fill("#f-reasons", "Het voorstel met de hoogste gewogen score op kwaliteit.")
    submit(officer, "/award")
    assert officer.locator("#s-decision").count() == 1
    assert officer.locator('form[action$="/contract"]').count() == 0  # in the standstill
    accessible(officer, axe_source)

    cli(journey_server, "clock", "advance", "21d")
    sign_in(officer, OFFICER)  # three weeks on, the session has expired
    # The server reads the demo clock's offset again after at most two seconds.
    deadline = time.monotonic() + 10
    while officer.locator('form[action$="/contract"]').count() == 0:
        assert time.monotonic() < deadline, "the standstill did not end for the server"
        time.sleep(0.5)
        officer.goto(f"{base}/award")
    submit(officer, "/contract")
    assert re.search(r"/contracts/\d+$", officer.url), officer.url
    accessible(officer, axe_source)

    # The public sees the contract on the challenge page.
    page.goto(base)
    assert page.locator("#contract").count() == 1
    assert not journey.errors, journey.errors
