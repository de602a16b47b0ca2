"""The badges of an indicator's status and a report's state: every one has its own colours, its
text passes WCAG AA contrast (4.5:1) on its background, its border stands out from the page
(3:1, WCAG 1.4.11), and the page says the meaning in words beside the colour."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.results.status import LABELS
from app.results.views import STATES
from tests.conftest import sign_in
from tests.results.world import build

CSS = Path(__file__).resolve().parents[2] / "static" / "app.css"
PAGE = "#ffffff"
BADGES = [f"badge-status-{status}" for status in LABELS] + [
    f"badge-report-{state}" for state in [*STATES, "late"]
]


def luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour (#rrggbb), as WCAG 2.1 defines it."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def declarations() -> dict[str, dict[str, str]]:
    """Per class selector in app.css: its declarations (later rules win, as in the browser)."""
    found: dict[str, dict[str, str]] = {}
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        pairs = dict(
            (name.strip(), value.strip())
            for name, _, value in (d.partition(":") for d in body.split(";") if ":" in d)
        )
        for selector in selectors.split(","):
            found.setdefault(selector.strip(), {}).update(pairs)
    return found


def test_contrast_worked_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


@given(
    st.from_regex(r"#[0-9a-f]{6}", fullmatch=True), st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)
)
def test_contrast_is_symmetric_and_between_1_and_21(one, other):
    assert contrast(one, other) == pytest.approx(contrast(other, one))
    assert 1 <= contrast(one, other) <= 21 + 1e-9


@pytest.mark.parametrize("badge", BADGES)
def test_every_badge_has_colours_that_pass_aa(badge):
    rule = declarations().get(f".{badge}")
    assert rule, f"app.css has no rule for .{badge}"
    colour, background, border = rule["color"], rule["background"], rule["border-color"]
    assert contrast(colour, background) >= 4.5, (badge, colour, background)
    assert contrast(border, PAGE) >= 3, (badge, border)


def test_the_four_statuses_look_different():
    rules = declarations()
    looks = {
        (rules[f".badge-status-{s}"]["color"], rules[f".badge-status-{s}"]["background"])
        for s in LABELS
    }
    assert len(looks) == len(LABELS)


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def test_the_page_says_the_status_and_state_in_words(client, world):
    await sign_in(client, world.users["officer"].email)
    text = (await client.get(f"/contracts/{world.contract.id}")).text
    status = re.search(r'<span class="badge badge-status-(\w+)">(.*?)</span>(.*?)</span>', text)
    assert status and status.group(1) == "not_reported"
    assert 'aria-hidden="true"' in status.group(2) and "nog niet gerapporteerd" in status.group(3)
    report = re.search(r'<span class="badge badge-report-(\w+)">.*?</span>(.*?)</span>', text)
    assert report and report.group(1) == "due" and report.group(2) == "te rapporteren"
