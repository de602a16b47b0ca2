"""The evaluation through the JSON API: committee, declarations, scores, consensus, report."""

from uuid import UUID

from fastapi import APIRouter

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.auth.permissions import Action, can, is_unsealed
from app.context import Context
from app.db import Id, writes_on_read
from app.evaluation import committee, declarations, report, scoring
from app.evaluation import consensus as consensus_service
from app.evaluation.report_answer import proposal_out, report_out
from app.evaluation.schemas import (
    CommitteeChangeOut,
    CommitteeIn,
    CommitteeOut,
    ConsensusIn,
    DeclarationsIn,
    FormulaOut,
    MemberOut,
    MemberScoresOut,
    ProposalEvaluationOut,
    ProposalScoresOut,
    ProposalTask,
    ReportOut,
    ScoreOut,
    ScoresIn,
    SeatOut,
    TasksOut,
    VerdictsIn,
)
from app.evaluation.seats import my_seats
from app.evaluation.state import Evaluation, for_member
from app.i18n import Lazy
from app.proposals.opening import OpenedProposal
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


@router.get("/evaluations", response_model=list[SeatOut])
async def get_my_seats(ctx: ApiCtx) -> list[SeatOut]:
    """The caller's seats on committees now (the latest deadline first), with whether the
    proposals are opened and when the caller submitted their scores."""
    return [
        SeatOut(
            challenge_id=challenge.id,
            title=challenge.title,
            role=role,
            submission_deadline=challenge.submission_deadline,
            opened=is_unsealed(challenge, ctx.now),
            submitted_at=submitted_at,
        )
        for challenge, role, submitted_at in await my_seats(ctx)
    ]


# --- a member's tasks, declarations and scores ------------------------------------------------


def tasks_out(evaluation: Evaluation, user_id: int, scores: list) -> TasksOut:
    judging = evaluation.judging()
    own = [s for s in scores if s.user_id == user_id]
    todo = scoring.tasks(evaluation, user_id)
    by_coalition = {p.coalition_id: str(p.proposal_id) for p in evaluation.opened}
    done = {(by_coalition.get(s.coalition_id), s.criterion_id) for s in own} & todo
    proposals = []
    for proposal in evaluation.opened:
        key = str(proposal.proposal_id)
        declaration = evaluation.declaration(user_id, proposal)
        proposals.append(
            ProposalTask(
                proposal_id=proposal.proposal_id,
                coalition=proposal.coalition,
                members=list(proposal.members),
                declared=declaration is not None,
                conflict=None if declaration is None else declaration.conflict,
                recused=(user_id, key) in judging.recused,
                scored=sum(1 for p, _c in done if p == key),
                to_score=sum(1 for p, _c in todo if p == key),
            )
        )
    seat = evaluation.seat(user_id)
    return TasksOut(
        challenge_id=evaluation.challenge.id,
        role=evaluation.role_of(user_id),
        declared_all=seat.undeclared == 0,
        scores_done=len(done),
        scores_total=len(todo),
        progress=str(Lazy("%(done)s of %(total)s scores", done=len(done), total=len(todo))),
        submitted=seat.submitted,
        submitted_at=evaluation.submitted.get(user_id),
        proposals=proposals,
    )


async def my_tasks(ctx: Context, challenge_id: int) -> TasksOut:
    evaluation = await for_member(ctx, challenge_id)
    return tasks_out(evaluation, ctx.user.id, await scoring.scores_of(ctx, evaluation))


SEALED = {409: {"description": "Still sealed: the submission deadline has not passed"}}


@router.get("/challenges/{challenge_id}/evaluation", response_model=TasksOut, responses=SEALED)
@writes_on_read
async def get_tasks(ctx: ApiCtx, challenge_id: Id) -> TasksOut:
    """The caller's tasks as a committee member: the opened proposals (coalition and member
    organisations), declared or not, recused, and the scoring progress ("12 of 18 scores")."""
    return await my_tasks(ctx, challenge_id)


@router.post(
    "/challenges/{challenge_id}/evaluation/declarations", response_model=TasksOut, status_code=201
)
async def post_declarations(ctx: ApiCtx, challenge_id: Id, body: DeclarationsIn) -> TasksOut:
    """Declare, per opened proposal, a conflict of interest (with an explanation) or none.
    Final: a second declaration on the same proposal is refused (409)."""
    evaluation = await declarations.declare(ctx, challenge_id, body)
    return tasks_out(evaluation, ctx.user.id, await scoring.scores_of(ctx, evaluation))


def _score_out(criterion, score) -> ScoreOut:
    return ScoreOut(
        criterion_id=criterion.id,
        criterion=criterion.name,
        score=score.score if score else None,
        rationale=score.rationale if score else "",
    )


async def proposal_scores_out(
    ctx: Context, evaluation: Evaluation, proposal: OpenedProposal
) -> ProposalScoresOut:
    scores = await scoring.scores_of(ctx, evaluation)
    mine = {
        s.criterion_id: s
        for s in scores
        if s.user_id == ctx.user.id and s.coalition_id == proposal.coalition_id
    }
    place = evaluation.place(ctx.user.id, proposal)
    others = None
    if can(ctx.user, Action.evaluation_read_scores, place, ctx.now):
        others = [
            MemberScoresOut(
                user_id=member.user_id,
                name=member.user.name,
                submitted=member.user_id in evaluation.submitted,
                scores=[
                    _score_out(
                        c,
                        next(
                            (
                                s
                                for s in scores
                                if s.user_id == member.user_id
                                and s.coalition_id == proposal.coalition_id
                                and s.criterion_id == c.id
                                # A draft is the member's own until they submit it.
                                and member.user_id in evaluation.submitted
                            ),
                            None,
                        ),
                    )
                    for c in evaluation.quality
                ],
            )
            for member in evaluation.members
            if member.user_id != ctx.user.id
        ]
    verdicts = await scoring.verdicts_of(ctx, evaluation)
    formula = scoring.computed(evaluation, verdicts)[proposal.proposal_id]
    return ProposalScoresOut(
        proposal_id=proposal.proposal_id,
        coalition=proposal.coalition,
        content=proposal.content or {},
        scale_min=evaluation.scale.minimum,
        scale_max=evaluation.scale.maximum,
        final=place.seat.submitted,
        missing=[c.id for c in evaluation.quality if c.id not in mine],
        own=[_score_out(c, mine.get(c.id)) for c in evaluation.quality],
        formula=[
            FormulaOut(
                criterion_id=f.criterion_id,
                criterion=f.criterion,
                score=None if f.score is None else str(f.score),
                rule=str(f.rule),
                explanation="" if f.explanation is None else str(f.explanation),
            )
            for f in formula
        ],
        others=others,
    )


@router.get(
    "/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/scores",
    response_model=ProposalScoresOut,
    responses=SEALED,
)
@writes_on_read
async def get_scores(ctx: ApiCtx, challenge_id: Id, proposal_id: UUID) -> ProposalScoresOut:
    """A proposal's content and the caller's scores on it, the formula criteria as computed
    (with their rule), and the other members' scores once the caller has submitted."""
    evaluation, proposal = await scoring.proposal_for_member(ctx, challenge_id, proposal_id)
    return await proposal_scores_out(ctx, evaluation, proposal)


@router.put(
    "/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/scores",
    response_model=ProposalScoresOut,
)
async def put_scores(
    ctx: ApiCtx, challenge_id: Id, proposal_id: UUID, body: ScoresIn
) -> ProposalScoresOut:
    """Save (part of) the caller's scores on a proposal: a score on the challenge's scale and a
    rationale per quality criterion. Formula criteria are computed, never typed."""
    evaluation, proposal = await scoring.save_scores(ctx, challenge_id, proposal_id, body)
    return await proposal_scores_out(ctx, evaluation, proposal)


@router.post("/challenges/{challenge_id}/evaluation/submit", response_model=TasksOut)
async def post_submit(ctx: ApiCtx, challenge_id: Id) -> TasksOut:
    """Submit all of the caller's scores; refused (422, listing what is missing) until every
    declaration and score is in. Final afterwards."""
    await scoring.submit(ctx, challenge_id)
    return await my_tasks(ctx, challenge_id)


# --- the chair: minimum requirements and consensus; the report --------------------------------


async def chair_view(ctx: Context, evaluation: Evaluation, proposal: OpenedProposal):
    return proposal_out(ctx, await report.facts(ctx, evaluation), proposal)


CHAIR = {409: {"description": "Not all members have submitted, or the chair is recused"}}


@router.put(
    "/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/requirements",
    response_model=ProposalEvaluationOut,
)
async def put_requirements(
    ctx: ApiCtx, challenge_id: Id, proposal_id: UUID, body: VerdictsIn
) -> ProposalEvaluationOut:
    """The chair's pass/fail per minimum requirement, with a reason; a fail excludes the
    proposal from the ranking."""
    evaluation, proposal = await consensus_service.record_requirements(
        ctx, challenge_id, proposal_id, body
    )
    return await chair_view(ctx, evaluation, proposal)


@router.get(
    "/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
    response_model=ProposalEvaluationOut,
    responses=SEALED,
)
@writes_on_read
async def get_consensus(ctx: ApiCtx, challenge_id: Id, proposal_id: UUID) -> ProposalEvaluationOut:
    """For the chair: every member's scores side by side (large spreads highlighted), the
    verdicts, the formula criteria and the consensus so far."""
    evaluation, proposal = await consensus_service.for_chair(ctx, challenge_id, proposal_id)
    return await chair_view(ctx, evaluation, proposal)


@router.put(
    "/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
    response_model=ProposalEvaluationOut,
    responses=CHAIR,
)
async def put_consensus(
    ctx: ApiCtx, challenge_id: Id, proposal_id: UUID, body: ConsensusIn
) -> ProposalEvaluationOut:
    """The chair's consensus score and rationale per quality criterion, once every member who
    judges the proposal has submitted (409 says how many have not)."""
    evaluation, proposal = await consensus_service.record_consensus(
        ctx, challenge_id, proposal_id, body
    )
    return await chair_view(ctx, evaluation, proposal)


@router.get(
    "/challenges/{challenge_id}/evaluation/report", response_model=ReportOut, responses=SEALED
)
@writes_on_read
async def get_report(ctx: ApiCtx, challenge_id: Id) -> ReportOut:
    """The evaluation report (the owner's policy officers and auditors, and the committee; a
    member sees a proposal once they have submitted, and never one they are recused from)."""
    return await report_out(ctx, challenge_id)
