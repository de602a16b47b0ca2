"""Conflicts of interest first: each member declares on every opened proposal, once."""

from uuid import UUID

from sqlalchemy.exc import IntegrityError

from app.auth.permissions import Action, assert_can
from app.context import Context
from app.errors import Conflict, ValidationFailed
from app.evaluation.models import Declaration
from app.evaluation.schemas import DeclarationsIn
from app.evaluation.state import Evaluation, assert_evaluating, for_member
from app.i18n import Lazy
from app.validation import checked


async def declare(ctx: Context, challenge_id: int, data: DeclarationsIn) -> Evaluation:
    """Record the member's declarations; a conflict needs an explanation and recuses them from
    that proposal. A declaration is final: a second one on the same proposal is refused."""
    data = checked(DeclarationsIn, data.model_dump())
    evaluation = await for_member(ctx, challenge_id)
    assert_can(ctx.user, Action.evaluation_take_part, evaluation.seat(ctx.user.id), ctx.now)
    await assert_evaluating(ctx, evaluation)
    errors: dict[str, Lazy] = {}
    seen: set[UUID] = set()
    for index, item in enumerate(data.declarations):
        if not any(p.proposal_id == item.proposal_id for p in evaluation.opened):
            errors[f"declarations.{index}.proposal_id"] = Lazy(
                "This proposal is not one of the opened proposals."
            )
        elif item.proposal_id in seen:
            errors[f"declarations.{index}.proposal_id"] = Lazy("Declare once per proposal.")
        seen.add(item.proposal_id)
        if item.conflict and not item.explanation:
            errors[f"declarations.{index}.explanation"] = Lazy("Explain the conflict of interest.")
    if errors:
        raise ValidationFailed(errors)
    for item in data.declarations:
        proposal = evaluation.proposal(item.proposal_id)
        if evaluation.declaration(ctx.user.id, proposal) is not None:
            raise Conflict(
                "You have already declared on “%(coalition)s”; a declaration is final.",
                code="already_declared",
                coalition=proposal.coalition,
            )
    made = []
    for item in data.declarations:
        proposal = evaluation.proposal(item.proposal_id)
        declaration = Declaration(
            challenge_id=evaluation.challenge.id,
            coalition_id=proposal.coalition_id,
            user_id=ctx.user.id,
            conflict=item.conflict,
            explanation=item.explanation,
            declared_at=ctx.now,
        )
        ctx.db.add(declaration)
        made.append((proposal, declaration))
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict(
            "You have already declared on one of these proposals; a declaration is final.",
            code="already_declared",
        ) from error
    for proposal, declaration in made:
        evaluation.declarations.append(declaration)
        await ctx.record(
            "evaluation.declared",
            "challenge",
            evaluation.challenge.id,
            proposal_id=str(proposal.proposal_id),
            member_id=ctx.user.id,
            conflict=declaration.conflict,
            explanation=declaration.explanation,
            stream=evaluation.stream,
        )
    return evaluation
