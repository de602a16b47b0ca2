"""A challenge's life: write, publish, amend, cancel, and the states it can be in."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from app import validation
from app.auth.permissions import Action, assert_can, assert_signed_in, can
from app.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    ChallengeStatus,
    Criterion,
    Indicator,
    MinimumRequirement,
)
from app.challenges.schemas import (
    ChallengeIn,
    CriterionIn,
    IndicatorIn,
    ReasonIn,
    publication_problems,
)
from app.context import Context
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.i18n import Lazy

_SCALARS = (
    "title",
    "summary",
    "desired_result",
    "target_group",
    "target_group_size",
    "context",
    "theme",
    "budget_cents",
    "period_start",
    "period_end",
    "scale_min",
    "scale_max",
    "question_deadline",
    "submission_deadline",
    "expected_award_date",
    "allow_multiple_coalitions",
)


_FULL = {"organisation", "indicators", "criteria", "requirements", "attachments"}


def _full(attachments: bool = True):
    """Everything a challenge page shows (the attachments only where asked for); built per
    query, once every mapper is known."""
    options = [
        joinedload(Challenge.organisation),
        selectinload(Challenge.indicators),
        selectinload(Challenge.criteria),
        selectinload(Challenge.requirements),
    ]
    if attachments:
        options.append(
            selectinload(Challenge.attachments).selectinload(ChallengeAttachment.document)
        )
    return options


def is_open(challenge: Challenge, now: datetime) -> bool:
    """Open for proposals: published and before the submission deadline."""
    return (
        challenge.status == ChallengeStatus.published
        and challenge.submission_deadline is not None
        and now < challenge.submission_deadline
    )


def assert_open(challenge: Challenge, ctx: Context) -> None:
    """Coalitions and proposals change only while the challenge takes proposals."""
    if challenge.status != ChallengeStatus.published or not is_open(challenge, ctx.now):
        raise Conflict(
            "The submission deadline has passed; the coalition can no longer change.",
            code="deadline_passed",
        )


def questions_open(challenge: Challenge, now: datetime) -> bool:
    return (
        challenge.status == ChallengeStatus.published
        and challenge.question_deadline is not None
        and now < challenge.question_deadline
    )


def display_status(challenge: Challenge, now: datetime) -> str:
    """draft, open, closed (deadline passed) or cancelled, as users speak of it."""
    if challenge.status == ChallengeStatus.published:
        return "open" if is_open(challenge, now) else "closed"
    return challenge.status.value


def as_input(challenge: Challenge) -> ChallengeIn:
    """The stored challenge in the shape it is written in (for forms, diffs and checks)."""
    return ChallengeIn.model_validate(
        {
            **{name: getattr(challenge, name) for name in _SCALARS},
            "indicators": [
                IndicatorIn.model_validate(indicator, from_attributes=True)
                for indicator in challenge.indicators
            ],
            "criteria": [
                CriterionIn.model_validate(criterion, from_attributes=True)
                for criterion in challenge.criteria
            ],
            "requirements": [requirement.text for requirement in challenge.requirements],
        }
    )


def _match(
    existing: list, wanted: list[dict[str, Any]], group: str, key: str, *, reword: bool = False
) -> list:
    """For each wanted row the stored row it is, or None for a new one; never by position alone.

    A given id names the row; a row without one is the stored row with the same `key` (a name, a
    text). With `reword`, rows left over on both sides in equal numbers are the same rows
    reworded (requirements carry no id). Rows nobody claims are removed, and their ids with them."""
    by_id = {row.id: row for row in existing}
    claimed: list = [None] * len(wanted)
    errors: dict[str, Lazy] = {}
    for index, values in enumerate(wanted):
        if values.get("id") is not None:
            row = by_id.pop(values["id"], None)
            if row is None:
                errors[f"{group}.{index}"] = Lazy("This row is not part of the challenge.")
            claimed[index] = row
    if errors:
        raise ValidationFailed(errors)
    for index, values in enumerate(wanted):
        if values.get("id") is None:
            same = [row for row in by_id.values() if getattr(row, key) == values[key]]
            if same:
                claimed[index] = by_id.pop(same[0].id)
    new = [index for index, values in enumerate(wanted) if claimed[index] is None]
    if reword and len(new) == len(by_id):
        for index, row in zip(new, list(by_id.values()), strict=True):
            claimed[index] = row
    return claimed


def _rows(
    existing: list,
    wanted: list[dict[str, Any]],
    model: type,
    group: str,
    key: str,
    *,
    reword: bool = False,
) -> list:
    """Update rows in place by identity, so their ids (which proposals refer to) stay theirs."""
    rows = []
    claimed = _match(existing, wanted, group, key, reword=reword)
    for index, (row, values) in enumerate(zip(claimed, wanted, strict=True)):
        row = row if row is not None else model()
        for name, value in {**values, "position": index}.items():
            if name != "id":
                setattr(row, name, value)
        rows.append(row)
    return rows


def _dumped(items: list) -> list[dict[str, Any]]:
    return [{"id": item.id, **item.model_dump()} for item in items]


def _apply(challenge: Challenge, data: ChallengeIn, now: datetime) -> None:
    # Check every given id before any row changes.
    _match(challenge.indicators, _dumped(data.indicators), "indicators", "name")
    _match(challenge.criteria, _dumped(data.criteria), "criteria", "name")
    indicators = _rows(
        challenge.indicators, _dumped(data.indicators), Indicator, "indicators", "name"
    )
    criteria = _rows(challenge.criteria, _dumped(data.criteria), Criterion, "criteria", "name")
    requirements = _rows(
        challenge.requirements,
        [{"text": text} for text in data.requirements],
        MinimumRequirement,
        "requirements",
        "text",
        reword=True,
    )
    for name in _SCALARS:
        setattr(challenge, name, getattr(data, name))
    challenge.indicators = indicators
    challenge.criteria = criteria
    challenge.requirements = requirements
    challenge.updated_at = now


async def get_challenge(
    ctx: Context,
    challenge_id: int,
    *,
    for_update: bool = False,
    for_share: bool = False,
    attachments: bool = True,
) -> Challenge:
    """A challenge the caller may read, fully loaded (its attachments unless told not to);
    anything else is simply not found.

    `for_share` lets many submissions hold the challenge at once while keeping out whoever takes
    it `for_update` (the opening, an amendment), until they commit. SQLite needs neither: its
    writers take the one write lock when they begin."""
    if not (for_update or for_share):
        # Read once per request: a challenge this session already holds, loaded with all that
        # is asked for, is reused.
        wanted = _FULL if attachments else _FULL - {"attachments"}
        known = ctx.db.sync_session.identity_map.get(identity_key(Challenge, challenge_id))
        if known is not None and not inspect(known).unloaded & wanted:
            if not can(ctx.user, Action.challenge_read, known):
                raise NotFound("This challenge does not exist or is not public.")
            return known
    query = select(Challenge).options(*_full(attachments)).where(Challenge.id == challenge_id)
    if (for_update or for_share) and ctx.db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Challenge, read=not for_update)
    challenge = await ctx.db.scalar(query)
    if challenge is None or not can(ctx.user, Action.challenge_read, challenge):
        raise NotFound("This challenge does not exist or is not public.")
    return challenge


async def create_draft(ctx: Context, data: ChallengeIn) -> Challenge:
    assert_can(ctx.user, Action.challenge_create)
    assert ctx.user is not None
    challenge = Challenge(
        organisation_id=ctx.user.organisation_id,
        status=ChallengeStatus.draft,
        created_by_id=ctx.user.id,
        created_at=ctx.now,
        indicators=[],
        criteria=[],
        requirements=[],
        attachments=[],
    )
    _apply(challenge, data, ctx.now)
    ctx.db.add(challenge)
    await ctx.db.flush()
    await ctx.record("challenge.created", "challenge", challenge.id, title=data.title)
    return challenge


async def update_draft(ctx: Context, challenge_id: int, data: ChallengeIn) -> Challenge:
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_can(ctx.user, Action.challenge_edit, challenge)
    if challenge.status != ChallengeStatus.draft:
        raise InvalidTransition(
            "Only a draft can be edited freely; a published challenge is changed by an amendment."
        )
    _apply(challenge, data, ctx.now)
    await ctx.db.flush()
    await ctx.record("challenge.draft_saved", "challenge", challenge.id)
    return challenge


async def publish(ctx: Context, challenge_id: int) -> Challenge:
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_can(ctx.user, Action.challenge_publish, challenge)
    if challenge.status != ChallengeStatus.draft:
        raise InvalidTransition("Only a draft can be published.")
    problems = publication_problems(as_input(challenge), ctx.now)
    if problems:
        raise ValidationFailed(problems, "The challenge is not complete yet; see the list below.")
    challenge.status = ChallengeStatus.published
    challenge.published_at = ctx.now
    challenge.updated_at = ctx.now
    await ctx.record(
        "challenge.published",
        "challenge",
        challenge.id,
        submission_deadline=challenge.submission_deadline.isoformat(),
        budget_cents=challenge.budget_cents,
    )
    return challenge


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff(old: ChallengeIn, new: ChallengeIn) -> dict[str, dict[str, Any]]:
    changes = {}
    for name in ChallengeIn.model_fields:
        before, after = _jsonable(getattr(old, name)), _jsonable(getattr(new, name))
        if before != after:
            changes[name] = {"old": before, "new": after}
    return changes


def _frozen_criteria(challenge: Challenge, data: ChallengeIn) -> bool:
    """Kinds and weights stay, and a formula criterion keeps measuring the same indicator."""
    matched = _match(challenge.indicators, _dumped(data.indicators), "indicators", "name")

    def measured(position: int | None, indicators: list) -> int | None:
        if position is None or position >= len(indicators) or indicators[position] is None:
            return None if position is None else -1
        return indicators[position].id

    old = [
        (c.kind, c.weight, measured(c.indicator_position, challenge.indicators))
        for c in challenge.criteria
    ]
    new = [(c.kind, c.weight, measured(c.indicator_position, matched)) for c in data.criteria]
    return old == new


async def next_amendment_number(ctx: Context, challenge_id: int) -> int:
    last = await ctx.db.scalar(
        select(func.max(Amendment.number)).where(Amendment.challenge_id == challenge_id)
    )
    return (last or 0) + 1


def assert_amendable(challenge: Challenge, now: datetime) -> None:
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition("Only a published challenge can be amended.")
    if not is_open(challenge, now):
        raise Conflict(
            "The submission deadline has passed; the challenge can no longer be amended.",
            code="deadline_passed",
        )


async def amend(ctx: Context, challenge_id: int, data: ChallengeIn, reason: str) -> Amendment:
    """Change a published challenge before its deadline; every change is kept and shown."""
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    # Read the clock once the challenge is held: an amendment that waited for the opening must
    # not move a deadline that has already passed.
    ctx.now = ctx.read_clock()
    assert_can(ctx.user, Action.challenge_amend, challenge)
    assert_amendable(challenge, ctx.now)
    old = as_input(challenge)
    errors: dict[str, Lazy] = {}
    errors.update(validation.problems(ReasonIn, {"reason": reason}))
    if (
        data.submission_deadline
        and old.submission_deadline
        and (data.submission_deadline < old.submission_deadline)
    ):
        errors["submission_deadline"] = Lazy("The deadline may be extended, never shortened.")
    if (
        data.question_deadline
        and old.question_deadline
        and (data.question_deadline < old.question_deadline)
    ):
        errors["question_deadline"] = Lazy(
            "The question deadline may be extended, never shortened."
        )
    if data.allow_multiple_coalitions != old.allow_multiple_coalitions:
        errors["allow_multiple_coalitions"] = Lazy(
            "Whether an organisation may join several coalitions is fixed at publication."
        )
    if not _frozen_criteria(challenge, data):
        errors["criteria"] = Lazy("Criteria, their kinds and weights are fixed at publication.")
    problems = publication_problems(data, ctx.now)
    if old.question_deadline and old.question_deadline <= ctx.now:
        problems.pop("question_deadline", None)  # questions already closed; may stay as it was
    errors = {**problems, **errors}
    if errors:
        raise ValidationFailed(errors)
    changes = diff(old, data)
    if not changes:
        raise ValidationFailed({"form": Lazy("Nothing was changed.")})
    _apply(challenge, data, ctx.now)
    amendment = Amendment(
        challenge_id=challenge.id,
        number=await next_amendment_number(ctx, challenge.id),
        reason=reason.strip(),
        changes=changes,
        created_by_id=ctx.user.id,
        created_at=ctx.now,
    )
    ctx.db.add(amendment)
    await ctx.db.flush()
    await ctx.record(
        "challenge.amended",
        "challenge",
        challenge.id,
        amendment=amendment.number,
        fields=sorted(changes),
    )
    return amendment


async def cancel(ctx: Context, challenge_id: int, reason: str) -> Challenge:
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_can(ctx.user, Action.challenge_cancel, challenge)
    if challenge.status not in (ChallengeStatus.draft, ChallengeStatus.published):
        raise InvalidTransition("This challenge cannot be cancelled any more.")
    reason = validation.checked(ReasonIn, {"reason": reason}).reason
    challenge.status = ChallengeStatus.cancelled
    challenge.cancelled_at = ctx.now
    challenge.cancel_reason = reason
    challenge.updated_at = ctx.now
    await ctx.record("challenge.cancelled", "challenge", challenge.id, reason=reason)
    return challenge


async def list_amendments(ctx: Context, challenge: Challenge) -> list[Amendment]:
    return list(
        (
            await ctx.db.scalars(
                select(Amendment)
                .where(Amendment.challenge_id == challenge.id)
                .order_by(Amendment.number)
            )
        ).all()
    )
