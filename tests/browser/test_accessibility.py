"""axe-core (WCAG 2.1 A and AA) finds nothing on any page, on a desktop and on a phone."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from app.demo.evaluation import AMRANI, CHAIR
from tests.browser.conftest import DESKTOP, OFFICER, PHONE, PROVIDER

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ADMIN = "beheer@voorbeeldstad.nl"
OPEN_CHALLENGE = 1  # the demo's open challenge, with questions, answers and an amendment


def open_by_status(status: str, title_part: str | None = None) -> Callable:
    """The first challenge in the list filtered on status (or the one whose title has a part)."""

    def go(page) -> None:
        page.goto(f"/challenges?status={status}")
        links = page.locator("#results .card h3 a")
        if title_part:
            links = links.filter(has_text=title_part)
        assert links.count() > 0, f"no {status} challenge {title_part or ''} in the list"
        href = links.first.get_attribute("href")
        page.goto(href)

    return go


def filtered_list(page) -> None:
    """A filter applied through the form, so the page is checked after the htmx swap."""
    page.goto("/challenges")
    with page.expect_response(lambda r: "status=closed" in r.url):
        page.select_option("#f-status", "closed")
    page.wait_for_url("**/challenges?*status=closed*")
    expect(page.locator("#results-status")).not_to_be_empty()  # set once htmx has swapped
    cards = page.locator("#results .card")
    assert cards.count() > 0
    assert cards.locator(".badge-closed").count() == cards.count()


def portfolio_filtered(page) -> None:
    """The portfolio filtered on a theme through the form (htmx swaps the results), then sorted
    by a column's link."""
    page.goto("/portfolio")
    with page.expect_response(lambda r: "theme=work" in r.url):
        page.select_option("#f-theme", "work")
    page.wait_for_url("**/portfolio?*theme=work*")
    expect(page.locator("#results-status")).not_to_be_empty()
    assert page.locator("table.portfolio tbody tr").count() >= 1
    with page.expect_response(lambda r: "sort=cost" in r.url):
        page.click("table.portfolio thead a[href*='sort=cost']")
    expect(page.locator("table.portfolio th[aria-sort]")).to_have_count(1)
    assert "sort=cost" in page.url


def portfolio_invalid(page) -> None:
    """An unknown theme in the address: the form says so, the whole portfolio below."""
    response = page.goto("/portfolio?theme=tuinieren")
    assert response.status == 422
    assert page.locator("#error-summary a[href='#f-theme']").count() == 1
    assert page.locator("#f-theme[aria-invalid=true]").count() == 1


def login_error(page) -> None:
    page.goto("/login")
    page.fill("#f-email", "onbekend@example.org")
    page.fill("#f-password", "not-the-password")
    with page.expect_navigation():
        page.click('form[action="/login"] button[type=submit]')
    assert page.locator(".notice-error").count() == 1


def not_found(page) -> None:
    response = page.goto("/bestaat-niet")
    assert response.status == 404


def form_with_error(page) -> None:
    page.goto("/challenges/new")
    page.fill("#f-title", "Een opgave met een fout in het budget")
    page.fill("#f-budget", "abc")
    page.fill("#f-indicators-0-outcome_value", "veel")
    page.fill("#f-scale_min", "5")
    page.fill("#f-scale_max", "2")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator("#error-summary").count() == 1
    assert page.locator("#f-budget[aria-invalid=true]").count() == 1
    # Every entry in the error summary leads to its field.
    targets = page.eval_on_selector_all(
        "#error-summary a",
        "links => links.map(a => [a.hash, !!document.getElementById(a.hash.slice(1))])",
    )
    assert len(targets) >= 3, targets
    assert all(found for _, found in targets), targets


def draft_page(page, suffix: str = "") -> None:
    open_by_status("draft", "Laaggeletterdheid")(page)
    if suffix:
        page.goto(page.url + suffix)


def provider_detail(page) -> None:
    page.goto(f"/challenges/{OPEN_CHALLENGE}")
    assert page.locator("#f-question").count() == 1, "the ask-a-question form is not shown"


def question_too_long(page) -> None:
    """A refused question comes back in its form, kept, with the error next to it."""
    provider_detail(page)
    text = "Mag dit? " + "x" * 5000
    page.fill("#f-question", text)
    with page.expect_navigation() as navigation:
        page.click('form[action$="/questions"] button[type="submit"]')
    assert navigation.value.status == 422
    assert page.locator("#f-question[aria-invalid=true]").input_value() == text
    assert page.locator("#f-question-error").count() == 1


def contract_page(page) -> None:
    """The first contract in the list, with every reporting-period table unfolded."""
    page.goto("/contracts")
    links = page.locator("#results .card h3 a")
    assert links.count() == 3, "the demo's three running challenges have contracts"
    page.goto(links.first.get_attribute("href"))
    page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
    assert page.locator("table caption").count() >= 4


def contract_of(coalition: str, invalid: bool = False) -> Callable:
    """A running contract by its coalition, every table unfolded: the officer's payment form and
    report table, or the lead's report form (sent back with its errors when `invalid`). Every demo
    report is decided, so a version's accept and query forms are not among these pages (the
    results journey checks them); the coaches' lead has an overdue period, so the report form."""

    def go(page) -> None:
        page.goto("/contracts")
        card = page.locator("#results .card").filter(has_text=coalition)
        assert card.count() == 1, f"no contract of {coalition} in the list"
        page.goto(card.locator("h3 a").get_attribute("href"))
        if invalid:
            page.locator('input[name^="value-"]').first.fill("veel")
            with page.expect_navigation() as navigation:
                page.click('form[action$="/reports"] button[type=submit]')
            assert navigation.value.status == 422
            assert page.locator("#error-summary").count() == 1
        page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
        assert page.locator("svg[role=img]").count() >= 1

    return go


def correction_invalid(page) -> None:
    """The officer's correction of a payment sent without a reason: the form with its errors."""
    contract_of("Vrijwillig aan het werk")(page)
    page.fill("#f-correction_amount", "0")
    with page.expect_navigation() as navigation:
        page.click('form[action$="/payments/corrections"] button[type=submit]')
    assert navigation.value.status == 422
    assert page.locator("#f-correction_reason[aria-invalid=true]").count() == 1
    assert page.locator(".badge-sign").count() >= 1


def award_page(page) -> None:
    """Debt help's award decision in its standstill, with the runner-up's open objection."""
    open_by_status("closed", "Schuldhulp")(page)
    response = page.goto(page.url + "/award")
    assert response.status == 200, f"the award page answered {response.status}"
    assert page.locator("table caption").count() == 1


def evaluation_page(title_part: str, which: str = "tasks") -> Callable:
    """A committee member's evaluation pages on a demo challenge: the tasks, the first proposal
    to score, the chair's consensus page, or a score form sent back with an error."""

    def go(page) -> None:
        open_by_status("closed", title_part)(page)
        response = page.goto(page.url + "/evaluation")
        assert response.status == 200, f"the evaluation answered {response.status}"
        if which == "tasks":
            return
        hrefs = page.eval_on_selector_all(
            'a[href*="/evaluation/proposals/"]', "links => links.map(a => a.getAttribute('href'))"
        )
        href = next(h for h in hrefs if h.endswith("/consensus") == (which == "consensus"))
        page.goto(href)
        if which == "invalid":  # a reason without a score comes back, kept, with the error
            select = page.locator('select[name^="score-"]').first
            select.select_option("")
            reason = select.get_attribute("name").replace("score-", "rationale-")
            page.fill(f'textarea[name="{reason}"]', "Nog geen cijfer, wel een gedachte.")
            with page.expect_navigation() as navigation:
                page.click(f'form[action="{href}"] button[type=submit]')
            assert navigation.value.status == 422
            assert page.locator("#error-summary").count() == 1

    return go


def committee_page(title_part: str) -> Callable:
    """A challenge's committee page: members, the history, and for its officers the form."""

    def go(page) -> None:
        open_by_status("closed", title_part)(page)
        response = page.goto(page.url + "/committee")
        assert response.status == 200, f"the committee page answered {response.status}"
        assert page.locator("#members-caption").count() == 1

    return go


def api_client_registered(page) -> None:
    """The admin's page right after registering a client, its secret shown once."""
    page.goto("/admin/api-clients")
    page.fill("#f-name", "Rekenkamer Voorbeeldstad")
    page.check("#scope-1")
    with page.expect_navigation() as navigation:
        page.click('form[action="/admin/api-clients"] button[type="submit"]')
    assert navigation.value.status == 201
    assert page.locator("code", has_text="ukcs_").count() == 1


def committee_errors(page) -> None:
    """The detention committee's form sent without a chair, one evaluator and no reason (scoring
    has begun): every error named in the summary, each leading to its field."""
    committee_page("detentie")(page)
    page.select_option("#f-chair_user_id", "")
    boxes = page.locator("input[name=evaluator_user_ids]:checked")
    while boxes.count() > 1:
        boxes.first.uncheck()
    with page.expect_navigation() as navigation:
        page.click('form[action$="/committee"] button[type=submit]')
    assert navigation.value.status == 422
    targets = page.eval_on_selector_all(
        "#error-summary a",
        "links => links.map(a => [a.hash, !!document.getElementById(a.hash.slice(1))])",
    )
    assert [hash for hash, _ in targets] == [
        "#f-chair_user_id",
        "#f-evaluator_user_ids",
        "#f-reason",
    ], targets
    assert all(found for _, found in targets), targets


def report_page(title_part: str, ranked: bool) -> Callable:
    """A challenge's evaluation report: debt help's ranked, detention's still incomplete."""

    def go(page) -> None:
        open_by_status("closed", title_part)(page)
        response = page.goto(page.url + "/evaluation/report")
        assert response.status == 200, f"the report answered {response.status}"
        assert page.locator("#ranking-caption").count() == (1 if ranked else 0)
        assert page.locator("#s-missing").count() == (0 if ranked else 1)

    return go


def scenario_page(suffix: str = "") -> Callable:
    """The demo's saved scenario (app/demo/scenarios.py), or one of its pages."""

    def go(page) -> None:
        page.goto("/scenarios")
        link = page.locator("#c-saved ~ tbody a").first
        path = link.get_attribute("href")
        target = (
            path + suffix
            if suffix != "compare"
            else f"/scenarios/compare?a={path[11:]}&b={path[11:]}"
        )
        response = page.goto(target)
        assert response.status == 200, f"{target} answered {response.status}"

    return go


def scenario_errors(page) -> None:
    """The new-scenario form sent with every field wrong: the summary and each field's error."""
    page.goto("/scenarios")
    page.fill("#f-saving_amount", "veel")
    page.fill("#f-saving_percentage", "10")
    page.locator('#new-scenario input[name^="floor-"]').first.fill("minder")
    with page.expect_navigation():
        page.locator("#new-scenario button[type=submit]").click()
    assert page.locator("#error-summary li").count() >= 3


def goto(path: str) -> Callable:
    def go(page) -> None:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"

    return go


@dataclass(frozen=True)
class Case:
    name: str
    visit: Callable
    user: str | None = None
    phone_too: bool = False


CASES = [
    Case("list", goto("/challenges"), phone_too=True),
    Case("list-filtered", filtered_list),
    Case("detail-open", goto(f"/challenges/{OPEN_CHALLENGE}"), phone_too=True),
    Case("detail-closed", open_by_status("closed")),
    Case("detail-cancelled", open_by_status("cancelled")),
    Case("login", goto("/login")),
    Case("login-error", login_error),
    Case("not-found", not_found),
    Case("officer-list", goto("/challenges"), user=OFFICER),
    Case("new-challenge", goto("/challenges/new"), user=OFFICER),
    Case("new-challenge-invalid", form_with_error, user=OFFICER),
    Case("draft", draft_page, user=OFFICER),
    Case("draft-edit", lambda page: draft_page(page, "/edit"), user=OFFICER),
    Case("amend", goto(f"/challenges/{OPEN_CHALLENGE}/edit"), user=OFFICER),
    Case("cancel", goto(f"/challenges/{OPEN_CHALLENGE}/cancel"), user=OFFICER),
    Case("detail-open-officer", goto(f"/challenges/{OPEN_CHALLENGE}"), user=OFFICER),
    Case("detail-open-provider", provider_detail, user=PROVIDER),
    Case("question-too-long", question_too_long, user=PROVIDER),
    Case("contracts", goto("/contracts"), phone_too=True),
    Case("contract", contract_page, phone_too=True),
    Case("detail-contracted", open_by_status("closed", "Wijkcoaches"), phone_too=True),
    Case("contract-officer", contract_of("Vrijwillig aan het werk"), user=OFFICER, phone_too=True),
    Case("contract-correction-invalid", correction_invalid, user=OFFICER),
    Case(
        "contract-lead",
        contract_of("Eén gezin, één coach"),
        user="anna@welzijnvoorbeeldstad.nl",
        phone_too=True,
    ),
    Case(
        "contract-lead-invalid",
        contract_of("Eén gezin, één coach", invalid=True),
        user="anna@welzijnvoorbeeldstad.nl",
    ),
    Case("signals", goto("/signals"), user=OFFICER, phone_too=True),
    Case("portfolio", goto("/portfolio"), user=OFFICER, phone_too=True),
    Case("portfolio-filtered", portfolio_filtered, user=OFFICER, phone_too=True),
    Case("portfolio-invalid", portfolio_invalid, user=OFFICER),
    Case("portfolio-auditor", goto("/portfolio"), user="rekenkamer@voorbeeldstad.nl"),
    Case("award-officer", award_page, user="werk@voorbeeldstad.nl", phone_too=True),
    Case("award-bidder", award_page, user="lisa@werkplaatsvooruit.nl", phone_too=True),
    Case("evaluation-tasks", evaluation_page("detentie"), user=AMRANI, phone_too=True),
    Case("evaluation-score", evaluation_page("detentie", "score"), user=AMRANI, phone_too=True),
    Case("evaluation-score-invalid", evaluation_page("detentie", "invalid"), user=AMRANI),
    Case("evaluation-waiting", evaluation_page("detentie", "consensus"), user=CHAIR),
    Case("consensus", evaluation_page("Schuldhulp", "consensus"), user=CHAIR, phone_too=True),
    Case("api-clients", goto("/admin/api-clients"), user=ADMIN),
    Case("api-client-registered", api_client_registered, user=ADMIN, phone_too=True),
    Case("committee-officer", committee_page("detentie"), user=OFFICER, phone_too=True),
    Case("committee-chair", committee_page("detentie"), user=CHAIR),
    Case("committee-invalid", committee_errors, user=OFFICER),
    Case(
        "report-ranked",
        report_page("Schuldhulp", ranked=True),
        user="werk@voorbeeldstad.nl",
        phone_too=True,
    ),
    Case("report-incomplete", report_page("detentie", ranked=False), user=CHAIR),
    Case("scenarios", goto("/scenarios"), user="werk@voorbeeldstad.nl", phone_too=True),
    Case("scenarios-invalid", scenario_errors, user="werk@voorbeeldstad.nl", phone_too=True),
    Case("scenarios-auditor", goto("/scenarios"), user="controller@voorbeeldstad.nl"),
    Case("scenario", scenario_page(), user="werk@voorbeeldstad.nl", phone_too=True),
    Case(
        "scenario-memo", scenario_page("/memo"), user="rekenkamer@voorbeeldstad.nl", phone_too=True
    ),
    Case("scenario-compare", scenario_page("compare"), user=OFFICER, phone_too=True),
]


def params(cases: list[Case]) -> list:
    """Each page on a desktop, and those marked so also on a phone."""
    return [pytest.param(case, DESKTOP, id=f"{case.name}-desktop") for case in cases] + [
        pytest.param(case, PHONE, id=f"{case.name}-phone") for case in cases if case.phone_too
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(axe_source: str, pages, case: Case, viewport: dict) -> None:
    """Zero axe violations, no sideways scrolling on a phone, no JavaScript errors."""
    page = pages.new(viewport=viewport, user=case.user)
    case.visit(page)
    page.evaluate(axe_source)  # through DevTools, so the CSP (no inline script) allows it
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = result["violations"]
    assert not violations, f"{page.url}:\n{describe(violations)}"
    if viewport == PHONE:  # WCAG 1.4.10 reflow: no scrolling sideways on a phone
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the page is {widths[0]}px wide on a {widths[1]}px screen"
    assert not pages.errors, pages.errors


@pytest.mark.parametrize(("case", "viewport"), params(CASES))
def test_no_axe_violations(axe_source: str, pages, case: Case, viewport: dict) -> None:
    assert_accessible(axe_source, pages, case, viewport)
