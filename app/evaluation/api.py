"""The evaluation through the JSON API: committee, declarations, scores, consensus, report."""

from fastapi import APIRouter

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.context import Context
from app.db import Id
from app.evaluation import committee
from app.evaluation.schemas import CommitteeChangeOut, CommitteeIn, CommitteeOut, MemberOut
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["evaluation"], dependencies=SIGNED_IN_API
)


async def committee_out(ctx: Context, challenge_id: int) -> CommitteeOut:
    challenge, members = await committee.read_committee(ctx, challenge_id)
    out = [
        MemberOut(
            user_id=m.user_id,
            name=m.user.name,
            organisation_id=m.user.organisation_id,
            role=m.role,
        )
        for m in members
    ]
    return CommitteeOut(
        challenge_id=challenge.id,
        chair=next((m for m in out if m.role == "chair"), None),
        evaluators=[m for m in out if m.role == "evaluator"],
        scoring_started=await committee.scoring_started(ctx, challenge.id),
        history=[
            CommitteeChangeOut.model_validate(change, from_attributes=True)
            for change in await committee.history(ctx, challenge.id)
        ],
    )


@router.get("/challenges/{challenge_id}/committee", response_model=CommitteeOut)
async def get_committee(ctx: ApiCtx, challenge_id: Id) -> CommitteeOut:
    """The committee and every change made to it (owner's officers and auditors, members)."""
    return await committee_out(ctx, challenge_id)


@router.put("/challenges/{challenge_id}/committee", response_model=CommitteeOut)
async def put_committee(ctx: ApiCtx, challenge_id: Id, body: CommitteeIn) -> CommitteeOut:
    """Form or change the committee (the owner's policy officers); after scoring began, with a
    reason. Sending the same composition again changes nothing."""
    await committee.set_committee(ctx, challenge_id, body)
    return await committee_out(ctx, challenge_id)
