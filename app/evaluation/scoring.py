"""Independent scoring: each member scores every quality criterion of every proposal they may
judge, with a rationale; drafts save; submitting makes them final and opens the others' scores."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import Action, ProposalSeat, can
from app.context import Context
from app.errors import Conflict, Forbidden, ValidationFailed
from app.evaluation.eligibility import scoring_tasks
from app.evaluation.formula import FormulaIndicator, formula_scores
from app.evaluation.models import RequirementVerdict, Score, ScoringSubmission
from app.evaluation.schemas import ScoresIn
from app.evaluation.state import Evaluation, assert_evaluating, for_member
from app.i18n import Lazy
from app.proposals.opening import OpenedProposal
from app.validation import checked


@dataclass(frozen=True)
class Computed:
    """A formula criterion's score for one proposal, with its rule and the sum that gave it."""

    criterion_id: int
    criterion: str
    score: Decimal | None  # None: the proposal is excluded, so it is not scored
    rule: Lazy
    explanation: Lazy | None


async def scores_of(ctx: Context, evaluation: Evaluation) -> list[Score]:
    """Every individual score of the challenge; callers show only what the rules allow."""
    rows = await ctx.db.scalars(
        select(Score).where(Score.challenge_id == evaluation.challenge.id).order_by(Score.id)
    )
    return list(rows)


async def verdicts_of(ctx: Context, evaluation: Evaluation) -> list[RequirementVerdict]:
    rows = await ctx.db.scalars(
        select(RequirementVerdict)
        .where(RequirementVerdict.challenge_id == evaluation.challenge.id)
        .order_by(RequirementVerdict.id)
    )
    return list(rows)


def tasks(evaluation: Evaluation, user_id: int) -> frozenset[tuple[str, int]]:
    """The (proposal, criterion) pairs the member scores (eligibility.scoring_tasks)."""
    return scoring_tasks(evaluation.judging(), user_id, evaluation.criterion_facts())


def missing(evaluation: Evaluation, user_id: int, scores: list[Score]) -> dict[str, Lazy]:
    """What stands between the member and submitting: declarations, then scores."""
    problems: dict[str, Lazy] = {}
    for proposal in evaluation.opened:
        if evaluation.declaration(user_id, proposal) is None:
            problems[f"{proposal.proposal_id}.declaration"] = Lazy(
                "Declare on “%(coalition)s”.", coalition=proposal.coalition
            )
    by_coalition = {p.coalition_id: str(p.proposal_id) for p in evaluation.opened}
    done = {(by_coalition.get(s.coalition_id), s.criterion_id) for s in scores}
    names = {c.id: c.name for c in evaluation.challenge.criteria}
    coalitions = {str(p.proposal_id): p.coalition for p in evaluation.opened}
    for proposal, criterion in sorted(tasks(evaluation, user_id) - done, key=str):
        problems[f"{proposal}.{criterion}"] = Lazy(
            "Score “%(criterion)s” of “%(coalition)s”.",
            criterion=names[criterion],
            coalition=coalitions[proposal],
        )
    return problems


def computed(
    evaluation: Evaluation, verdicts: list[RequirementVerdict]
) -> dict[UUID, list[Computed]]:
    """Every formula criterion of every opened proposal, from the committed targets; excluded
    proposals (a failed minimum requirement) are not scored and do not count as the best."""
    opened = evaluation.opened
    excluded = {str(p.proposal_id) for p in opened if _excluded(p, verdicts)}
    result: dict[UUID, list[Computed]] = {p.proposal_id: [] for p in opened}
    for criterion in evaluation.formula:
        indicator = evaluation.challenge.indicators[criterion.indicator_position]
        targets = {}
        for proposal in opened:
            value = proposal.committed(indicator.id)
            targets[str(proposal.proposal_id)] = None if value is None else Decimal(str(value))
        found = formula_scores(
            FormulaIndicator(
                baseline=None
                if indicator.baseline_value is None
                else Decimal(str(indicator.baseline_value)),
                direction=indicator.direction.value,
                unit=indicator.unit,
            ),
            evaluation.scale,
            targets,
            excluded,
        )
        for proposal in opened:
            score = found.scores.get(str(proposal.proposal_id))
            result[proposal.proposal_id].append(
                Computed(
                    criterion_id=criterion.id,
                    criterion=criterion.name,
                    score=score.score if score else None,
                    rule=found.rule,
                    explanation=score.explanation if score else None,
                )
            )
    return result


def _excluded(proposal: OpenedProposal, verdicts: list[RequirementVerdict]) -> bool:
    return any(v.coalition_id == proposal.coalition_id and not v.passed for v in verdicts)


def assert_may(ctx: Context, action: Action, place: ProposalSeat) -> None:
    """The rules of permissions.py, refused with what the member can do about it."""
    if can(ctx.user, action, place, ctx.now):
        return
    if place.recused:
        raise Forbidden(
            "You declared a conflict of interest on this proposal, so you are recused from it.",
            code="recused",
        )
    if place.seat.undeclared or not place.declared:
        raise Forbidden(
            "Declare on every proposal first; no proposal is shown before that.",
            code="declare_first",
        )
    if action == Action.evaluation_score and place.seat.submitted:
        raise Conflict("You have submitted your scores; they are final.", code="submitted")
    if action == Action.evaluation_read_scores:
        raise Forbidden(
            "Other members' scores are shown once you have submitted all of yours.",
            code="submit_first",
        )
    raise Forbidden("You are not allowed to do this.")


async def proposal_for_member(
    ctx: Context, challenge_id: int, proposal_id: UUID
) -> tuple[Evaluation, OpenedProposal]:
    """An opened proposal with its content, for a member who may read it."""
    evaluation = await for_member(ctx, challenge_id)
    listed = evaluation.proposal(proposal_id)
    assert_may(ctx, Action.evaluation_read_proposal, evaluation.place(ctx.user.id, listed))
    return evaluation, listed.with_content()


def check_scores(evaluation: Evaluation, items: list) -> None:
    """Each item a quality criterion of the challenge, once, on its scale, with a rationale;
    otherwise ValidationFailed naming every field that is wrong."""
    criteria = {c.id: c for c in evaluation.challenge.criteria}
    quality = {c.id for c in evaluation.quality}
    scale = evaluation.scale
    errors: dict[str, Lazy] = {}
    seen: set[int] = set()
    for index, item in enumerate(items):
        where = f"scores.{index}"
        if item.criterion_id not in criteria:
            errors[f"{where}.criterion_id"] = Lazy("This criterion is not part of the challenge.")
            continue
        if item.criterion_id not in quality:
            errors[f"{where}.criterion_id"] = Lazy(
                "This criterion is computed from the committed targets; it is not scored by hand."
            )
            continue
        if item.criterion_id in seen:
            errors[f"{where}.criterion_id"] = Lazy("Score each criterion once.")
        seen.add(item.criterion_id)
        if not scale.minimum <= item.score <= scale.maximum:
            errors[f"{where}.score"] = Lazy(
                "Give a score from %(min)s to %(max)s.", min=scale.minimum, max=scale.maximum
            )
        if not item.rationale:
            errors[f"{where}.rationale"] = Lazy("Give the reasons for this score.")
    if errors:
        raise ValidationFailed(errors)


async def save_scores(
    ctx: Context, challenge_id: int, proposal_id: UUID, data: ScoresIn
) -> tuple[Evaluation, OpenedProposal]:
    """Save (part of) the member's scores on one proposal; each needs a score on the scale and
    a rationale. Refused as a whole, naming each field, when anything is wrong."""
    data = checked(ScoresIn, data.model_dump())
    evaluation, proposal = await proposal_for_member(ctx, challenge_id, proposal_id)
    assert_may(ctx, Action.evaluation_score, evaluation.place(ctx.user.id, proposal))
    await assert_evaluating(ctx, evaluation)
    check_scores(evaluation, data.scores)
    existing = {
        s.criterion_id: s
        for s in await ctx.db.scalars(
            select(Score).where(
                Score.user_id == ctx.user.id, Score.coalition_id == proposal.coalition_id
            )
        )
    }
    changed = []
    for item in data.scores:
        score = existing.get(item.criterion_id)
        if score is None:
            score = Score(
                challenge_id=evaluation.challenge.id,
                coalition_id=proposal.coalition_id,
                user_id=ctx.user.id,
                criterion_id=item.criterion_id,
            )
            ctx.db.add(score)
        elif (score.score, score.rationale) == (item.score, item.rationale):
            continue
        score.score, score.rationale, score.updated_at = item.score, item.rationale, ctx.now
        changed.append(item)
    if not changed:
        return evaluation, proposal
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict(
            "These scores were saved at the same moment from elsewhere; reload and try again.",
            code="concurrent_scores",
        ) from error
    await ctx.record(
        "evaluation.scores_saved",
        "challenge",
        evaluation.challenge.id,
        proposal_id=str(proposal_id),
        member_id=ctx.user.id,
        scores=[item.model_dump() for item in changed],
        stream=evaluation.stream,
    )
    return evaluation, proposal


async def submit(ctx: Context, challenge_id: int) -> ScoringSubmission:
    """Submit all of the member's scores: only when every task is done; final afterwards."""
    evaluation = await for_member(ctx, challenge_id)
    await assert_evaluating(ctx, evaluation)
    if ctx.user.id in evaluation.submitted:
        raise Conflict("You have submitted your scores; they are final.", code="submitted")
    own = [s for s in await scores_of(ctx, evaluation) if s.user_id == ctx.user.id]
    problems = missing(evaluation, ctx.user.id, own)
    if problems:
        raise ValidationFailed(problems, "Not everything is done yet; see what is missing.")
    submission = ScoringSubmission(
        challenge_id=evaluation.challenge.id, user_id=ctx.user.id, submitted_at=ctx.now
    )
    ctx.db.add(submission)
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict("You have submitted your scores; they are final.", code="submitted") from (
            error
        )
    await ctx.record(
        "evaluation.submitted",
        "challenge",
        evaluation.challenge.id,
        member_id=ctx.user.id,
        scores=len(own),
        stream=evaluation.stream,
    )
    return submission
