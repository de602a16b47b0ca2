"""An indicator over its periods as an SVG line chart, drawn on the server, readable without sight.

What the chart shows: the baseline (dashed line), the committed target (dotted, heavier line) and
the accepted values (a solid line with a marker per value, broken where a period has no accepted
value yet). Every line carries its name and figure as text beside it, so nothing is told by colour
alone; colours come from the page's `currentColor`. For screen readers the SVG is one image
(`role="img"`) named by its <title> and described by its <desc>, which gives every figure in
words; the page shows the data table beside it too. No script; every text is escaped.
"""

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.evaluation.scores import Figure, Number, as_decimal, exact
from app.i18n import Lazy
from app.results.payment import Direction

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 32, 48
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class ChartPoint:
    label: str  # the period as the page names it ("Q1 2027", "Period 1")
    value: Number | None  # the accepted value; None: not yet accepted


def _figure(value: Number, unit: str) -> str:
    decimal = as_decimal(exact(value))
    if decimal == decimal.to_integral_value():
        decimal = decimal.quantize(Decimal(1))
    return f"{Figure(decimal)} {unit}".strip()


# Characters XML 1.0 does not allow at all; they are dropped rather than escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _e(text: object) -> str:
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


def _ticks(low: float, high: float) -> list[float]:
    """Four or five round values covering low..high."""
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + n * step for n in range(int(math.ceil((high - first) / step)) + 1)]


def description(
    title: str,
    unit: str,
    direction: Direction,
    baseline: Number | None,
    target: Number,
    points: Sequence[ChartPoint],
) -> str:
    """Every figure of the chart in words: the text alternative."""
    better = Lazy("higher is better") if direction == "increase" else Lazy("lower is better")
    parts = [
        str(
            Lazy(
                "%(title)s. Baseline: %(baseline)s. Committed target: %(target)s (%(better)s).",
                title=title,
                baseline=_figure(baseline, unit) if baseline is not None else Lazy("none"),
                target=_figure(target, unit),
                better=better,
            )
        )
    ]
    if any(point.value is not None for point in points):
        values = "; ".join(
            str(
                Lazy(
                    "%(period)s: %(value)s",
                    period=point.label,
                    value=(
                        _figure(point.value, unit)
                        if point.value is not None
                        else Lazy("not yet accepted")
                    ),
                )
            )
            for point in points
        )
        parts.append(str(Lazy("Accepted values: %(values)s.", values=values)))
    else:
        parts.append(str(Lazy("No values accepted yet.")))
    return " ".join(parts)


def indicator_chart(
    *,
    chart_id: str,
    title: str,
    unit: str,
    direction: Direction,
    baseline: Number | None,
    target: Number,
    points: Sequence[ChartPoint],
) -> str:
    """The chart as SVG markup; `chart_id` must be unique on the page (it names title and desc)."""
    if not _ID.match(chart_id):
        raise ValueError("a chart id is a letter followed by letters, digits, - or _")
    if not points:
        raise ValueError("a chart needs at least one period")
    values = [float(exact(p.value)) for p in points if p.value is not None]
    levels = [float(exact(target)), *values]
    if baseline is not None:
        levels.append(float(exact(baseline)))
    low, high = min(levels), max(levels)
    pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
    ticks = _ticks(low - pad, high + pad)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 1)

    def x(index: int) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        return round(LEFT + plot_w * index / (len(points) - 1), 1)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-size="12" fill="currentColor">',
        f'<title id="{title_id}">{_e(title)}</title>',
        f'<desc id="{desc_id}">'
        f"{_e(description(title, unit, direction, baseline, target, points))}</desc>",
        '<g class="axis" stroke="currentColor" stroke-opacity="0.25" stroke-width="1">',
    ]
    for tick in ticks:
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick)}" y2="{y(tick)}"/>')
    out.append("</g>")
    out.append('<g class="ticks" text-anchor="end">')
    for tick in ticks:
        label = _figure(Decimal(repr(round(tick, 10))), "")
        out.append(f'<text x="{LEFT - 8}" y="{y(tick) + 4}">{_e(label)}</text>')
    out.append("</g>")
    if unit:
        out.append(f'<text class="unit" x="{LEFT}" y="{TOP - 12}">{_e(unit)}</text>')
    out.append('<g class="periods" text-anchor="middle">')
    for index, point in enumerate(points):
        out.append(f'<text x="{x(index)}" y="{HEIGHT - BOTTOM + 20}">{_e(point.label)}</text>')
    out.append("</g>")
    # The two line labels move apart when the lines lie too close to read them.
    target_at = y(float(exact(target)))
    baseline_at = y(float(exact(baseline))) if baseline is not None else None
    shifts = {"baseline": 0.0, "target": 0.0}
    if baseline_at is not None and abs(baseline_at - target_at) < 14:
        half = (14 - abs(baseline_at - target_at)) / 2
        lower, upper = (
            ("baseline", "target") if baseline_at >= target_at else ("target", "baseline")
        )
        shifts[lower], shifts[upper] = half, -half
    for kind, level, at, dash, width, name in (
        ("baseline", baseline, baseline_at, "6 4", 1.5, Lazy("Baseline")),
        ("target", target, target_at, "2 3", 3, Lazy("Target")),
    ):
        if level is None or at is None:
            continue
        shift = shifts[kind]
        out.append(
            f'<g class="{kind}"><line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{at}" y2="{at}" '
            f'stroke="currentColor" stroke-width="{width}" stroke-dasharray="{dash}"/>'
            f'<text x="{LEFT + plot_w + 8}" y="{round(at + 4 + shift, 1)}">'
            f"{_e(name)}: {_e(_figure(level, unit))}</text></g>"
        )
    legend_x = LEFT + plot_w
    out.append(
        f'<g class="legend"><line x1="{legend_x - 150}" x2="{legend_x - 126}" y1="{TOP - 16}" '
        f'y2="{TOP - 16}" stroke="currentColor" stroke-width="2.5"/>'
        f'<circle cx="{legend_x - 138}" cy="{TOP - 16}" r="4.5"/>'
        f'<text x="{legend_x - 120}" y="{TOP - 12}">{_e(Lazy("Accepted values"))}</text></g>'
    )
    out.append('<g class="accepted" stroke="currentColor" stroke-width="2.5">')
    run: list[str] = []
    for index, point in enumerate([*points, ChartPoint("", None)]):
        if point.value is not None:
            run.append(f"{x(index)},{y(float(exact(point.value)))}")
            continue
        if len(run) > 1:
            out.append(f'<polyline fill="none" points="{" ".join(run)}"/>')
        run = []
    for index, point in enumerate(points):
        if point.value is None:
            continue
        cx, cy = x(index), y(float(exact(point.value)))
        out.append(f'<circle cx="{cx}" cy="{cy}" r="4.5" stroke="none"/>')
        out.append(
            f'<text x="{cx}" y="{cy - 10}" text-anchor="middle" stroke="none">'
            f"{_e(_figure(point.value, ''))}</text>"
        )
    out.append("</g></svg>")
    return "".join(out)
