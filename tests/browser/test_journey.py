"""A policy officer writes, checks and publishes a challenge; the public finds it by searching.

Elements are found by ids, names and form actions, never by their (translated) text.
"""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.clock import AMSTERDAM
from tests.browser.conftest import OFFICER

pytestmark = pytest.mark.browser

SEARCH_WORD = "zwemdiploma"  # only in the desired result of the journey's challenge


def moment(days: int, hour: int = 12) -> str:
    """A datetime-local value `days` from now, Amsterdam time."""
    day = datetime.now(AMSTERDAM).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def day(days: int) -> str:
    return (datetime.now(AMSTERDAM).date() + timedelta(days=days)).isoformat()


def write_challenge(page, title: str, weights: tuple[int, int]) -> int:
    """Fill in the whole new-challenge form, adding a second criterion row; save the draft."""
    page.click('nav a[href="/challenges/new"]')
    page.wait_for_url("**/challenges/new")
    page.fill("#f-title", title)
    page.fill("#f-summary", "Kinderen van nieuwkomers leren zwemmen voordat ze tien zijn.")
    page.fill(
        "#f-desired_result",
        f"Meer kinderen van nieuwkomers halen hun {SEARCH_WORD} A voor hun tiende verjaardag.",
    )
    page.fill(
        "#f-target_group", "Kinderen van 6 tot 10 jaar in gezinnen die kort in Nederland zijn."
    )
    page.fill("#f-target_group_size", "320")
    page.fill("#f-context", "Zwemles is duur en de wachtlijsten bij de zwembaden zijn lang.")
    page.select_option("#f-theme", "sport")
    page.fill("#f-budget", "450.000")
    page.fill("#f-period_start", day(100))
    page.fill("#f-period_end", day(465))
    page.fill("#f-question_deadline", moment(21))
    page.fill("#f-submission_deadline", moment(42, hour=17))
    page.fill("#f-expected_award_date", day(70))

    page.fill("#f-indicators-0-name", "Kinderen met zwemdiploma A")
    page.fill("#f-indicators-0-definition", "Deel van de doelgroep met diploma A op hun tiende.")
    page.fill("#f-indicators-0-unit", "%")
    page.fill("#f-indicators-0-baseline_value", "41")
    page.fill("#f-indicators-0-baseline_date", day(-30))
    page.select_option("#f-indicators-0-direction", "increase")
    page.fill("#f-indicators-0-target_value", "75")
    page.fill("#f-indicators-0-measurement_method", "Diplomaregistratie van de zwembaden.")
    page.select_option("#f-indicators-0-reporting_frequency", "quarterly")
    page.fill("#f-indicators-0-outcome_value", "1.250")

    page.fill("#f-scale_min", "0")
    page.fill("#f-scale_max", "10")
    page.select_option("#f-criteria-0-kind", "quality")
    page.fill("#f-criteria-0-name", "Aanpak")
    page.fill("#f-criteria-0-description", "Hoe bereikt de coalitie de gezinnen?")
    page.fill("#f-criteria-0-weight", str(weights[0]))
    page.fill("#f-requirements-0-text", "Lesgevers hebben een geldig diploma zwemonderwijzer.")

    # "Add a criterion" is a submit button (it works without JavaScript): the form comes back
    # with everything typed so far and one more criterion row.
    assert page.locator("#f-criteria-1-name").count() == 0
    with page.expect_navigation():
        page.click("button[name=action][value=add_criteria]")
    assert page.locator("#f-title").input_value() == title
    assert page.locator("#f-budget").input_value() == "450.000"
    assert page.locator("#f-question_deadline").input_value() == moment(21)
    assert page.locator("#f-criteria-0-weight").input_value() == str(weights[0])
    assert page.locator("#f-indicators-0-reporting_frequency").input_value() == "quarterly"
    page.select_option("#f-criteria-1-kind", "formula")
    page.fill("#f-criteria-1-name", "Ambitie")
    page.fill("#f-criteria-1-description", "Hoeveel kinderen haalt de coalitie toegezegd?")
    page.fill("#f-criteria-1-weight", str(weights[1]))
    page.select_option("#f-criteria-1-indicator_position", "0")

    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    found = re.search(r"/challenges/(\d+)$", page.url)
    assert found, f"saving the draft did not lead to its page but to {page.url}"
    assert page.locator("h1").inner_text() == title
    assert page.locator("#draft-heading").count() == 1
    return int(found.group(1))


def test_officer_publishes_and_the_public_finds_it(pages) -> None:
    page = pages.new(user=OFFICER)
    title = "Zwemvaardigheid voor kinderen van nieuwkomers"
    challenge_id = write_challenge(page, title, (60, 40))

    # Nothing is missing, so the publish button works.
    assert page.locator(".problems").count() == 0
    publish = page.locator('form[action$="/publish"] button')
    assert publish.is_enabled()
    page.check("#f-confirm")  # the confirmation step
    with page.expect_navigation():
        publish.click()
    assert page.url.endswith(f"/challenges/{challenge_id}?done=published")
    assert page.locator("#done").count() == 1  # and it says it was done
    assert page.locator(".meta .badge-open").count() == 1
    assert page.locator("#draft-heading").count() == 0
    assert page.locator('a[href$="/edit"]').count() == 1  # now "amend"

    with page.expect_navigation():
        page.click('form[action="/logout"] button')
    assert page.locator('form[action="/logout"]').count() == 0

    # Anyone finds it with the search box; htmx replaces the results without reloading the page.
    page.goto("/challenges")
    page.evaluate("window.notReloaded = true")
    before = page.locator("#results h2").inner_text()
    with page.expect_response(
        lambda r: f"q={SEARCH_WORD}" in r.url and r.request.headers.get("hx-request") == "true"
    ) as response:
        page.locator("#f-q").press_sequentially(SEARCH_WORD)
    assert response.value.status == 200
    page.wait_for_url(re.compile(rf"/challenges\?(.*&)?q={SEARCH_WORD}(&|$)"), wait_until="commit")
    cards = page.locator("#results .card")
    # The response arrives before htmx swaps it in: wait for the new list, not for any card.
    expect(page.locator("#results h2")).not_to_have_text(before)
    expect(cards).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True, "the filter reloaded the whole page"
    heading = page.locator("#results h2").inner_text()
    # Screen readers hear the new count: the status region outside the swapped part has it.
    expect(page.locator("#results-status")).to_have_text(heading)
    link = cards.locator(f'h3 a[href="/challenges/{challenge_id}"]')
    assert link.inner_text() == title

    with page.expect_navigation():
        link.click()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".meta .badge-open").count() == 1
    assert page.locator('form[action$="/publish"]').count() == 0
    assert not pages.errors, pages.errors


def test_weights_not_adding_up_to_100_cannot_be_published(pages) -> None:
    page = pages.new(user=OFFICER)
    challenge_id = write_challenge(page, "Zwemles met een fout in de weging", (60, 30))

    # The draft page says exactly what is wrong and offers no working publish button.
    problems = page.locator(".problems li")
    assert problems.count() == 1
    assert "90" in problems.inner_text() and "100" in problems.inner_text()
    publish = page.locator('form[action$="/publish"] button')
    assert publish.is_disabled()

    # Even a form sent anyway (an old page, a tampered one) is refused with the reason.
    publish.evaluate("b => { b.disabled = false; b.removeAttribute('aria-disabled'); }")
    with page.expect_navigation() as navigation:
        publish.click()
    assert navigation.value.status == 422
    assert "90" in page.locator(".notice-error").inner_text()

    page.goto(f"/challenges/{challenge_id}")
    assert page.locator(".meta .badge-draft").count() == 1
    assert page.locator(".problems li").count() == 1
    assert not pages.errors, pages.errors
