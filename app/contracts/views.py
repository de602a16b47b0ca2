"""Public contract pages: the list of contracts and one contract's summary."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import PUBLIC_PAGES, WebCtx
from app.challenges.views import _int, _query_without
from app.contracts import search
from app.db import Id
from app.results.views import contract_page
from app.routing import CommittingRoute
from app.web import render

public_router = APIRouter(
    route_class=CommittingRoute, dependencies=PUBLIC_PAGES, include_in_schema=False
)


@public_router.get("/contracts")
async def contract_list(request: Request, ctx: WebCtx) -> Response:
    params = request.query_params
    filters = search.ContractFilter(
        municipality=_int(params.get("municipality")),
        page=max(1, min(_int(params.get("page"), 1) or 1, 10_000)),
    )
    return render(
        request,
        "contracts/list.html",
        {
            "page": await search.list_contracts(ctx, filters),
            "filters": filters,
            "municipalities": await search.municipalities_with_contracts(ctx),
            "query_without_page": _query_without(request, "page"),
        },
        block="results",
    )


@public_router.get("/contracts/{contract_id}")
async def contract_detail(request: Request, ctx: WebCtx, contract_id: Id) -> Response:
    """The contract with its results, reports and payments (app/results/views.py)."""
    return await contract_page(request, ctx, contract_id)
