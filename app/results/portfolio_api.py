"""The portfolio through the JSON API: GET /api/v1/portfolio, as JSON or as CSV for Excel."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.challenges.models import THEME_LABELS, Theme
from app.evaluation.scores import rounded
from app.i18n import Lazy
from app.results.amounts import decimal_comma
from app.results.export import CSV_TYPE, excel_csv, guarded
from app.results.portfolio import BASIS_LABELS, PORTFOLIO_RULE, Total, whole_cents
from app.results.portfolio_service import (
    DEFAULT_ORDER,
    DEFAULT_SORT,
    Portfolio,
    PortfolioRow,
    load_portfolio,
)
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["results"], dependencies=SIGNED_IN_API
)

SortKey = Literal[
    "reference",
    "title",
    "coalition",
    "theme",
    "target_group",
    "cost",
    "paid",
    "results",
    "results_per_euro",
    "achieved_share",
]


class PortfolioContractOut(BaseModel):
    contract_id: int
    reference: str
    title: str = Field(description="The challenge's title")
    coalition_name: str
    theme: str | None
    target_group: str = Field(description="The challenge's target group, or “—” when it names none")
    status: str = Field(description="The contract's: running or completed")
    cost_cents: int = Field(description="The contract's value")
    paid_cents: int = Field(description="The payments recorded so far")
    expected_results_cents: int = Field(
        description="Expected results in euro cents of results, rounded to the cent"
    )
    results_per_euro: str | None = Field(
        description="Expected results / cost, two decimals; null for a contract of no value"
    )
    achieved_percent: str | None = Field(
        description="Average performance of the indicators with an accepted value, in percent "
        "with two decimals; null while none has one"
    )
    estimated: bool = Field(description="Some results are estimated from the committed targets")
    valuation: list[Literal["valued", "at_price"]] = Field(
        description="How its indicators are valued: by the municipality's outcome value per "
        "unit, or at contract price"
    )
    indicator_statuses: dict[str, int] = Field(
        description="The number of indicators per status (on_track, at_risk, off_track, "
        "not_reported)"
    )


class PortfolioTotalOut(BaseModel):
    label: str = Field(description="The theme or target group; empty for the whole portfolio")
    contracts: int
    estimated: int = Field(description="How many of the contracts are estimated")
    cost_cents: int
    expected_results_cents: int
    results_per_euro: str | None


class PortfolioOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rule": "Per indicator, performance is what its latest accepted value ...",
                    "theme": None,
                    "target_group": None,
                    "sort": "results_per_euro",
                    "order": "desc",
                    "themes": ["work"],
                    "target_groups": ["Werkzoekenden met een bijstandsuitkering"],
                    "total": {
                        "label": "",
                        "contracts": 1,
                        "estimated": 0,
                        "cost_cents": 10_000_000,
                        "expected_results_cents": 12_400_000,
                        "results_per_euro": "1.24",
                    },
                    "by_theme": [
                        {
                            "label": "work",
                            "contracts": 1,
                            "estimated": 0,
                            "cost_cents": 10_000_000,
                            "expected_results_cents": 12_400_000,
                            "results_per_euro": "1.24",
                        }
                    ],
                    "by_target_group": [
                        {
                            "label": "Werkzoekenden met een bijstandsuitkering",
                            "contracts": 1,
                            "estimated": 0,
                            "cost_cents": 10_000_000,
                            "expected_results_cents": 12_400_000,
                            "results_per_euro": "1.24",
                        }
                    ],
                    "contracts": [
                        {
                            "contract_id": 7,
                            "reference": "UK-2026-0007",
                            "title": "Vrijwilligerswerk houdt het werkritme vast",
                            "coalition_name": "Samen aan het werk",
                            "theme": "work",
                            "target_group": "Werkzoekenden met een bijstandsuitkering",
                            "status": "running",
                            "cost_cents": 10_000_000,
                            "paid_cents": 2_500_000,
                            "expected_results_cents": 12_400_000,
                            "results_per_euro": "1.24",
                            "achieved_percent": "80.00",
                            "estimated": False,
                            "valuation": ["valued", "at_price"],
                            "indicator_statuses": {
                                "on_track": 1,
                                "at_risk": 0,
                                "off_track": 1,
                                "not_reported": 0,
                            },
                        }
                    ],
                }
            ]
        }
    )

    rule: str = Field(description="How results per euro are worked out, in words")
    theme: str | None
    target_group: str | None
    sort: str
    order: str
    themes: list[str] = Field(description="The themes of the whole portfolio (for the filter)")
    target_groups: list[str] = Field(description="The target groups of the whole portfolio")
    total: PortfolioTotalOut
    by_theme: list[PortfolioTotalOut]
    by_target_group: list[PortfolioTotalOut]
    contracts: list[PortfolioContractOut]


def _two(value) -> str | None:
    return str(rounded(value)) if value is not None else None


def total_out(one: Total) -> PortfolioTotalOut:
    return PortfolioTotalOut(
        label=one.label,
        contracts=one.contracts,
        estimated=one.estimated,
        cost_cents=one.cost_cents,
        expected_results_cents=whole_cents(one.expected_results),
        results_per_euro=_two(one.results_per_euro),
    )


def row_out(row: PortfolioRow) -> PortfolioContractOut:
    return PortfolioContractOut(
        contract_id=row.id,
        reference=row.reference,
        title=row.title,
        coalition_name=row.coalition_name,
        theme=row.theme,
        target_group=row.target_group,
        status=row.status,
        cost_cents=row.cost_cents,
        paid_cents=row.paid_cents,
        expected_results_cents=whole_cents(row.expected_results),
        results_per_euro=_two(row.results_per_euro),
        achieved_percent=_two(row.achieved_share * 100) if row.achieved_share is not None else None,
        estimated=row.estimated,
        valuation=list(row.outcome.bases),
        indicator_statuses=row.status_counts,
    )


def portfolio_out(portfolio: Portfolio) -> PortfolioOut:
    return PortfolioOut(
        rule=str(PORTFOLIO_RULE),
        theme=portfolio.theme,
        target_group=portfolio.target_group,
        sort=portfolio.sort,
        order=portfolio.order,
        themes=list(portfolio.themes),
        target_groups=list(portfolio.target_groups),
        total=total_out(portfolio.total),
        by_theme=[total_out(t) for t in portfolio.by_theme],
        by_target_group=[total_out(t) for t in portfolio.by_target_group],
        contracts=[row_out(r) for r in portfolio.rows],
    )


def _comma(value) -> str:
    return str(rounded(value)).replace(".", ",") if value is not None else ""


def portfolio_csv(portfolio: Portfolio) -> bytes:
    """The portfolio table with its total for Dutch Excel (export.excel_csv)."""
    header = (
        Lazy("Contract"),
        Lazy("Title"),
        Lazy("Coalition"),
        Lazy("Theme"),
        Lazy("Target group"),
        Lazy("Cost (€)"),
        Lazy("Paid (€)"),
        Lazy("Expected results (€)"),
        Lazy("Results per euro"),
        Lazy("Achieved share of committed targets (%)"),
        Lazy("Estimated"),
        Lazy("Valuation"),
    )
    rows = [
        [
            guarded(row.reference),
            guarded(row.title),
            guarded(row.coalition_name),
            str(THEME_LABELS[row.theme]) if row.theme else "",
            guarded(row.target_group),
            decimal_comma(row.cost_cents),
            decimal_comma(row.paid_cents),
            decimal_comma(whole_cents(row.expected_results)),
            _comma(row.results_per_euro),
            _comma(row.achieved_share * 100) if row.achieved_share is not None else "",
            str(Lazy("yes") if row.estimated else Lazy("no")),
            ", ".join(str(BASIS_LABELS[b]) for b in row.outcome.bases),
        ]
        for row in portfolio.rows
    ]
    total = portfolio.total
    rows.append(
        [
            str(Lazy("Total")),
            "",
            "",
            "",
            "",
            decimal_comma(total.cost_cents),
            decimal_comma(sum(r.paid_cents for r in portfolio.rows)),
            decimal_comma(whole_cents(total.expected_results)),
            _comma(total.results_per_euro),
            "",
            str(total.estimated),
            "",
        ]
    )
    return excel_csv([header, *rows]).encode()


CSV_TOO = {200: {"content": {"text/csv": {}}}}


@router.get("/portfolio", response_model=PortfolioOut, responses=CSV_TOO)
async def portfolio(
    request: Request,
    ctx: ApiCtx,
    theme: Annotated[Theme | None, Query(description="Only contracts of this theme")] = None,
    target_group: Annotated[
        str | None,
        Query(max_length=20_000, description="Only contracts for this target group, as listed"),
    ] = None,
    sort: Annotated[SortKey, Query(description="The column to sort by")] = DEFAULT_SORT,
    order: Annotated[Literal["asc", "desc"], Query()] = DEFAULT_ORDER,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
):
    """The contracts of your municipality (policy officers, auditors and admins of a
    municipality): cost, payments, expected results in euros and results per euro, the achieved
    share of committed targets, and totals per theme and per target group. The rule is in
    `rule`. A target group not served by any contract is refused (422). CSV with `?format=csv`
    or `Accept: text/csv`."""
    found = await load_portfolio(
        ctx,
        theme=theme.value if theme else None,
        target_group=target_group or None,
        sort=sort,
        order=order,
    )
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        return Response(
            portfolio_csv(found),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": 'attachment; filename="portfolio.csv"'},
        )
    return portfolio_out(found)
