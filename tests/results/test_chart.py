"""The indicator chart is well-formed SVG that names and describes itself, with no script."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import set_locale
from app.results.chart import ChartPoint, indicator_chart

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [
    ChartPoint("Q1 2027", 44),
    ChartPoint("Q2 2027", 52.5),
    ChartPoint("Q3 2027", None),
    ChartPoint("Q4 2027", 58),
]


def chart(**overrides) -> ET.Element:
    arguments = {
        "chart_id": "work-1",
        "title": "People in work",
        "unit": "people",
        "direction": "increase",
        "baseline": 40,
        "target": 60,
        "points": POINTS,
        **overrides,
    }
    return ET.fromstring(indicator_chart(**arguments))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_the_chart_is_one_image_named_by_its_title_and_described():
    root = chart()
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "work-1-title work-1-desc"
    ids = {node.get("id"): node for node in root.iter() if node.get("id")}
    assert ids["work-1-title"].tag == f"{SVG}title" and ids["work-1-title"].text == "People in work"
    assert ids["work-1-desc"].tag == f"{SVG}desc"
    assert not list(root.iter(f"{SVG}script"))
    assert not any(name.startswith("on") for node in root.iter() for name in node.attrib)


def test_the_description_gives_every_figure_in_words():
    set_locale("en")
    try:
        desc = chart().find(f"{SVG}desc").text
    finally:
        set_locale("nl")
    assert desc == (
        "People in work. Baseline: 40 people. Committed target: 60 people (higher is better). "
        "Accepted values: Q1 2027: 44 people; Q2 2027: 52.5 people; Q3 2027: not yet accepted; "
        "Q4 2027: 58 people."
    )
    assert "52,5 people" in chart().find(f"{SVG}desc").text  # Dutch by default


def test_lines_are_told_apart_by_text_and_dashes_not_colour():
    root = chart()
    labels = texts(root)
    assert "Nulmeting: 40 people" in labels and "Streefwaarde: 60 people" in labels
    assert "Geaccepteerde waarden" in labels
    assert {"44", "52,5", "58"} <= set(labels)
    dashes = {
        group.get("class"): group.find(f"{SVG}line").get("stroke-dasharray")
        for group in root.iter(f"{SVG}g")
        if group.get("class") in ("baseline", "target")
    }
    assert dashes["baseline"] != dashes["target"]
    assert all(
        node.get(attr) in (None, "none", "currentColor")
        for node in root.iter()
        for attr in ("fill", "stroke")
    )


def test_a_period_without_a_value_breaks_the_line():
    root = chart()
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # Q1-Q2; Q4 alone
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # three values and the legend


def test_text_is_escaped():
    root = chart(
        title='<script>alert("x")</script> & co',
        unit="<b>",
        points=[ChartPoint("</text><script>", 1)],
    )
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'
    assert not list(root.iter(f"{SVG}script"))
    assert "</text><script>" in texts(root)


def test_no_baseline_and_nothing_accepted_yet():
    root = chart(baseline=None, points=[ChartPoint("Q1", None)], direction="decrease")
    assert "Nog geen waarden geaccepteerd." in root.find(f"{SVG}desc").text
    assert "Nulmeting: geen" in root.find(f"{SVG}desc").text
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "baseline"]


@pytest.mark.parametrize("chart_id", ["", "1abc", 'a" onload="x', "a b"])
def test_a_chart_id_is_a_plain_name(chart_id):
    with pytest.raises(ValueError, match="chart id"):
        chart(chart_id=chart_id)


def test_a_chart_needs_a_period():
    with pytest.raises(ValueError, match="period"):
        chart(points=[])


values = st.one_of(st.none(), st.integers(-10_000, 10_000), st.floats(-1e6, 1e6))


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(st.none(), st.integers(-1000, 1000)),
    st.integers(-1000, 1000),
    st.lists(st.tuples(st.text(max_size=10), values), min_size=1, max_size=12),
)
def test_any_figures_give_a_chart_inside_its_box(baseline, target, rows):
    root = chart(baseline=baseline, target=target, points=[ChartPoint(*row) for row in rows])
    for node in root.iter():
        for attr in ("y", "cy", "y1", "y2"):
            if node.get(attr) is not None:
                assert 0 <= float(node.get(attr)) <= 320
