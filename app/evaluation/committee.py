"""The committee: formed and changed by the owner's policy officers, every change kept."""

from sqlalchemy import and_, func, or_, select

from app.auth.permissions import Action, Seat, assert_can, assert_signed_in
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus
from app.context import Context
from app.errors import Conflict, InvalidTransition, ValidationFailed
from app.evaluation.models import (
    CommitteeChange,
    CommitteeMember,
    CommitteeRole,
    ConsensusScore,
    Score,
)
from app.evaluation.schemas import CommitteeChoice
from app.evaluation.seats import committee_role, current_members
from app.i18n import Lazy
from app.organisations.models import Organisation, Role, User
from app.validation import checked

MIN_EVALUATORS = 2


def composition(members: list[CommitteeMember]) -> dict:
    """The committee as the history stores it: the chair and the evaluators, by user id."""
    chair = next((m.user_id for m in members if m.role == CommitteeRole.chair), None)
    evaluators = sorted(m.user_id for m in members if m.role == CommitteeRole.evaluator)
    return {"chair_user_id": chair, "evaluator_user_ids": evaluators}


def _people(kept: dict) -> set[int]:
    """Who sits on a committee as `composition` keeps it, whatever their role."""
    return {i for i in (kept["chair_user_id"], *kept["evaluator_user_ids"]) if i is not None}


def may_sit(user: User, challenge: Challenge) -> bool:
    """Staff of the owner (its policy officers and evaluators) or an outside expert with the
    evaluator role. Never a provider member, an auditor (they audit the evaluation) or an admin
    (no power over scores), and never an account that is switched off."""
    if not user.is_active:
        return False
    if user.role == Role.evaluator:
        return True
    return user.role == Role.policy_officer and user.organisation_id == challenge.organisation_id


async def candidates(ctx: Context, challenge: Challenge) -> list[tuple[User, str]]:
    """Everyone who may sit (`may_sit`, asked of the database in one query), sorted by name,
    each with the name of their organisation."""
    rows = await ctx.db.execute(
        select(User, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.is_active.is_(True),
            or_(
                User.role == Role.evaluator,
                and_(
                    User.role == Role.policy_officer,
                    User.organisation_id == challenge.organisation_id,
                ),
            ),
        )
        .order_by(func.lower(User.name), User.id)
    )
    return [(user, organisation) for user, organisation in rows if may_sit(user, challenge)]


async def people(ctx: Context, user_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Names and organisations of people who sit or sat on a committee, in one query."""
    if not user_ids:
        return {}
    rows = await ctx.db.execute(
        select(User.id, User.name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(user_ids))
    )
    return {user_id: (name, organisation) for user_id, name, organisation in rows}


async def scoring_started(ctx: Context, challenge_id: int) -> bool:
    found = await ctx.db.scalar(select(Score.id).where(Score.challenge_id == challenge_id).limit(1))
    return found is not None


async def consensus_recorded(ctx: Context, challenge_id: int) -> int:
    """On how many proposals the chair has recorded a consensus: from the first on, the people
    who reached it stay on the committee and nobody joins (a member added later would count
    for it, and the consensus would wait for their scores)."""
    found = await ctx.db.scalar(
        select(func.count(func.distinct(ConsensusScore.coalition_id))).where(
            ConsensusScore.challenge_id == challenge_id
        )
    )
    return found or 0


async def history(ctx: Context, challenge_id: int) -> list[CommitteeChange]:
    rows = await ctx.db.scalars(
        select(CommitteeChange)
        .where(CommitteeChange.challenge_id == challenge_id)
        .order_by(CommitteeChange.number)
    )
    return list(rows)


async def read_committee(ctx: Context, challenge_id: int) -> tuple[Challenge, list]:
    """The committee as it stands, for the owner's officers and auditors and its members."""
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id)
    role = await committee_role(ctx, challenge.id)
    assert_can(ctx.user, Action.committee_read, Seat(challenge, role), ctx.now)
    return challenge, await current_members(ctx, challenge.id)


def _people_errors(
    data: CommitteeChoice, users: dict[int, User], challenge: Challenge
) -> dict[str, Lazy]:
    errors: dict[str, Lazy] = {}
    everyone = [data.chair_user_id, *data.evaluator_user_ids]
    if data.chair_user_id is None:
        errors["chair_user_id"] = Lazy("Choose the chair.")
    if len(data.evaluator_user_ids) < MIN_EVALUATORS:
        errors["evaluator_user_ids"] = Lazy(
            "Name at least %(min)s evaluators besides the chair.", min=MIN_EVALUATORS
        )
    chosen = [user_id for user_id in everyone if user_id is not None]
    if len(set(chosen)) != len(chosen):
        errors["evaluator_user_ids"] = Lazy("A person sits on the committee only once.")
    for index, user_id in enumerate(everyone):
        if user_id is None:
            continue
        field = "chair_user_id" if index == 0 else f"evaluator_user_ids.{index - 1}"
        user = users.get(user_id)
        if user is None or not may_sit(user, challenge):
            errors[field] = Lazy(
                "This person cannot sit on the committee: choose a policy officer or evaluator "
                "of the municipality, or an outside expert with an evaluator account."
            )
    return errors


async def set_committee(ctx: Context, challenge_id: int, data: CommitteeChoice) -> bool:
    """Form or change the committee; True when something changed (the same again writes
    nothing). Once any score is saved a change needs a reason; every change is kept. Once the
    chair has recorded a consensus its members are fixed (409): only roles change, so a chair
    recused from a proposal can hand over. What is wrong with the people and the reason is
    refused at once, every field named."""
    assert_signed_in(ctx.user)
    data = checked(type(data), data.model_dump())
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_can(ctx.user, Action.committee_manage, challenge)
    if challenge.status == ChallengeStatus.cancelled:
        raise InvalidTransition(
            "The challenge is cancelled; its committee can no longer change.", code="cancelled"
        )
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition(
            "Publish the challenge first: the committee judges the criteria as published.",
            code="not_published",
        )
    everyone = [data.chair_user_id, *data.evaluator_user_ids]
    rows = await ctx.db.scalars(select(User).where(User.id.in_(everyone)))
    errors = _people_errors(data, {user.id: user for user in rows}, challenge)
    members = await current_members(ctx, challenge.id)
    old = composition(members)
    new = {
        "chair_user_id": data.chair_user_id,
        "evaluator_user_ids": sorted(data.evaluator_user_ids),
    }
    if old == new and not errors:
        return False
    if _people(old) != _people(new) and await consensus_recorded(ctx, challenge.id):
        raise Conflict(
            "The chair has recorded a consensus, so the members who reached it can no longer "
            "change; only their roles can (another member may take over as chair).",
            code="consensus_recorded",
        )
    reason = (data.reason or "").strip() or None
    if (reason is None or len(reason) < 3) and members and await scoring_started(ctx, challenge.id):
        errors["reason"] = Lazy("Scoring has begun: say why the committee changes.")
    if errors:
        raise ValidationFailed(errors)
    wanted = {data.chair_user_id: CommitteeRole.chair} | dict.fromkeys(
        data.evaluator_user_ids, CommitteeRole.evaluator
    )
    seated = {m.user_id: m for m in members}
    for member in members:
        if wanted.get(member.user_id) != member.role:
            member.removed_at = ctx.now  # the seat ends; the row stays, as history
    for user_id, role in wanted.items():
        if user_id not in seated or seated[user_id].role != role:
            ctx.db.add(
                CommitteeMember(
                    challenge_id=challenge.id, user_id=user_id, role=role, added_at=ctx.now
                )
            )
    number = (
        await ctx.db.scalar(
            select(func.max(CommitteeChange.number)).where(
                CommitteeChange.challenge_id == challenge.id
            )
        )
        or 0
    ) + 1
    ctx.db.add(
        CommitteeChange(
            challenge_id=challenge.id,
            number=number,
            changed_by_id=ctx.user.id,
            changed_at=ctx.now,
            reason=reason,
            old=old,
            new=new,
        )
    )
    await ctx.flush_or_conflict(
        Conflict(
            "Someone else changed the committee at the same moment; reload and try again.",
            code="concurrent_change",
        )
    )
    await ctx.record(
        "committee.changed",
        "challenge",
        challenge.id,
        number=number,
        reason=reason,
        old=old,
        new=new,
    )
    return True
