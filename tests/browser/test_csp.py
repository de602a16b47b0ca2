"""The Content-Security-Policy in a real browser: the check every browser test relies on
(no violation reported on the pages they visit) does see a violation when there is one."""

import pytest

from tests.browser.conftest import OFFICER

pytestmark = pytest.mark.browser


def test_a_violation_would_be_reported(pages) -> None:
    page = pages.new()
    page.goto("/challenges")
    assert not pages.errors, pages.errors
    page.evaluate(
        """() => document.body.insertAdjacentHTML(
            "beforeend", '<p style="color: red">x</p><img alt="" src="https://example.invalid/x">')"""
    )
    page.wait_for_timeout(200)  # violation events are dispatched asynchronously
    reported = " ".join(pages.errors)
    assert "style-src" in reported and "img-src" in reported, pages.errors
    pages.errors.clear()


def test_the_htmx_search_announces_its_results_without_inline_handlers(pages) -> None:
    """The handler moved from hx-on into static/app.js: the status region still gets the count."""
    page = pages.new(user=OFFICER)
    page.goto("/challenges")
    with page.expect_response(lambda response: "/challenges?" in response.url):
        page.select_option("#f-status", "open")
    # The response arrives before htmx swaps it in, so compare both texts inside the page, after
    # the swap: the status region starts empty and only the handler in static/app.js fills it.
    page.wait_for_function(
        """() => {
            const status = document.getElementById('results-status').textContent;
            const heading = document.getElementById('results-heading').textContent;
            return status !== '' && status === heading;
        }"""
    )
    assert not pages.errors, pages.errors
