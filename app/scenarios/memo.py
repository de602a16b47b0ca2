"""The council memo (raadsmemo) of a saved cut scenario: one content, as a printable page and as
a PDF, so both say exactly the same.

`memo_content` gathers the text in the reader's language: the saving, both cuts in totals, per
contract and per target group, the results each loses, what is protected, any shortfall, every
assumption, the date and the author. `memo_pdf` sets it on A4 with ReportLab (pure Python, no
system libraries), imported only when a PDF is made.
"""

import io
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal

from app.clock import AMSTERDAM
from app.evaluation.scores import Figure, rounded
from app.i18n import Lazy, get_locale
from app.i18n.formats import day
from app.results.amounts import Euros
from app.scenarios.service import SavedScenario


@dataclass
class MemoTable:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # the columns of figures (right-aligned)
    total: list[str] | None = None


@dataclass
class Memo:
    title: str
    name: str
    organisation: str
    facts: list[tuple[str, str]]
    summary: list[str]
    tables: list[MemoTable]
    shortfall: str | None
    protections: list[str]
    assumptions: list[str]


def figure(value: Fraction | int | Decimal) -> str:
    """Results shown with two decimals, written the reader's way (1.234,50 in Dutch)."""
    shown = value if isinstance(value, Decimal) else rounded(value)
    locale = "nl_NL" if get_locale() == "nl" else "en_GB"
    return format_decimal(shown, format="#,##0.00", locale=locale)


def money(cents: int) -> str:
    return str(Euros(cents))


def memo_content(saved: SavedScenario) -> Memo:
    record, scenario = saved.record, saved.scenario
    flat, results = scenario.flat, scenario.results
    unit = str(scenario.unit) if scenario.unit else str(Lazy("result units"))
    count = len(flat.contracts)
    facts = [
        (str(Lazy("Date")), day(record.created_at.astimezone(AMSTERDAM).date())),
        (str(Lazy("Author")), saved.author),
        (str(Lazy("Municipality")), saved.organisation),
        (str(Lazy("Saving")), money(scenario.saving_cents)),
        (str(Lazy("Total budget of the contracts")), money(scenario.total_budget_cents)),
        (str(Lazy("Contracts in the scenario")), str(count)),
    ]
    if saved.percentage is not None:
        facts.insert(
            4,
            (str(Lazy("Saving as a percentage")), f"{Figure(saved.percentage)} %"),
        )
    summary = [
        str(
            Lazy(
                "The council is asked to choose how to save %(saving)s on %(count)s contracts "
                "with a total budget of %(total)s. Two ways are set side by side.",
                saving=Euros(scenario.saving_cents),
                count=count,
                total=Euros(scenario.total_budget_cents),
            )
        ),
        str(
            Lazy(
                "The flat cut (kaasschaaf) takes %(percentage)s%% of every contract that is not "
                "protected and loses %(lost)s %(unit)s.",
                percentage=Figure(flat.percentage or Decimal(0)),
                lost=figure(flat.results_lost),
                unit=unit,
            )
        ),
        str(
            Lazy(
                "The results-based cut takes the same saving where the fewest expected results "
                "are lost per euro and loses %(lost)s %(unit)s: %(kept)s fewer than the flat cut.",
                lost=figure(results.results_lost),
                unit=unit,
                kept=figure(scenario.results_kept),
            )
        ),
    ]
    totals = MemoTable(
        caption=str(Lazy("Both cuts in total")),
        header=[
            str(Lazy("Cut")),
            str(Lazy("Saving reached")),
            str(Lazy("Short")),
            str(Lazy("Expected results before")),
            str(Lazy("Expected results lost")),
        ],
        rows=[
            [
                str(Lazy("Flat cut (kaasschaaf)")),
                money(flat.cut_cents),
                money(flat.short_cents),
                figure(flat.results_before),
                figure(flat.results_lost),
            ],
            [
                str(Lazy("Results-based cut")),
                money(results.cut_cents),
                money(results.short_cents),
                figure(results.results_before),
                figure(results.results_lost),
            ],
        ],
        numeric=(1, 2, 3, 4),
    )
    cut_header = [
        str(Lazy("Budget before")),
        str(Lazy("Flat: budget after")),
        str(Lazy("Flat: results lost")),
        str(Lazy("Results-based: budget after")),
        str(Lazy("Results-based: results lost")),
    ]
    contract_rows = []
    for one, other in zip(flat.contracts, results.contracts, strict=True):
        marks = []
        if one.protected:
            marks.append(str(Lazy("protected")))
        if one.floor_cents:
            marks.append(str(Lazy("floor %(floor)s", floor=Euros(one.floor_cents))))
        if one.estimated:
            marks.append(str(Lazy("estimated")))
        contract_rows.append(
            [
                one.name or one.contract,
                ", ".join(one.target_groups),
                "; ".join(marks) or "–",
                money(one.before_cents),
                money(one.after_cents),
                figure(one.results_lost),
                money(other.after_cents),
                figure(other.results_lost),
            ]
        )
    per_contract = MemoTable(
        caption=str(Lazy("Per contract")),
        header=[
            str(Lazy("Contract")),
            str(Lazy("Target groups")),
            str(Lazy("Protection")),
            *cut_header,
        ],
        rows=contract_rows,
        numeric=(3, 4, 5, 6, 7),
        total=[
            str(Lazy("Total")),
            "",
            "",
            money(scenario.total_budget_cents),
            money(scenario.total_budget_cents - flat.cut_cents),
            figure(flat.results_lost),
            money(scenario.total_budget_cents - results.cut_cents),
            figure(results.results_lost),
        ],
    )
    per_group = MemoTable(
        caption=str(Lazy("Per target group")),
        header=[str(Lazy("Target group")), str(Lazy("Protection")), *cut_header],
        rows=[
            [
                one.group,
                str(Lazy("protected")) if one.protected else "–",
                money(one.before_cents),
                money(one.after_cents),
                figure(one.results_lost),
                money(other.after_cents),
                figure(other.results_lost),
            ]
            for one, other in zip(flat.groups, results.groups, strict=True)
        ],
        numeric=(2, 3, 4, 5, 6),
    )
    names = {c.contract: c.name or c.contract for c in flat.contracts}
    protections = []
    if record.protected_contracts:
        protections.append(
            str(
                Lazy(
                    "Protected contracts: %(contracts)s.",
                    contracts=", ".join(names.get(i, i) for i in record.protected_contracts),
                )
            )
        )
    if record.protected_groups:
        protections.append(
            str(
                Lazy(
                    "Protected target groups: %(groups)s.",
                    groups=", ".join(record.protected_groups),
                )
            )
        )
    for contract_id, floor in sorted(record.floors.items()):
        protections.append(
            str(
                Lazy(
                    "Floor for %(contract)s: %(floor)s.",
                    contract=names.get(contract_id, contract_id),
                    floor=Euros(floor),
                )
            )
        )
    if not protections:
        protections.append(str(Lazy("Nothing is protected and no contract has a floor.")))
    return Memo(
        title=str(Lazy("Memo for the council")),
        name=record.name,
        organisation=saved.organisation,
        facts=facts,
        summary=summary,
        tables=[totals, per_contract, per_group],
        shortfall=str(flat.shortfall) if flat.shortfall else None,
        protections=protections,
        assumptions=[str(text) for text in scenario.assumptions],
    )


def memo_pdf(memo: Memo) -> bytes:
    """The memo on A4 pages, its tables repeating their header on each page."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    figure_cell = ParagraphStyle("figure", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    head_figure = ParagraphStyle("head-figure", parent=head, alignment=TA_RIGHT)

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(value), style)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{memo.title}: {memo.name}",
        author=dict(memo.facts).get(str(Lazy("Author")), ""),
        subject=memo.organisation,
        invariant=1,  # the same scenario gives the same file
    )
    story: list = [
        text(memo.title, styles["Title"]),
        text(memo.name, styles["Heading1"]),
    ]
    facts = Table(
        [[text(name, head), text(value, cell)] for name, value in memo.facts],
        colWidths=[60 * mm, 120 * mm],
        hAlign="LEFT",
    )
    story += [facts, Spacer(1, 4 * mm)]
    story += [text(paragraph) for paragraph in memo.summary]
    if memo.shortfall:
        story.append(text(memo.shortfall, ParagraphStyle("warn", parent=body, textColor="#8a1c1c")))
    for table in memo.tables:
        story.append(text(table.caption, styles["Heading2"]))
        rows = [
            [
                text(value, head_figure if i in table.numeric else head)
                for i, value in enumerate(table.header)
            ]
        ]
        for row in [*table.rows, *([table.total] if table.total else [])]:
            rows.append(
                [
                    text(value, figure_cell if i in table.numeric else cell)
                    for i, value in enumerate(row)
                ]
            )
        grid = Table(rows, repeatRows=1, hAlign="LEFT")
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if table.total:
            style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f2f2")))
        grid.setStyle(TableStyle(style))
        story.append(grid)
    story.append(text(str(Lazy("Protections")), styles["Heading2"]))
    story += [text(line) for line in memo.protections]
    story.append(text(str(Lazy("Assumptions")), styles["Heading2"]))
    story.append(
        ListFlowable(
            [ListItem(text(line), leftIndent=12) for line in memo.assumptions],
            bulletType="bullet",
        )
    )
    document.build(story)
    return buffer.getvalue()
