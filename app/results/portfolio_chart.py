"""Results per euro per contract as an SVG bar chart, drawn on the server, readable without sight.

What the chart shows: one horizontal bar per contract, in the order of the table beside it, as
long as the contract's results per euro, with the figure written at its end; a dashed line at 1
(a euro of results per euro: committed targets worth what they cost). A contract whose results
are estimated from the committed targets has an outlined bar instead of a filled one and says
"estimated" after its figure, so nothing is told by colour or fill alone. For screen readers the
SVG is one image (`role="img"`) named by its <title> and described by its <desc>, which gives
every figure in words; the page's table holds the same figures. No script; every text is escaped.
A long portfolio shows its first `limit` contracts and says so.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal

from app.evaluation.scores import Figure, rounded
from app.i18n import Lazy, get_locale
from app.results.chart import _ID, _e

WIDTH = 560
LABEL_W, FIGURE_W, TOP, ROW, BOTTOM = 120, 110, 40, 24, 36


@dataclass(frozen=True)
class Bar:
    label: str  # short: the contract's reference
    name: str  # in full, for the description
    value: Fraction | None  # results per euro; None: no figure (a contract of no value)
    estimated: bool = False


def two_decimals(value: Fraction) -> str:
    """A figure rounded once to two decimals and shown with both (1,00 and 0,90 in Dutch), so
    a column of them lines up."""
    locale = "nl_NL" if get_locale() == "nl" else "en_GB"
    return format_decimal(rounded(value), format="#,##0.00", locale=locale)


def _figure(value: Fraction | None) -> str:
    return two_decimals(value) if value is not None else str(Lazy("no figure"))


def _shown(bar: Bar) -> str:
    """The figure at a bar's end: its results per euro, and whether they are estimated."""
    figure = _figure(bar.value)
    return str(Lazy("%(figure)s (estimated)", figure=figure)) if bar.estimated else figure


def _ticks(high: Fraction) -> list[Decimal]:
    """Round steps from 0 to at least `high`, four or five of them."""
    raw = float(high) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(float(high) / step)
    return [Decimal(repr(round(n * step, 10))).normalize() for n in range(count + 1)]


def description(bars: Sequence[Bar], shown: int) -> str:
    """Every figure of the chart in words: the text alternative."""
    parts = [
        str(
            Lazy(
                "Expected results per euro per contract, in the order of the table; 1 means "
                "results worth what the contract costs."
            )
        )
    ]
    if shown < len(bars):
        parts.append(
            str(
                Lazy(
                    "The chart shows the first %(shown)s of %(count)s contracts; the table "
                    "holds all of them.",
                    shown=shown,
                    count=len(bars),
                )
            )
        )
    figures = [f"{bar.name}: {_shown(bar)}" for bar in bars[:shown]]
    if figures:
        parts.append("; ".join(figures) + ".")
    else:
        parts.append(str(Lazy("No contracts.")))
    return " ".join(parts)


def portfolio_chart(*, chart_id: str, title: str, bars: Sequence[Bar], limit: int = 40) -> str:
    """The chart as SVG markup; `chart_id` must be unique on the page (it names title and desc)."""
    if not _ID.match(chart_id):
        raise ValueError("a chart id is a letter followed by letters, digits, - or _")
    if limit < 1:
        raise ValueError("a chart shows at least one bar")
    shown = bars[:limit]
    values = [bar.value for bar in shown if bar.value is not None]
    if any(value < 0 for value in values):
        raise ValueError("results per euro are never negative")
    ticks = _ticks(max([Fraction(1), *values]) * Fraction(21, 20))
    high = Fraction(ticks[-1])
    plot_w = WIDTH - LABEL_W - FIGURE_W
    height = TOP + ROW * max(len(shown), 1) + BOTTOM

    def x(value: Fraction | Decimal) -> float:
        return round(LABEL_W + plot_w * float(Fraction(value) / high), 1)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    bottom = TOP + ROW * max(len(shown), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portfolio-chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-size="12" fill="currentColor">',
        f'<title id="{title_id}">{_e(title)}</title>',
        f'<desc id="{desc_id}">{_e(description(bars, len(shown)))}</desc>',
        '<g class="axis" stroke="currentColor" stroke-opacity="0.25" stroke-width="1">',
    ]
    for tick in ticks:
        out.append(f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{TOP - 6}" y2="{bottom}"/>')
    out.append('</g><g class="ticks" text-anchor="middle">')
    for tick in ticks:
        out.append(f'<text x="{x(tick)}" y="{bottom + 16}">{_e(Figure(tick))}</text>')
    out.append("</g>")
    one = x(Fraction(1))
    price = Lazy("1 = worth its price")
    out.append(
        f'<g class="price"><line x1="{one}" x2="{one}" y1="{TOP - 14}" y2="{bottom}" '
        f'stroke="currentColor" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{one + 4}" y="{TOP - 18}">{_e(price)}</text></g>'
    )
    out.append('<g class="bars">')
    for index, bar in enumerate(shown):
        top = TOP + ROW * index
        middle = top + ROW / 2 + 4
        out.append(f'<text x="{LABEL_W - 8}" y="{middle}" text-anchor="end">{_e(bar.label)}</text>')
        end = LABEL_W
        if bar.value is not None and bar.value > 0:
            end = x(bar.value)
            width = round(end - LABEL_W, 1)
            style = (
                'fill="none" stroke="currentColor" stroke-width="1.5" stroke-dasharray="3 2"'
                if bar.estimated
                else 'stroke="none"'
            )
            out.append(
                f'<rect x="{LABEL_W}" y="{top + 5}" width="{width}" height="{ROW - 10}" {style}/>'
            )
        out.append(f'<text x="{end + 6}" y="{middle}">{_e(_shown(bar))}</text>')
    out.append("</g></svg>")
    return "".join(out)
