"""Use cases of a challenge: write, publish, amend, cancel, find, and the question round."""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.audit.service import record
from app.auth.permissions import (
    Action,
    assert_can,
    assert_signed_in,
    can,
    readable_challenges,
    readable_questions,
)
from app.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    ChallengeStatus,
    Criterion,
    Indicator,
    MinimumRequirement,
    Question,
    Theme,
)
from app.challenges.schemas import ChallengeIn, CriterionIn, IndicatorIn, publication_problems
from app.context import Context
from app.documents.service import store_document
from app.documents.store import LocalDocumentStore
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.i18n import Lazy
from app.organisations.models import Organisation

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
_FULL = (
    selectinload(Challenge.organisation),
    selectinload(Challenge.indicators),
    selectinload(Challenge.criteria),
    selectinload(Challenge.requirements),
    selectinload(Challenge.attachments).selectinload(ChallengeAttachment.document),
)


def is_open(challenge: Challenge, now: datetime) -> bool:
    """Open for proposals: published and before the submission deadline."""
    return (
        challenge.status == ChallengeStatus.published
        and challenge.submission_deadline is not None
        and now < challenge.submission_deadline
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
    ctx: Context, challenge_id: int, *, for_update: bool = False, for_share: bool = False
) -> Challenge:
    """A challenge the caller may read, fully loaded; anything else is simply not found.

    `for_share` lets many submissions hold the challenge at once while keeping out whoever takes
    it `for_update` (the opening, an amendment), until they commit. SQLite needs neither: its
    writers take the one write lock when they begin."""
    query = select(Challenge).options(*_FULL).where(Challenge.id == challenge_id)
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
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.created",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"title": data.title},
    )
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
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.draft_saved",
        entity_type="challenge",
        entity_id=challenge.id,
    )
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
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.published",
        entity_type="challenge",
        entity_id=challenge.id,
        data={
            "submission_deadline": challenge.submission_deadline.isoformat(),
            "budget_cents": challenge.budget_cents,
        },
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


async def _next_amendment_number(ctx: Context, challenge_id: int) -> int:
    last = await ctx.db.scalar(
        select(func.max(Amendment.number)).where(Amendment.challenge_id == challenge_id)
    )
    return (last or 0) + 1


def _assert_amendable(challenge: Challenge, now: datetime) -> None:
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
    _assert_amendable(challenge, ctx.now)
    old = as_input(challenge)
    errors: dict[str, Lazy] = {}
    if len(reason.strip()) < 3:
        errors["reason"] = Lazy("Give the reason for this amendment.")
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
        number=await _next_amendment_number(ctx, challenge.id),
        reason=reason.strip(),
        changes=changes,
        created_by_id=ctx.user.id,
        created_at=ctx.now,
    )
    ctx.db.add(amendment)
    await ctx.db.flush()
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.amended",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"amendment": amendment.number, "fields": sorted(changes)},
    )
    return amendment


async def cancel(ctx: Context, challenge_id: int, reason: str) -> Challenge:
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_can(ctx.user, Action.challenge_cancel, challenge)
    if challenge.status not in (ChallengeStatus.draft, ChallengeStatus.published):
        raise InvalidTransition("This challenge cannot be cancelled any more.")
    if not reason.strip():
        raise ValidationFailed({"reason": Lazy("Give the reason for cancelling.")})
    challenge.status = ChallengeStatus.cancelled
    challenge.cancelled_at = ctx.now
    challenge.cancel_reason = reason.strip()
    challenge.updated_at = ctx.now
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.cancelled",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"reason": reason.strip()},
    )
    return challenge


@dataclass
class ChallengeFilter:
    status: str | None = None
    municipality: int | None = None
    theme: Theme | None = None
    q: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class Page:
    items: list[Challenge]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _filtered(ctx: Context, f: ChallengeFilter) -> Select:
    query = select(Challenge).where(readable_challenges(ctx.user))
    if f.status == "open":
        query = query.where(
            Challenge.status == ChallengeStatus.published, Challenge.submission_deadline > ctx.now
        )
    elif f.status == "closed":
        query = query.where(
            Challenge.status == ChallengeStatus.published, Challenge.submission_deadline <= ctx.now
        )
    elif f.status in ("draft", "cancelled"):
        query = query.where(Challenge.status == ChallengeStatus(f.status))
    if f.municipality:
        query = query.where(Challenge.organisation_id == f.municipality)
    if f.theme:
        query = query.where(Challenge.theme == f.theme)
    for term in (f.q or "").replace("\x00", "").split()[:8]:
        pattern = f"%{term.lower().replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                func.lower(Challenge.title).like(pattern),
                func.lower(Challenge.summary).like(pattern),
                func.lower(Challenge.desired_result).like(pattern),
                func.lower(Challenge.target_group).like(pattern),
            )
        )
    return query


def _stage_order(now: datetime) -> ColumnElement[int]:
    """Open challenges first (soonest deadline first), then drafts, closed, cancelled."""
    return case(
        (
            and_(
                Challenge.status == ChallengeStatus.published, Challenge.submission_deadline > now
            ),
            0,
        ),
        (Challenge.status == ChallengeStatus.draft, 1),
        (Challenge.status == ChallengeStatus.published, 2),
        else_=3,
    )


async def list_challenges(ctx: Context, f: ChallengeFilter) -> Page:
    base = _filtered(ctx, f)
    total = await ctx.db.scalar(select(func.count()).select_from(base.subquery()))
    items = (
        await ctx.db.scalars(
            base.options(selectinload(Challenge.organisation))
            .order_by(_stage_order(ctx.now), Challenge.submission_deadline, Challenge.id.desc())
            .limit(f.per_page)
            .offset((f.page - 1) * f.per_page)
        )
    ).all()
    return Page(items=list(items), total=total or 0, page=f.page, per_page=f.per_page)


async def municipalities_with_challenges(ctx: Context) -> list[Organisation]:
    ids = select(Challenge.organisation_id).where(readable_challenges(ctx.user))
    return list(
        (
            await ctx.db.scalars(
                select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
            )
        ).all()
    )


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


async def add_attachment(
    ctx: Context,
    store: LocalDocumentStore,
    challenge_id: int,
    filename: str,
    source: BinaryIO,
    max_bytes: int,
    reason: str = "",
) -> ChallengeAttachment:
    """Attach a document; after publication that is an amendment and needs a reason."""
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    if challenge.status == ChallengeStatus.draft:
        assert_can(ctx.user, Action.challenge_edit, challenge)
    else:
        assert_can(ctx.user, Action.challenge_amend, challenge)
        _assert_amendable(challenge, ctx.now)
        if len(reason.strip()) < 3:
            raise ValidationFailed({"reason": Lazy("Give the reason for this amendment.")})
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        raise ValidationFailed({"file": Lazy("Choose a file.")})
    document = await store_document(ctx, store, source, max_bytes)
    attachment = ChallengeAttachment(
        challenge_id=challenge.id, document_id=document.id, filename=name, added_at=ctx.now
    )
    attachment.document = document
    challenge.attachments.append(attachment)
    challenge.updated_at = ctx.now
    await ctx.db.flush()
    if challenge.status != ChallengeStatus.draft:
        amendment = Amendment(
            challenge_id=challenge.id,
            number=await _next_amendment_number(ctx, challenge.id),
            reason=reason.strip(),
            changes={"attachments": {"old": None, "new": name}},
            created_by_id=ctx.user.id,
            created_at=ctx.now,
        )
        ctx.db.add(amendment)
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="challenge.attachment_added",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"filename": name, "sha256": document.sha256},
    )
    return attachment


async def get_attachment(
    ctx: Context, challenge_id: int, attachment_id: int
) -> ChallengeAttachment:
    challenge = await get_challenge(ctx, challenge_id)
    for attachment in challenge.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound("This document does not exist.")


async def ask_question(ctx: Context, challenge_id: int, text: str) -> Question:
    challenge = await get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.question_ask, challenge)
    if not questions_open(challenge, ctx.now):
        raise Conflict("The question round for this challenge is closed.", code="questions_closed")
    last = await ctx.db.scalar(
        select(func.max(Question.number)).where(Question.challenge_id == challenge.id)
    )
    question = Question(
        challenge_id=challenge.id,
        number=(last or 0) + 1,
        text=text.strip(),
        asked_by_id=ctx.user.id,
        asked_at=ctx.now,
    )
    ctx.db.add(question)
    await ctx.db.flush()
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="question.asked",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"question": question.number},
    )
    return question


async def answer_question(
    ctx: Context, challenge_id: int, question_id: int, answer: str
) -> Question:
    challenge = await get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.question_answer, challenge)
    question = await ctx.db.scalar(
        select(Question).where(Question.id == question_id, Question.challenge_id == challenge.id)
    )
    if question is None:
        raise NotFound("This question does not exist.")
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition("Questions can only be answered on a published challenge.")
    if question.answer is not None:
        raise Conflict("This question has already been answered.", code="already_answered")
    question.answer = answer.strip()
    question.answered_by_id = ctx.user.id
    question.answered_at = ctx.now
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action="question.answered",
        entity_type="challenge",
        entity_id=challenge.id,
        data={"question": question.number},
    )
    return question


async def list_questions(ctx: Context, challenge: Challenge) -> list[Question]:
    """Answered questions for everyone; the owner also sees open ones, an asker their own."""
    query = select(Question).where(Question.challenge_id == challenge.id).order_by(Question.number)
    query = query.where(readable_questions(ctx.user, challenge))
    return list((await ctx.db.scalars(query)).all())
