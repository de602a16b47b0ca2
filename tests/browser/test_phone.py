"""On a phone (375 px): the signed-in header takes two rows, and a table wider than the screen
says that it scrolls and can be scrolled with the keyboard."""

import pytest

from tests.browser.conftest import DESKTOP, OFFICER, PHONE

pytestmark = pytest.mark.browser

OPEN_CHALLENGE = 1  # the demo's open challenge; its criteria are in a table


def rows_of(page, selector: str) -> int:
    """How many rows the children of `selector` are laid out in (children that overlap
    vertically share a row)."""
    return page.evaluate(
        """selector => {
            const boxes = Array.from(document.querySelector(selector).children)
                .map(child => child.getBoundingClientRect()).sort((a, b) => a.top - b.top);
            let rows = 0, bottom = -Infinity;
            for (const box of boxes) {
                if (box.top >= bottom) { rows += 1; bottom = box.bottom; }
                else { bottom = Math.max(bottom, box.bottom); }
            }
            return rows;
        }""",
        selector,
    )


def test_the_signed_in_header_takes_two_rows(pages) -> None:
    page = pages.new(viewport=PHONE, user=OFFICER)
    page.goto("/challenges")
    assert rows_of(page, ".top-inner") == 2  # brand and account, then the menu
    brand = page.locator(".brand").bounding_box()
    account = page.locator(".account").bounding_box()
    assert abs(brand["y"] - account["y"]) < brand["height"]
    assert page.locator('form[action="/logout"] button').is_visible()
    assert page.locator(".top").bounding_box()["height"] < 110
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    assert not pages.errors, pages.errors


def test_a_wide_table_says_it_scrolls_and_the_keyboard_scrolls_it(pages) -> None:
    page = pages.new(viewport=PHONE)
    page.goto(f"/challenges/{OPEN_CHALLENGE}")
    box = page.locator(".table-wrap").first  # the criteria: wider than a phone
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    hint = page.locator(".table-hint").first
    hint.wait_for()
    assert hint.evaluate("(hint, box) => hint.nextElementSibling === box", box.element_handle())
    assert box.get_attribute("aria-describedby") == hint.get_attribute("id")
    assert box.get_attribute("tabindex") == "0"
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")
    # Where the table fits, nothing is said.
    page.set_viewport_size(DESKTOP)
    page.wait_for_function("() => document.querySelectorAll('.table-hint').length === 0")
    assert box.get_attribute("aria-describedby") is None
    assert not pages.errors, pages.errors


def test_demo_mode_shows_the_platform_date(pages) -> None:
    page = pages.new(viewport=PHONE)
    page.goto("/challenges")
    assert page.locator(".demo-date").is_visible()
    assert "2" in page.locator(".demo-date").inner_text()  # a date, in Dutch
    assert not pages.errors, pages.errors
