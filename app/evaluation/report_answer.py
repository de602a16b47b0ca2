"""The evaluation report and one proposal's evaluation as answers: built once, for the JSON API
and the printable page alike, so both show the same things to the same people."""

from uuid import UUID

from app.context import Context
from app.evaluation import consensus as consensus_service
from app.evaluation import report
from app.evaluation.ranking import tie_break_rule_text
from app.evaluation.schemas import (
    CriterionConsensusOut,
    CriterionOut,
    FormulaOut,
    IndividualOut,
    LotOut,
    MemberOut,
    PlaceOut,
    ProposalEvaluationOut,
    RankingOut,
    ReportDeclarationOut,
    ReportOut,
    SpreadOut,
    VerdictOut,
)
from app.evaluation.scores import spread
from app.evaluation.state import Evaluation
from app.proposals.opening import OpenedProposal


def proposal_out(
    ctx: Context, found: report.Facts, proposal: OpenedProposal
) -> ProposalEvaluationOut:
    """One proposal's evaluation as the caller may see it: individual scores (side by side, the
    spread highlighted) only for who may read them."""
    evaluation = found.evaluation
    show = report.visible(ctx, evaluation, proposal)
    requirements = {r.id: r.text for r in evaluation.challenge.requirements}
    verdicts = [v for v in found.verdicts if v.coalition_id == proposal.coalition_id]
    agreed = found.consensus_of(proposal)
    criteria = []
    for criterion in evaluation.quality:
        # The sitting committee's submitted scores: a member who left keeps theirs in the
        # database and the audit log, but no longer counts towards the spread or the consensus.
        given = [
            s
            for s in found.scores
            if s.coalition_id == proposal.coalition_id
            and s.criterion_id == criterion.id
            and evaluation.role_of(s.user_id) is not None
            and s.user_id in evaluation.submitted  # drafts stay their author's own
        ]
        individual = None
        spread_out = None
        if show:
            names = {m.user_id: m.user.name for m in evaluation.members}
            individual = [
                IndividualOut(
                    user_id=s.user_id,
                    name=names.get(s.user_id, ""),
                    score=s.score,
                    rationale=s.rationale,
                )
                for s in given
            ]
            if given:
                found_spread = spread([s.score for s in given], evaluation.scale)
                spread_out = SpreadOut(
                    lowest=str(found_spread.lowest),
                    highest=str(found_spread.highest),
                    width=str(found_spread.width),
                    large=found_spread.large,
                )
        consensus = agreed.get(criterion.id)
        criteria.append(
            CriterionConsensusOut(
                criterion_id=criterion.id,
                criterion=criterion.name,
                weight=criterion.weight,
                individual=individual,
                spread=spread_out,
                consensus=consensus.score if consensus and show else None,
                rationale=consensus.rationale if consensus and show else "",
            )
        )
    total = found.total(proposal) if show else None
    return ProposalEvaluationOut(
        proposal_id=proposal.proposal_id,
        coalition=proposal.coalition,
        members=list(proposal.members),
        verdicts=[
            VerdictOut(
                requirement_id=v.requirement_id,
                requirement=requirements.get(v.requirement_id, ""),
                passed=v.passed,
                reason=v.reason,
            )
            for v in verdicts
        ],
        excluded=any(not v.passed for v in verdicts),
        criteria=criteria,
        formula=[
            FormulaOut(
                criterion_id=f.criterion_id,
                criterion=f.criterion,
                score=None if f.score is None else str(f.score),
                rule=str(f.rule),
                explanation="" if f.explanation is None else str(f.explanation),
            )
            for f in found.formula.get(proposal.proposal_id, [])
        ],
        waiting_for=len(consensus_service.not_submitted(evaluation, proposal)),
        total=None if total is None else str(total),
    )


async def report_out(ctx: Context, challenge_id: int) -> ReportOut:
    """The report as the caller may read it: a member sees a proposal once they have submitted,
    and never one they are recused from."""
    return await report_of(ctx, await report.for_reader(ctx, challenge_id))


async def report_of(ctx: Context, evaluation: Evaluation) -> ReportOut:
    """The report of an evaluation read through `report.for_reader`, as the caller may see it."""
    found = await report.facts(ctx, evaluation)
    shown = [p for p in evaluation.opened if report.visible(ctx, evaluation, p)]
    shown_ids = {p.proposal_id for p in shown}
    by_coalition = {p.coalition_id: p for p in evaluation.opened}
    names = await report.names(ctx, {d.user_id for d in evaluation.declarations})
    ranking = await report.standings_ranking(ctx, found)
    ranking_out = None
    if ranking is not None:
        coalitions = {str(p.proposal_id): p.coalition for p in evaluation.opened}
        keep = {str(p) for p in shown_ids}
        ranking_out = RankingOut(
            rule=ranking.rule,
            rule_text=str(tie_break_rule_text(ranking.rule)),
            seed=report.seed_shown(ranking),
            places=[
                PlaceOut(
                    position=place.position,
                    proposal_id=UUID(place.proposal),
                    coalition=coalitions[place.proposal],
                    total=str(place.total),
                    decided_by=place.decided_by.step,
                    explanation=str(place.decided_by.explanation),
                    tied_with=[UUID(p) for p in place.tied_with if p in keep],
                )
                for place in ranking.places
                if place.proposal in keep
            ],
            excluded=[UUID(s.proposal) for s in ranking.excluded if s.proposal in keep],
            lots=[
                LotOut(
                    seed=lot.seed,
                    proposals=[UUID(p) for p in lot.proposals if p in keep],
                    draws=[d for p, d in zip(lot.proposals, lot.draws, strict=True) if p in keep],
                )
                for lot in ranking.lots
            ],
        )
    return ReportOut(
        challenge_id=evaluation.challenge.id,
        scale_min=evaluation.scale.minimum,
        scale_max=evaluation.scale.maximum,
        criteria=[
            CriterionOut(id=c.id, name=c.name, kind=c.kind.value, weight=c.weight)
            for c in evaluation.challenge.criteria
        ],
        committee=[
            MemberOut(
                user_id=m.user_id,
                name=m.user.name,
                organisation_id=m.user.organisation_id,
                role=m.role,
            )
            for m in evaluation.members
        ],
        declarations=[
            ReportDeclarationOut(
                proposal_id=by_coalition[d.coalition_id].proposal_id,
                user_id=d.user_id,
                name=names.get(d.user_id, ""),
                conflict=d.conflict,
                explanation=d.explanation,
                declared_at=d.declared_at,
            )
            for d in evaluation.declarations
            if d.coalition_id in by_coalition
            and by_coalition[d.coalition_id].proposal_id in shown_ids
        ],
        proposals=[proposal_out(ctx, found, p) for p in shown],
        complete=ranking is not None,
        missing=found.missing(shown_ids),
        ranking=ranking_out,
    )
