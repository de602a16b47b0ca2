"""A cut scenario as a file for a spreadsheet: CSV the way Dutch Excel opens it, and XLSX.

CSV: semicolons between cells, a UTF-8 byte order mark first (so Excel reads the accents), CRLF
line ends, amounts in euros with a decimal comma and no thousands mark (1234,56), results with a
decimal comma. XLSX: amounts and results as numbers with their format, text as text.
Both guard against formula injection: a cell that starts with = + - @, a tab or a carriage
return is never read as a formula (CSV: a leading apostrophe; XLSX: stored as text, quoted).
The layout, the same in both: the contracts (with a total), the target groups, the saving with
any shortfall, and the assumptions in words. Headers are in the reader's language.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from app.evaluation.scores import rounded
from app.i18n import Lazy
from app.results.amounts import decimal_comma
from app.results.cuts import Scenario

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Money:
    cents: int


Cell = str | Money | Decimal | None
Row = list[Cell]


def guarded(text: str) -> str:
    """Text that no spreadsheet reads as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal_text(value: float | None) -> str:
    """A result for a CSV cell: a decimal comma, no trailing zeros, empty when there is none."""
    if value is None:
        return ""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _yes(value: bool) -> str:
    return str(Lazy("yes") if value else Lazy("no"))


def _rows(scenario: Scenario) -> Iterator[Row]:
    flat, results = scenario.flat, scenario.results
    columns = [
        Lazy("Flat cut (€)"),
        Lazy("Flat: budget after (€)"),
        Lazy("Flat: results lost"),
        Lazy("Results-based cut (€)"),
        Lazy("Results-based: budget after (€)"),
        Lazy("Results-based: results lost"),
    ]
    yield [
        str(text)
        for text in [
            Lazy("Contract"),
            Lazy("Name"),
            Lazy("Target groups"),
            Lazy("Protected"),
            Lazy("Floor (€)"),
            Lazy("Budget before (€)"),
            *columns,
            Lazy("Results before"),
            Lazy("Results estimated"),
        ]
    ]
    for one, other in zip(flat.contracts, results.contracts, strict=True):
        yield [
            one.contract,
            one.name,
            ", ".join(one.target_groups),
            _yes(one.protected),
            Money(one.floor_cents),
            Money(one.before_cents),
            Money(one.cut_cents),
            Money(one.after_cents),
            one.results_lost_shown,
            Money(other.cut_cents),
            Money(other.after_cents),
            other.results_lost_shown,
            rounded(one.results_before),
            _yes(one.estimated),
        ]
    yield [
        str(Lazy("Total")),
        None,
        None,
        None,
        None,
        Money(scenario.total_budget_cents),
        Money(flat.cut_cents),
        Money(scenario.total_budget_cents - flat.cut_cents),
        flat.results_lost_shown,
        Money(results.cut_cents),
        Money(scenario.total_budget_cents - results.cut_cents),
        results.results_lost_shown,
        rounded(flat.results_before),
        None,
    ]
    yield []
    yield [
        str(text)
        for text in [Lazy("Target group"), Lazy("Protected"), Lazy("Budget before (€)"), *columns]
    ]
    for one, other in zip(flat.groups, results.groups, strict=True):
        yield [
            one.group,
            _yes(one.protected),
            Money(one.before_cents),
            Money(one.cut_cents),
            Money(one.after_cents),
            one.results_lost_shown,
            Money(other.cut_cents),
            Money(other.after_cents),
            other.results_lost_shown,
        ]
    yield []
    yield [str(Lazy("Saving (€)")), Money(scenario.saving_cents)]
    if flat.short_cents:
        yield [str(Lazy("Short (€)")), Money(flat.short_cents), str(flat.shortfall)]
    yield [str(Lazy("Results kept by the results-based cut")), rounded(scenario.results_kept)]
    yield []
    yield [str(Lazy("Assumptions"))]
    for text in scenario.assumptions:
        yield [str(text)]


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return decimal_comma(cell.cents)
    if isinstance(cell, Decimal):
        return str(cell).replace(".", ",")
    return guarded(cell)


def excel_csv(rows: Iterable[Iterable[object]]) -> str:
    """Semicolons, a UTF-8 byte order mark and CRLF: what Dutch Excel opens by double-clicking.
    Cells are written as str() gives them; callers guard text that users typed (`guarded`)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([str(cell) for cell in row] for row in rows)
    return out.getvalue()


def scenario_csv(scenario: Scenario) -> bytes:
    """The scenario as CSV bytes that Dutch Excel opens by double-clicking."""
    return excel_csv([_csv_text(cell) for cell in row] for row in _rows(scenario)).encode()


def scenario_xlsx(scenario: Scenario) -> bytes:
    """The scenario as an XLSX workbook (openpyxl is imported only here)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(Lazy("Scenario"))[:31]
    for number, row in enumerate(_rows(scenario), start=1):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(number, column)
            if isinstance(value, Money):
                cell.value = Decimal(value.cents).scaleb(-2)
                cell.number_format = "#,##0.00"
            elif isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "0.00"
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # never a formula, whatever it starts with
                cell.quotePrefix = value.startswith(FORMULA_STARTS)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
