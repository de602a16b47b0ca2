"""Cut scenarios through the JSON API under /api/v1: save one, list them, read one as JSON, CSV,
XLSX or the council memo's PDF."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Request

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.routing import CommittingRoute
from app.scenarios import service
from app.scenarios.files import FORMATS, scenario_file, scenario_out, summary_out
from app.scenarios.schemas import ScenarioIn, ScenarioOut, ScenarioPage

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["scenarios"], dependencies=SIGNED_IN_API
)

EXAMPLES = {
    "percentage": {
        "summary": "10% off every contract's budget in total, one target group protected",
        "value": {
            "name": "Bezuiniging 2027: 10%",
            "saving_percentage": "10",
            "protected_target_groups": ["Gezinnen met meervoudige problemen"],
        },
    },
    "amount": {
        "summary": "An amount, one contract protected and a floor for another",
        "value": {
            "name": "Kaasschaaf of resultaat: € 150.000",
            "saving_amount_cents": 15_000_000,
            "protected_contracts": [3],
            "floors": [{"contract_id": 4, "floor_cents": 20_000_000}],
        },
    },
}
FILES = {
    200: {
        "description": "The scenario: JSON, or a CSV (semicolons and a UTF-8 byte order mark, as "
        "Dutch Excel opens it), an XLSX workbook or the council memo as a PDF",
        "content": {media_type: {} for media_type in FORMATS.values()},
    }
}
Format = Annotated[str | None, Query(pattern="^(json|csv|xlsx|pdf)$")]


@router.post("/scenarios", status_code=201, response_model=ScenarioOut)
async def create(
    ctx: ApiCtx, body: Annotated[ScenarioIn, Body(openapi_examples=EXAMPLES)]
) -> ScenarioOut:
    """Compute and save a cut scenario on your municipality's contracts: the flat cut
    (kaasschaaf) and the results-based cut of the same saving side by side, with protected
    contracts and target groups and a floor per contract. Give the saving as
    `saving_amount_cents` or `saving_percentage`, one of the two. When the protections and
    floors leave too little to cut, the scenario is saved all the same and says how much it
    falls short. The contract figures are frozen with it: it reads back the same later."""
    return scenario_out(await service.create_scenario(ctx, body))


@router.get("/scenarios", response_model=ScenarioPage)
async def list_scenarios(
    ctx: ApiCtx,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ScenarioPage:
    """Your municipality's saved scenarios, newest first (policy officers, auditors, admins)."""
    found = await service.list_scenarios(ctx, page, per_page)
    return ScenarioPage(
        items=[summary_out(record) for record in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
    )


def _wanted(request: Request, format: str | None) -> str:
    if format is not None:
        return format
    accept = request.headers.get("accept", "")
    for kind, media_type in FORMATS.items():
        if media_type.split(";")[0] in accept:
            return kind
    return "json"


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut, responses=FILES)
async def get_scenario(request: Request, ctx: ApiCtx, scenario_id: UUID, format: Format = None):
    """One saved scenario of your municipality: both cuts per contract and per target group,
    the totals, any shortfall and every assumption in words. As CSV with `?format=csv` or
    `Accept: text/csv`, as XLSX with `?format=xlsx` or the XLSX media type, and the council
    memo as a PDF with `?format=pdf` or `Accept: application/pdf`."""
    saved = await service.get_scenario(ctx, scenario_id)
    kind = _wanted(request, format)
    if kind == "json":
        return scenario_out(saved)
    return scenario_file(saved, kind)
