"""The portfolio page: the municipality's contracts with cost, results and results per euro,
filtered by theme and target group, sorted by any column, with a chart and totals."""

from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.challenges.models import Theme
from app.errors import ValidationFailed
from app.i18n import Lazy
from app.results.portfolio import BASIS_LABELS, ESTIMATED, PORTFOLIO_RULE, whole_cents
from app.results.portfolio_chart import Bar, portfolio_chart, two_decimals
from app.results.portfolio_service import (
    DEFAULT_ORDER,
    DEFAULT_SORT,
    SORT_KEYS,
    Portfolio,
    load_portfolio,
)
from app.results.status import LABELS as STATUS_LABELS
from app.routing import CommittingRoute
from app.web import render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

# Text columns read best A to Z first, figures highest first.
TEXT_COLUMNS = {"reference", "title", "coalition", "theme", "target_group"}
COLUMNS: dict[str, Lazy] = {
    "reference": Lazy("Contract"),
    "theme": Lazy("Theme"),
    "target_group": Lazy("Target group"),
    "cost": Lazy("Cost"),
    "paid": Lazy("Paid"),
    "results": Lazy("Expected results"),
    "results_per_euro": Lazy("Results per euro"),
    "achieved_share": Lazy("Achieved share of committed targets"),
}  # the coalition is named under its contract (the API also sorts by coalition)


def per_euro(value: Fraction | None) -> str:
    return two_decimals(value) if value is not None else "–"


def percent(value: Fraction | None) -> str:
    return f"{two_decimals(value * 100)}%" if value is not None else "–"


def _url(**params: str | None) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v])
    return "/portfolio" + (f"?{query}" if query else "")


def _sorting(portfolio: Portfolio) -> dict[str, dict[str, Any]]:
    """Per column: the link that sorts by it (the other way round when it is the sort now) and
    its aria-sort."""
    found = {}
    for key in COLUMNS:
        current = portfolio.sort == key
        if current:
            order = "asc" if portfolio.order == "desc" else "desc"
        else:
            order = "asc" if key in TEXT_COLUMNS else "desc"
        found[key] = {
            "url": _url(
                theme=portfolio.theme,
                target_group=portfolio.target_group,
                sort=key,
                order=order,
            ),
            "aria": ("ascending" if portfolio.order == "asc" else "descending")
            if current
            else None,
        }
    return found


def _csv_url(portfolio: Portfolio) -> str:
    query = urlencode(
        [
            (k, v)
            for k, v in (
                ("theme", portfolio.theme),
                ("target_group", portfolio.target_group),
                ("sort", portfolio.sort),
                ("order", portfolio.order),
                ("format", "csv"),
            )
            if v
        ]
    )
    return f"/api/v1/portfolio?{query}"


def _chart(portfolio: Portfolio) -> str:
    return portfolio_chart(
        chart_id="portfolio-chart",
        title=str(Lazy("Results per euro per contract")),
        bars=[
            Bar(
                label=row.reference,
                name=f"{row.reference} {row.coalition_name}",
                value=row.results_per_euro,
                estimated=row.estimated,
            )
            for row in portfolio.rows
        ],
    )


@router.get("/portfolio")
async def portfolio_page(request: Request, ctx: WebCtx) -> Response:
    """The portfolio of the officer's (auditor's, admin's) own municipality."""
    params = request.query_params
    sort = params.get("sort") or DEFAULT_SORT
    order = params.get("order") or (
        DEFAULT_ORDER if sort not in SORT_KEYS else ("asc" if sort in TEXT_COLUMNS else "desc")
    )
    chosen = {
        "theme": params.get("theme") or None,
        "target_group": params.get("target_group") or None,
        "sort": sort,
        "order": order,
    }
    errors: dict[str, Any] = {}
    try:
        portfolio = await load_portfolio(ctx, **chosen)
    except ValidationFailed as failed:
        errors = failed.errors
        portfolio = await load_portfolio(ctx)
    return render(
        request,
        "results/portfolio.html",
        {
            "portfolio": portfolio,
            "chosen": chosen,
            "errors": {k: str(v) for k, v in errors.items()},
            "columns": COLUMNS,
            "sorting": _sorting(portfolio),
            "chart": _chart(portfolio),
            "csv_url": _csv_url(portfolio),
            "rule": PORTFOLIO_RULE,
            "estimated_label": ESTIMATED,
            "basis_labels": BASIS_LABELS,
            "status_labels": STATUS_LABELS,
            "Theme": Theme,
            "per_euro": per_euro,
            "percent": percent,
            "cents": whole_cents,
        },
        status_code=422 if errors else 200,
        block="results",
    )
