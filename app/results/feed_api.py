"""GET /api/v1/auditor/results: accepted results across the portfolio, as JSON or CSV, for API
clients with the scope results:read (app/results/feed.py says what the rows are)."""

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api_clients.deps import ClientCaller, require_scope
from app.auth.deps import Now
from app.challenges.models import Theme
from app.challenges.schemas import EARLIEST, LATEST
from app.context import Context
from app.db import DbSession
from app.errors import ValidationFailed
from app.i18n import Lazy
from app.results import feed
from app.results.export import CSV_TYPE, decimal_text, excel_csv, guarded
from app.routing import CommittingRoute

router = APIRouter(prefix="/api/v1/auditor", route_class=CommittingRoute, tags=["auditor"])

PATH = "/api/v1/auditor/results"


class PortfolioRowOut(BaseModel):
    contract_id: int
    contract_reference: str
    challenge_id: int
    challenge_title: str
    theme: str | None
    municipality_id: int
    municipality: str
    municipality_slug: str = Field(description="What `municipality=` also takes")
    indicator_id: int
    indicator: str
    unit: str
    period: int = Field(description="The indicator's own reporting period, from 1")
    start: date
    end: date
    value: float | None = Field(
        description='The accepted value; null where `people_shown` is "<5": a value about so '
        "few people is not published to a reader who sees the count suppressed."
    )
    people: int | None = Field(description='null where the count reads "<5"')
    people_shown: str = Field(description='The count as this client may read it: a number or "<5"')
    report_id: int
    report_version: int
    accepted_at: datetime | None


class LinksOut(BaseModel):
    next: str | None = Field(description="The next page's URL; null on the last page")


class PortfolioResultsOut(BaseModel):
    rows: list[PortfolioRowOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    links: LinksOut


ROW_EXAMPLE = {
    "contract_id": 3,
    "contract_reference": "UK-2026-0003",
    "challenge_id": 6,
    "challenge_title": "Eén gezin, één coach",
    "theme": "care",
    "municipality_id": 1,
    "municipality": "Gemeente Voorbeeldstad",
    "municipality_slug": "gemeente-voorbeeldstad",
    "indicator_id": 14,
    "indicator": "Huishoudens met één plan",
    "unit": "huishoudens",
    "period": 2,
    "start": "2025-12-01",
    "end": "2026-02-28",
    "value": 3.0,
    "people": None,
    "people_shown": "<5",
    "report_id": 21,
    "report_version": 1,
    "accepted_at": "2026-03-20T10:15:00Z",
}
CSV_EXAMPLE = (
    "\ufeffGemeente;Contract;Opgave;Thema;Indicator-id;Indicator;Eenheid;Periode;Van;Tot en met;"
    "Geaccepteerde waarde;Aantal personen\r\n"
    "Gemeente Voorbeeldstad;UK-2026-0003;Eén gezin, één coach;care;14;Huishoudens met één plan;"
    "huishoudens;2;2025-12-01;2026-02-28;3;<5\r\n"
)


def _url(request: Request, **params: Any) -> str:
    base = request.app.state.settings.base_url.rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{PATH}" + (f"?{query}" if query else "")


def _in_calendar(name: str, day: date | None) -> None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationFailed({name: Lazy("Enter a date between the years 1900 and 2999.")})


def portfolio_csv(rows: list[feed.ResultRow]) -> str:
    """The results across the portfolio for Dutch Excel (export.excel_csv)."""
    header = (
        Lazy("Municipality"),
        Lazy("Contract"),
        Lazy("Challenge"),
        Lazy("Theme"),
        Lazy("Indicator id"),
        Lazy("Indicator"),
        Lazy("Unit"),
        Lazy("Period"),
        Lazy("From"),
        Lazy("To"),
        Lazy("Accepted value"),
        Lazy("Number of people"),
    )
    return excel_csv(
        [
            header,
            *(
                [
                    guarded(row.municipality),
                    guarded(row.contract_reference),
                    guarded(row.challenge_title),
                    row.theme or "",
                    str(row.indicator_id),
                    guarded(row.indicator),
                    guarded(row.unit),
                    str(row.period),
                    row.start.isoformat(),
                    row.end.isoformat(),
                    decimal_text(row.value),
                    row.people_shown,
                ]
                for row in rows
            ),
        ]
    )


def _row_out(row: feed.ResultRow) -> PortfolioRowOut:
    fields = {name: getattr(row, name) for name in PortfolioRowOut.model_fields}
    return PortfolioRowOut(**fields)


@router.get(
    "/results",
    response_model=PortfolioResultsOut,
    summary="Accepted results across the portfolio (JSON or CSV)",
    dependencies=[require_scope("results:read")],
    responses={
        200: {
            "description": "One row per contract × indicator × reporting period with an accepted "
            "value, in a stable order (contract, indicator, period); a `Link: <…>; "
            'rel="next"` header names the next page while there is one',
            "content": {
                "application/json": {
                    "example": {
                        "rows": [ROW_EXAMPLE],
                        "next_cursor": "WzMsMSwyXQ",
                        "links": {
                            "next": "http://127.0.0.1:8000/api/v1/auditor/results?cursor=WzMsMSwyXQ"
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            },
        },
        429: {"description": "Too many requests from this API client; see `Retry-After`"},
    },
)
async def portfolio_results(
    request: Request,
    db: DbSession,
    now: Now,
    caller: ClientCaller,
    municipality: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The municipality that owns the contract: its id, or the slug of its "
            "name (`gemeente-voorbeeldstad`)",
        ),
    ] = None,
    start: Annotated[
        date | None,
        Query(alias="from", description="Periods that end on or after this day"),
    ] = None,
    end: Annotated[
        date | None,
        Query(alias="to", description="Periods that end on or before this day"),
    ] = None,
    theme: Annotated[Theme | None, Query(description="The challenge's theme")] = None,
    indicator: Annotated[
        str | None,
        Query(max_length=200, description="An indicator's id, or its name (case aside)"),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="From `next_cursor` of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
):
    """The official results of every contract, filterable by municipality, period, theme and
    indicator and paged by a cursor; only accepted values, never a version under review or
    queried. Counts of fewer than 5 people read "<5" unless the municipality that owns the
    contract registered this client. CSV with `?format=csv` or `Accept: text/csv`
    (semicolons and a UTF-8 BOM, as Dutch Excel opens it)."""
    _in_calendar("from", start)
    _in_calendar("to", end)
    if start is not None and end is not None and end < start:
        raise ValidationFailed({"to": Lazy("The end of the period comes before its start.")})
    after = feed.Cursor.decode(cursor) if cursor else None
    chosen = feed.ResultsFilter(municipality, start, end, theme, indicator)
    page = await feed.results_page(
        Context(db=db, user=None, now=now), caller.client, chosen, after, limit
    )
    next_cursor = page.next.encode() if page.next is not None else None
    next_url = None
    if next_cursor is not None:
        next_url = _url(
            request,
            municipality=municipality,
            theme=theme.value if theme else None,
            indicator=indicator,
            limit=limit,
            format=format,
            cursor=next_cursor,
            **{
                "from": start.isoformat() if start else None,
                "to": end.isoformat() if end else None,
            },
        )
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        headers["Content-Disposition"] = 'attachment; filename="results.csv"'
        return Response(portfolio_csv(page.rows), media_type=CSV_TYPE, headers=headers)
    body = PortfolioResultsOut(
        rows=[_row_out(row) for row in page.rows],
        next_cursor=next_cursor,
        links=LinksOut(next=next_url),
    )
    return Response(body.model_dump_json(), media_type="application/json", headers=headers)
