"""The portfolio chart is well-formed SVG that names and describes itself, marks estimates in
words, and says when it shows only part of a long portfolio."""

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import set_locale
from app.results.portfolio_chart import Bar, portfolio_chart

SVG = "{http://www.w3.org/2000/svg}"
BARS = [
    Bar("PF-1", "PF-1 Samen aan het werk", Fraction(124, 100)),
    Bar("PF-2", "PF-2 Wijkcoaches", Fraction(1, 2), estimated=True),
    Bar("PF-3", "PF-3 <Sport> & spel", None),
]


def chart(bars=BARS, **kwargs) -> ET.Element:
    return ET.fromstring(
        portfolio_chart(chart_id="p", title="Resultaat per euro", bars=bars, **kwargs)
    )


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_one_image_named_and_described_without_script():
    root = chart()
    assert root.get("role") == "img" and root.get("aria-labelledby") == "p-title p-desc"
    assert root.find(f"{SVG}title").text == "Resultaat per euro"
    assert not list(root.iter(f"{SVG}script"))
    assert not any(name.startswith("on") for node in root.iter() for name in node.attrib)


def test_the_description_gives_every_figure_and_marks_estimates_in_words():
    set_locale("en")
    try:
        desc = chart().find(f"{SVG}desc").text
        shown = texts(chart())
    finally:
        set_locale("nl")
    assert desc == (
        "Expected results per euro per contract, in the order of the table; 1 means results "
        "worth what the contract costs. PF-1 Samen aan het werk: 1.24; PF-2 Wijkcoaches: 0.50 "
        "(estimated); PF-3 <Sport> & spel: no figure."
    )
    assert "0.50 (estimated)" in shown and "1.24" in shown and "no figure" in shown


def test_an_estimated_bar_is_outlined_a_measured_one_filled():
    rects = list(chart().iter(f"{SVG}rect"))
    assert len(rects) == 2  # no bar without a figure
    assert rects[0].get("fill") is None and rects[1].get("fill") == "none"


def test_a_long_portfolio_shows_its_first_bars_and_says_so():
    bars = [Bar(f"C{n}", f"C{n}", Fraction(n, 10)) for n in range(60)]
    root = chart(bars, limit=40)
    assert len([t for t in texts(root) if t.startswith("C")]) == 40
    assert "40 van 60" in root.find(f"{SVG}desc").text


def test_a_bad_id_or_a_negative_figure_is_refused():
    with pytest.raises(ValueError):
        portfolio_chart(chart_id="1 bad", title="x", bars=BARS)
    with pytest.raises(ValueError):
        portfolio_chart(chart_id="ok", title="x", bars=[Bar("A", "A", Fraction(-1))])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            Bar,
            st.text(max_size=12),
            st.text(max_size=30),
            st.one_of(st.none(), st.fractions(min_value=0, max_value=10**6)),
            st.booleans(),
        ),
        max_size=50,
    )
)
def test_any_portfolio_makes_well_formed_svg(bars):
    root = chart(bars)
    assert root.tag == f"{SVG}svg"
    for rect in root.iter(f"{SVG}rect"):
        assert float(rect.get("width")) >= 0
