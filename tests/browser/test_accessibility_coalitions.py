"""axe-core finds nothing on the coalition and proposal pages, on a desktop and (some) on a phone.

The pages are the demo's: coalitions on the open challenge (sealed) and on closed ones (opened).
Nothing here changes the demo data, so the journey test can run before or after.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OFFICER, PROVIDER
from tests.browser.test_accessibility import Case, assert_accessible, params

pytestmark = pytest.mark.browser

LEAD = "petra@rivierenland.nl"  # lead of "Samen terug naar school", submitted twice
INVITED = "bert@vandijk.nl"  # invited to "Schuldenvrij leren", not answered
UNSUBMITTED_LEAD = "ruud@schuldhulpsamen.nl"  # lead of "Schuldenvrij leren": an empty draft
CLOSED_LEAD = "karim@jeugdhulpdebrug.nl"  # lead of "Nieuwe start", on a closed challenge
OPEN_TITLE = "Thuiszitters terug naar school"
CLOSED_TITLE = "Jongeren na detentie"


def coalition_url(page, name: str) -> str:
    """The coalition's page, found on "My coalitions" as its member would find it."""
    page.goto("/coalitions")
    link = page.locator("main h3 a", has_text=name)
    assert link.count() == 1, f"{name} is not on My coalitions"
    return link.get_attribute("href")


def goto(path: str) -> Callable:
    def go(page) -> None:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"

    return go


def coalition(name: str, suffix: str = "") -> Callable:
    def go(page) -> None:
        url = coalition_url(page, name) + suffix
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"

    return go


def invite_search(page) -> None:
    """The lead searches with htmx: results replace only their region, then are checked."""
    coalition("Samen terug naar school")(page)
    page.fill("#f-q", "Welzijn")
    with page.expect_response(lambda r: "q=Welzijn" in r.url):
        page.click('#invite button[type="submit"]')
    expect(page.locator("#invite-status")).not_to_be_empty()
    assert page.locator('#invite_results form[action$="/invitations"]').count() > 0


def proposal_with_error(page) -> None:
    coalition("Schuldenvrij leren", "/proposal")(page)
    page.fill("#f-approach", "Een eerste opzet.")
    page.locator('input[name^="budget-"]').first.fill("veel geld")
    with page.expect_navigation() as navigation:
        page.click("button[name=action][value=save]")
    assert navigation.value.status == 422
    assert page.locator("#error-summary").count() == 1
    assert page.locator('input[name^="budget-"][aria-invalid=true]').count() == 1
    targets = page.eval_on_selector_all(
        "#error-summary a",
        "links => links.map(a => [a.hash, !!document.getElementById(a.hash.slice(1))])",
    )
    assert targets and all(found for _, found in targets), targets


def start_with_error(page) -> None:
    """The start form on a page of its own, shown again with the error (no name given)."""
    page.goto("/challenges?status=open")
    href = page.locator("#results .card h3 a", has_text=OPEN_TITLE).get_attribute("href")
    page.goto(f"{href}/coalitions/new")
    with page.expect_navigation() as navigation:
        page.click('form[action$="/coalitions"] button[type=submit]')
    assert navigation.value.status == 422
    assert page.locator("#f-name[aria-invalid=true]").count() == 1


def closed_challenge(page) -> None:
    page.goto("/challenges?status=closed")
    page.locator("#results .card h3 a", has_text=CLOSED_TITLE).click()
    page.wait_for_url("**/challenges/*")


def opening(page) -> None:
    closed_challenge(page)
    with page.expect_navigation():
        page.click('a[href$="/opening"]')
    assert page.locator('main a[href*="/opening/UK-"]').count() > 0


def opened_proposal(page) -> None:
    opening(page)
    with page.expect_navigation():
        page.locator('main a[href*="/opening/UK-"]').first.click()
    assert page.locator("#c-targets").count() == 1


def version(page) -> None:
    coalition("Samen terug naar school", "/receipts")(page)
    with page.expect_navigation():
        page.locator('a[href$="/receipts/1"]').click()


CASES = [
    Case("my-coalitions-invited", goto("/coalitions"), user=INVITED, phone_too=True),
    Case("my-coalitions-joined", goto("/coalitions"), user=PROVIDER),
    Case("coalition-lead", coalition("Samen terug naar school"), user=LEAD, phone_too=True),
    Case("coalition-invited", coalition("Schuldenvrij leren"), user=INVITED),
    Case("coalition-closed", coalition("Nieuwe start"), user=CLOSED_LEAD),
    Case(
        "invite-results-no-js",
        coalition("Samen terug naar school", "?q=Welzijn"),
        user=LEAD,
    ),
    Case("invite-results-htmx", invite_search, user=LEAD),
    Case(
        "proposal-incomplete",
        coalition("Schuldenvrij leren", "/proposal"),
        user=UNSUBMITTED_LEAD,
        phone_too=True,
    ),
    Case("proposal-invalid", proposal_with_error, user=UNSUBMITTED_LEAD, phone_too=True),
    Case(
        "proposal-submitted",
        coalition("Samen terug naar school", "/proposal"),
        user=LEAD,
        phone_too=True,
    ),
    Case("proposal-after-deadline", coalition("Nieuwe start", "/proposal"), user=CLOSED_LEAD),
    Case(
        "receipts",
        coalition("Samen terug naar school", "/receipts"),
        user=LEAD,
        phone_too=True,
    ),
    Case("version", version, user=LEAD),
    Case("start-invalid", start_with_error, user=PROVIDER),
    Case("detail-closed-officer", closed_challenge, user=OFFICER),
    Case("opening", opening, user=OFFICER, phone_too=True),
    Case("opened-proposal", opened_proposal, user=OFFICER, phone_too=True),
]


@pytest.mark.parametrize(("case", "viewport"), params(CASES))
def test_no_axe_violations(axe_source: str, pages, case: Case, viewport: dict) -> None:
    assert_accessible(axe_source, pages, case, viewport)
