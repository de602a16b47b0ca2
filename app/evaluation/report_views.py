"""The evaluation report as a printable page: the same answer as the API's, to the same readers."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.db import Id, writes_on_read
from app.evaluation import committee, report
from app.evaluation.report_answer import report_of
from app.routing import CommittingRoute
from app.web import render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)


@router.get("/challenges/{challenge_id}/evaluation/report")
@writes_on_read  # the first complete ranking that needs a lot draws and records its seed
async def report_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    evaluation = await report.for_reader(ctx, challenge_id)
    answer = await report_of(ctx, evaluation)
    people = await committee.people(ctx, {m.user_id for m in answer.committee})
    coalitions = {p.proposal_id: p.coalition for p in answer.proposals}
    exclusions = {p.proposal_id: [v for v in p.verdicts if not v.passed] for p in answer.proposals}
    context = {
        "challenge": evaluation.challenge,
        "report": answer,
        "organisations": {user_id: organisation for user_id, (_n, organisation) in people.items()},
        "coalitions": coalitions,
        "exclusions": exclusions,
        "quality": [c for c in answer.criteria if c.kind == "quality"],
        "formula": [c for c in answer.criteria if c.kind == "formula"],
        "json_url": f"/api/v1/challenges/{evaluation.challenge.id}/evaluation/report",
    }
    return render(request, "evaluation/report.html", context)
