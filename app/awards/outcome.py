"""What the award rests on: the evaluation's final ranking, kept with the decision as it stood.

The decision stores a snapshot (every bidder's place, total, scores with reasons, exclusions and
the tie-break), so what each bidder was told never changes afterwards, whatever happens to the
evaluation's tables later (a withdrawn decision lets the committee evaluate again).
"""

from typing import Any

from app.awards.schemas import CriterionResult, ProposalResult
from app.challenges.models import Challenge
from app.context import Context
from app.errors import Conflict
from app.evaluation.ranking import Ranking, tie_break_rule_text
from app.evaluation.report import Facts, facts, for_reader, standings_ranking
from app.i18n import Lazy


def _lazy(text: Lazy | str | None) -> dict[str, Any] | None:
    """A message kept in a form that can be shown later in any language."""
    if text is None:
        return None
    params = getattr(text, "params", {})
    return {"message": str.__str__(text), "params": {k: str(v) for k, v in params.items()}}


def shown(kept: dict[str, Any] | None) -> str | None:
    """A kept message in the caller's language; a person's own words (`text`) as written."""
    if kept is None:
        return None
    if "text" in kept:
        return kept["text"]
    return str(Lazy(kept["message"], **kept["params"]))


def snapshot(found: Facts, ranking: Ranking) -> dict[str, Any]:
    """The ranking with every bidder's result, as JSON that never changes."""
    evaluation = found.evaluation
    places = {place.proposal: place for place in ranking.places}
    excluded = found.excluded()
    criteria = evaluation.challenge.criteria
    proposals = []
    for proposal in evaluation.opened:
        key = str(proposal.proposal_id)
        place = places.get(key)
        consensus = found.consensus_of(proposal)
        formula = {c.criterion_id: c for c in found.formula.get(proposal.proposal_id, [])}
        results = []
        for criterion in criteria:
            if criterion.id in formula:
                item = formula[criterion.id]
                score = None if item.score is None else str(item.score)
                reason = _lazy(item.explanation or item.rule)
            elif criterion.id in consensus:
                score = str(consensus[criterion.id].score)
                reason = {"text": consensus[criterion.id].rationale}
            else:
                score, reason = None, None
            results.append(
                {
                    "criterion_id": criterion.id,
                    "criterion": criterion.name,
                    "weight": criterion.weight,
                    "score": score,
                    "rationale": reason,
                }
            )
        proposals.append(
            {
                "proposal_id": key,
                "coalition_id": proposal.coalition_id,
                "coalition": proposal.coalition,
                "place": place.position if place else None,
                "total": str(place.total) if place else None,
                "decided_by": _lazy(place.decided_by.explanation) if place else None,
                "exclusions": [v.reason for v in excluded.get(key, ())],
                "criteria": results,
            }
        )
    winner = ranking.winner
    return {
        "rule": ranking.rule,
        "rule_text": _lazy(tie_break_rule_text(ranking.rule)),
        "seed": ranking.seed if ranking.lots else None,
        "winner": winner.proposal if winner else None,
        "proposals": proposals,
    }


def results(kept: dict[str, Any], coalition_ids: set[int] | None) -> list[ProposalResult]:
    """The bidders' results from a kept snapshot: all of them, or only the coalitions given."""
    shown_results = []
    for item in kept["proposals"]:
        if coalition_ids is not None and item["coalition_id"] not in coalition_ids:
            continue
        shown_results.append(
            ProposalResult(
                proposal_id=item["proposal_id"],
                coalition=item["coalition"],
                place=item["place"],
                total=item["total"],
                decided_by=shown(item["decided_by"]),
                excluded=bool(item["exclusions"]),
                exclusion_reasons=item["exclusions"],
                criteria=[
                    CriterionResult(
                        criterion_id=c["criterion_id"],
                        criterion=c["criterion"],
                        weight=c["weight"],
                        score=c["score"],
                        rationale=shown(c["rationale"]),
                    )
                    for c in item["criteria"]
                ],
            )
        )
    return shown_results


async def final_outcome(ctx: Context, challenge: Challenge) -> tuple[Facts, Ranking]:
    """The finished evaluation and its ranking, for the report's readers; refused, saying what
    is missing, while the committee has not finished."""
    found = await facts(ctx, await for_reader(ctx, challenge.id))
    ranking = await standings_ranking(ctx, found)
    if ranking is None:
        raise Conflict(
            "The evaluation is not finished: %(missing)s",
            code="evaluation_incomplete",
            missing=" ".join(found.missing()),
        )
    return found, ranking
