"""The joint proposal: drafted together, submitted with a receipt, sealed until the deadline."""

import json
import secrets
from typing import Any, BinaryIO
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit.sealed import audit_sealed
from app.audit.service import canonical
from app.auth.permissions import Action, assert_can, opened_submission_clause
from app.challenges.lifecycle import assert_open, get_challenge
from app.challenges.models import Challenge
from app.coalitions.models import Coalition, MemberStatus
from app.coalitions.service import get_coalition
from app.context import Context
from app.documents.models import Document
from app.documents.service import clean_filename, store_document
from app.documents.store import LocalDocumentStore
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import Lazy
from app.proposals.models import (
    ProposalAttachment,
    ProposalDraft,
    ProposalOpening,
    ProposalSubmission,
    SubmissionStatus,
)
from app.proposals.queries import current_submission
from app.proposals.schemas import ProposalContent
from app.sealing import seal, sha256, unseal


def _draft_context(coalition_id: int) -> str:
    return f"proposal-draft:{coalition_id}"


def _attachment_context(coalition_id: int) -> str:
    return f"proposal-attachment:{coalition_id}"


def submission_context(coalition_id: int, version: int) -> str:
    return f"proposal-submission:{coalition_id}:{version}"


async def load_draft(
    ctx: Context, coalition: Coalition
) -> tuple[ProposalContent, ProposalDraft | None]:
    draft = await ctx.db.scalar(
        select(ProposalDraft).where(ProposalDraft.coalition_id == coalition.id)
    )
    if draft is None:
        return ProposalContent(), None
    plain = unseal(draft.sealed_content, _draft_context(coalition.id))
    return ProposalContent.model_validate_json(plain), draft


async def attachments(ctx: Context, coalition: Coalition) -> list[tuple[ProposalAttachment, str]]:
    """The draft's documents with their (sealed) file names opened."""
    rows = await ctx.db.scalars(
        select(ProposalAttachment)
        .options(selectinload(ProposalAttachment.document))
        .where(
            ProposalAttachment.coalition_id == coalition.id, ProposalAttachment.removed_at.is_(None)
        )
        .order_by(ProposalAttachment.id)
    )
    context = _attachment_context(coalition.id)
    return [(row, unseal(row.sealed_filename, context).decode()) for row in rows]


def _check_references(challenge: Challenge, coalition: Coalition, content: ProposalContent) -> dict:
    """Field errors that make a draft unsaveable: references to things that are not there."""
    errors: dict[str, Lazy] = {}
    indicator_ids = {i.id for i in challenge.indicators}
    requirement_ids = {r.id for r in challenge.requirements}
    accepted = {m.organisation_id for m in coalition.members if m.status == MemberStatus.accepted}
    for index, target in enumerate(content.targets):
        if target.indicator_id not in indicator_ids:
            errors[f"targets.{index}"] = Lazy("This indicator is not part of the challenge.")
    if len({t.indicator_id for t in content.targets}) != len(content.targets):
        errors["targets"] = Lazy("Give one committed target per indicator.")
    for index, share in enumerate(content.budget):
        if share.organisation_id not in accepted:
            errors[f"budget.{index}"] = Lazy("Only members who have accepted can get a share.")
    if len({s.organisation_id for s in content.budget}) != len(content.budget):
        errors["budget"] = Lazy("Give each member one share.")
    for index, answer in enumerate(content.requirement_answers):
        if answer.requirement_id not in requirement_ids:
            errors[f"requirement_answers.{index}"] = Lazy(
                "This minimum requirement is not part of the challenge."
            )
    return errors


def missing(
    challenge: Challenge, coalition: Coalition, content: ProposalContent
) -> dict[str, Lazy]:
    """What still stands between this draft and a submission."""
    problems: dict[str, Lazy] = {}
    if not content.approach:
        problems["approach"] = Lazy("Describe the approach.")
    if not content.theory_of_change:
        problems["theory_of_change"] = Lazy("Explain why it will work (theory of change).")
    committed = {t.indicator_id for t in content.targets}
    for indicator in challenge.indicators:
        if indicator.id not in committed:
            problems[f"target.{indicator.id}"] = Lazy(
                "Commit a target for “%(name)s”.", name=indicator.name
            )
    answered = {a.requirement_id: a for a in content.requirement_answers}
    for position, requirement in enumerate(challenge.requirements, start=1):
        answer = answered.get(requirement.id)
        if answer is None or answer.met is None:
            problems[f"requirement.{requirement.id}"] = Lazy(
                "Answer minimum requirement %(number)s.", number=position
            )
    if not content.budget:
        problems["budget"] = Lazy("Split the budget over the members.")
    total = sum(share.amount_cents for share in content.budget)
    if challenge.budget_cents is not None and total > challenge.budget_cents:
        problems["budget"] = Lazy("The budget split is more than the challenge's budget.")
    pending = [m for m in coalition.members if m.status == MemberStatus.invited]
    if pending:
        problems["members"] = Lazy(
            "Every invited organisation must accept (or be removed) before submission."
        )
    problems.update(_check_references(challenge, coalition, content))
    return problems


async def save_draft(ctx: Context, coalition_id: UUID, content: ProposalContent) -> ProposalDraft:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    challenge = await get_challenge(ctx, coalition.challenge_id)
    assert_open(challenge, ctx)
    errors = _check_references(challenge, coalition, content)
    if errors:
        raise ValidationFailed(errors)
    sealed = seal(content.model_dump_json().encode(), _draft_context(coalition.id))
    _content, draft = await load_draft(ctx, coalition)
    if draft is None:
        draft = ProposalDraft(coalition_id=coalition.id)
        ctx.db.add(draft)
    draft.sealed_content = sealed
    draft.updated_by_id = ctx.user.id
    draft.updated_at = ctx.now
    await ctx.db.flush()
    await audit_sealed(ctx, coalition, "proposal.draft_saved")
    return draft


def filename_of(attachment: ProposalAttachment) -> str:
    """The (sealed) name a draft document was given, opened."""
    return unseal(attachment.sealed_filename, _attachment_context(attachment.coalition_id)).decode()


async def add_attachment(
    ctx: Context,
    store: LocalDocumentStore,
    coalition_id: UUID,
    filename: str,
    source: BinaryIO,
    max_bytes: int,
) -> ProposalAttachment:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    assert_open(coalition.challenge, ctx)
    name = clean_filename(filename)
    document = await store_document(ctx, store, source, max_bytes, sealed=True)
    attachment = ProposalAttachment(
        coalition_id=coalition.id,
        document_id=document.id,
        sealed_filename=seal(name.encode(), _attachment_context(coalition.id)),
        added_at=ctx.now,
    )
    attachment.document = document
    ctx.db.add(attachment)
    await ctx.db.flush()
    await audit_sealed(ctx, coalition, "proposal.attachment_added", sha256=document.sha256)
    return attachment


async def remove_attachment(ctx: Context, coalition_id: UUID, attachment_id: UUID) -> None:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    assert_open(coalition.challenge, ctx)
    attachment = await ctx.db.scalar(
        select(ProposalAttachment).where(
            ProposalAttachment.public_id == attachment_id,
            ProposalAttachment.coalition_id == coalition.id,
            ProposalAttachment.removed_at.is_(None),
        )
    )
    if attachment is None:
        raise NotFound("This document does not exist.")
    attachment.removed_at = ctx.now
    await audit_sealed(ctx, coalition, "proposal.attachment_removed")


async def read_attachment(
    ctx: Context, store: LocalDocumentStore, coalition_id: UUID, attachment_id: UUID
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of a draft document, for the coalition's members."""
    coalition = await get_coalition(ctx, coalition_id)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    for attachment, name in await attachments(ctx, coalition):
        if attachment.public_id == attachment_id:
            document = attachment.document
            data = await store.read_async(document.storage_key, sealed=True)
            return name, document.content_type, data
    raise NotFound("This document does not exist.")


def canonical_content(
    challenge: Challenge,
    coalition: Coalition,
    content: ProposalContent,
    files: list[tuple[ProposalAttachment, str]],
) -> dict[str, Any]:
    """Exactly what is submitted; the receipt's SHA-256 is taken over this, attachments included."""
    members = [m for m in coalition.members if m.status == MemberStatus.accepted]
    return {
        "challenge_id": challenge.id,
        "coalition": {
            "name": coalition.name,
            "members": [
                {
                    "organisation_id": m.organisation_id,
                    "name": m.organisation.name,
                    "kvk_number": m.organisation.kvk_number,
                    "lead": m.organisation_id == coalition.lead_organisation_id,
                    "role": m.role,
                    "contribution": m.contribution,
                }
                for m in members
            ],
        },
        **content.model_dump(mode="json"),
        "attachments": [
            {
                "filename": name,
                "content_type": attachment.document.content_type,
                "size": attachment.document.size,
                "sha256": attachment.document.sha256,
            }
            for attachment, name in files
        ],
    }


async def _hold_open_challenge(ctx: Context, challenge_id: int) -> Challenge:
    """Hold the challenge against its opening, then read the clock: the time a submission or
    withdrawal is accepted is the time it holds the challenge, and the opening (which waits for
    every holder to commit) lists it exactly when that time is before the deadline."""
    challenge = await get_challenge(ctx, challenge_id, for_share=True)
    ctx.now = ctx.read_clock()
    assert_open(challenge, ctx)
    opened = await ctx.db.scalar(
        select(ProposalOpening.id).where(ProposalOpening.challenge_id == challenge.id)
    )
    if opened is not None:
        # Only a clock running behind the one that opened can get here; it is after all.
        raise Conflict(
            "The submission deadline has passed; the coalition can no longer change.",
            code="deadline_passed",
        )
    return challenge


async def submit(ctx: Context, coalition_id: UUID) -> ProposalSubmission:
    """The lead submits; a new version replaces the previous one, which is kept."""
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_submit, coalition)
    challenge = await _hold_open_challenge(ctx, coalition.challenge_id)
    content, _draft = await load_draft(ctx, coalition)
    problems = missing(challenge, coalition, content)
    if problems:
        raise ValidationFailed(problems, "The proposal is not complete yet; see what is missing.")
    files = await attachments(ctx, coalition)
    body = canonical_content(challenge, coalition, content, files)
    plain = canonical(body).encode()
    previous = await current_submission(ctx, coalition)
    version = (
        await ctx.db.scalar(
            select(func.max(ProposalSubmission.version)).where(
                ProposalSubmission.coalition_id == coalition.id
            )
        )
        or 0
    ) + 1
    if previous is not None:
        previous.status = SubmissionStatus.superseded
    submission = ProposalSubmission(
        challenge_id=challenge.id,
        coalition_id=coalition.id,
        version=version,
        receipt_number=f"UK-{challenge.id}-{secrets.token_hex(5).upper()}",
        submitted_at=ctx.now,
        submitted_by_id=ctx.user.id,
        content_hash=sha256(plain),
        sealed_content=seal(plain, submission_context(coalition.id, version)),
        status=SubmissionStatus.current,
    )
    ctx.db.add(submission)
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict(
            "Another submission of this coalition arrived at the same moment; "
            "reload and try again.",
            code="concurrent_submission",
        ) from error
    await audit_sealed(
        ctx,
        coalition,
        "proposal.submitted",
        version=version,
        receipt_number=submission.receipt_number,
        content_hash=submission.content_hash,
    )
    return submission


async def withdraw(ctx: Context, coalition_id: UUID) -> ProposalSubmission:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_submit, coalition)
    await _hold_open_challenge(ctx, coalition.challenge_id)
    submission = await current_submission(ctx, coalition)
    if submission is None:
        raise Conflict("There is no submitted proposal to withdraw.", code="not_submitted")
    submission.status = SubmissionStatus.withdrawn
    submission.withdrawn_at = ctx.now
    await audit_sealed(ctx, coalition, "proposal.withdrawn", version=submission.version)
    return submission


async def receipts(ctx: Context, coalition_id: UUID) -> list[ProposalSubmission]:
    """Every version with its receipt, for the coalition (and, once opened, its readers)."""
    coalition = await get_coalition(ctx, coalition_id)
    assert_can(ctx.user, Action.proposal_read, coalition, ctx.now)
    query = select(ProposalSubmission).where(ProposalSubmission.coalition_id == coalition.id)
    if coalition.member(ctx.user.organisation_id) is None:
        # Outside readers see only what was opened: the final version received before the
        # deadline. Replaced and withdrawn versions stay the coalition's own.
        query = query.where(opened_submission_clause(coalition.challenge.submission_deadline))
    return list((await ctx.db.scalars(query.order_by(ProposalSubmission.version))).all())


async def submission_content(
    ctx: Context, coalition_id: UUID, version: int
) -> tuple[ProposalSubmission, dict[str, Any]]:
    for submission in await receipts(ctx, coalition_id):
        if submission.version == version:
            plain = unseal(
                submission.sealed_content,
                submission_context(submission.coalition_id, submission.version),
            )
            return submission, json.loads(plain)
    raise NotFound("This version does not exist.")


async def submitted_attachment(
    ctx: Context, store: LocalDocumentStore, coalition_id: UUID, version: int, digest: str
) -> tuple[str, str, bytes]:
    """A file of a submitted version, found by the SHA-256 its content lists, for its readers."""
    submission, content = await submission_content(ctx, coalition_id, version)
    return await listed_attachment(ctx, store, submission.coalition_id, content, digest)


async def listed_attachment(
    ctx: Context, store: LocalDocumentStore, coalition_id: int, content: dict, digest: str
) -> tuple[str, str, bytes]:
    """The file a submitted content lists by its SHA-256 (the caller has checked who reads)."""
    listed = next((a for a in content.get("attachments", []) if a["sha256"] == digest), None)
    if listed is None:
        raise NotFound("This document does not exist.")
    document = await ctx.db.scalar(
        select(Document)
        .join(ProposalAttachment, ProposalAttachment.document_id == Document.id)
        .where(ProposalAttachment.coalition_id == coalition_id, Document.sha256 == digest)
        .limit(1)
    )
    if document is None:
        raise NotFound("This document does not exist.")
    data = await store.read_async(document.storage_key, sealed=True)
    return listed["filename"], document.content_type, data
