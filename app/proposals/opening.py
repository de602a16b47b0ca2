"""The opening: at the submission deadline the sealed proposals are listed, once and for good."""

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.permissions import (
    Action,
    Seat,
    assert_can,
    awaits_opening,
    can,
    is_unsealed,
    opened_submission_clause,
    unsealed_at,
)
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus
from app.coalitions.models import Coalition, CoalitionMember
from app.context import Context
from app.documents.store import LocalDocumentStore
from app.errors import Conflict, Forbidden
from app.evaluation.seats import committee_role
from app.i18n.formats import moment
from app.proposals.models import ProposalOpening, ProposalSubmission
from app.proposals.service import listed_attachment, submission_content, submission_context
from app.sealing import unseal


def assert_not_draft(challenge: Challenge) -> None:
    """A draft takes no proposals, so it is never opened, whatever its deadline says (a draft's
    dates may lie in the past): its own officers hear so (409); nobody else sees a draft."""
    if challenge.status == ChallengeStatus.draft:
        raise Conflict(
            "This challenge is a draft: it takes no proposals, so it has no opening. Proposals "
            "are opened at the submission deadline of a published challenge.",
            code="draft",
        )


async def opening(ctx: Context, challenge_id: int) -> ProposalOpening:
    """The opening record; made on first request after the deadline, identical thereafter."""
    challenge = await get_challenge(ctx, challenge_id)
    assert_not_draft(challenge)
    if awaits_opening(challenge, ctx.now) and can(
        ctx.user, Action.opening_read, challenge, unsealed_at(challenge)
    ):
        # A reader-to-be gets a clear answer that tells nothing about what is inside.
        raise Conflict(
            "The proposals stay sealed until the submission deadline (%(deadline)s).",
            code="sealed",
            deadline=moment(challenge.submission_deadline),
        )
    assert_can(ctx.user, Action.opening_read, challenge, ctx.now)
    return await _recorded_opening(ctx, challenge.id) or await _open(ctx, challenge.id)


async def any_opened(ctx: Context, challenge_id: int) -> bool:
    """Whether the opening lists any proposal, for its readers once the deadline passed; read
    from the record once made, else from the submissions (without making the record)."""
    challenge = await get_challenge(ctx, challenge_id)
    assert_not_draft(challenge)
    assert_can(ctx.user, Action.opening_read, challenge, ctx.now)
    recorded = await _recorded_opening(ctx, challenge.id)
    if recorded is not None:
        return bool(recorded.entries)
    found = await ctx.db.scalar(
        select(ProposalSubmission.id)
        .where(
            ProposalSubmission.challenge_id == challenge.id,
            opened_submission_clause(challenge.submission_deadline),
        )
        .limit(1)
    )
    return found is not None


async def _recorded_opening(ctx: Context, challenge_id: int) -> ProposalOpening | None:
    return await ctx.db.scalar(
        select(ProposalOpening).where(ProposalOpening.challenge_id == challenge_id)
    )


async def _open(ctx: Context, challenge_id: int) -> ProposalOpening:
    """Open at the deadline: wait until every submission holding the challenge has committed
    (see `service._hold_open_challenge`), then record what was accepted before the deadline."""
    challenge = await get_challenge(ctx, challenge_id, for_update=True)
    assert_not_draft(challenge)
    existing = await _recorded_opening(ctx, challenge.id)
    if existing is not None:
        return existing
    deadline = challenge.submission_deadline
    rows = await ctx.db.execute(
        select(ProposalSubmission, Coalition)
        .join(Coalition, Coalition.id == ProposalSubmission.coalition_id)
        .options(selectinload(Coalition.members).selectinload(CoalitionMember.organisation))
        .where(
            ProposalSubmission.challenge_id == challenge.id,
            opened_submission_clause(deadline),
        )
        .order_by(ProposalSubmission.submitted_at)
    )
    entries = []
    for submission, coalition in rows:
        lead = next(
            m for m in coalition.members if m.organisation_id == coalition.lead_organisation_id
        )
        entries.append(
            {
                "receipt_number": submission.receipt_number,
                "coalition": coalition.name,
                "coalition_id": str(coalition.public_id),
                "lead": lead.organisation.name,
                "version": submission.version,
                "submitted_at": submission.submitted_at.isoformat(),
                "content_hash": submission.content_hash,
            }
        )
    # The proposals are opened at the deadline, whenever the record is first asked for: what it
    # lists cannot change after the deadline.
    record_ = ProposalOpening(
        challenge_id=challenge.id, opened_at=deadline, deadline=deadline, entries=entries
    )
    ctx.db.add(record_)
    await ctx.db.flush()
    await ctx.record(
        "proposals.opened",
        "challenge",
        challenge.id,
        deadline=deadline.isoformat(),
        proposals=entries,
    )
    return record_


async def opened_proposals(
    ctx: Context, challenge_id: int
) -> list[tuple[ProposalSubmission, dict]]:
    """After the deadline, for the municipality and auditors: every opened proposal in full."""
    record_ = await opening(ctx, challenge_id)
    challenge = await get_challenge(ctx, challenge_id)
    role = await committee_role(ctx, challenge.id)
    if not can(ctx.user, Action.proposal_read, Seat(challenge, role), ctx.now):
        raise Forbidden(
            "You sit on this challenge's committee: read the proposals through the "
            "evaluation, once you have declared your conflicts of interest.",
            code="committee_member",
        )
    result = []
    for entry in record_.entries:
        submission, content = await submission_content(
            ctx, UUID(entry["coalition_id"]), entry["version"]
        )
        result.append((submission, content))
    return result


@dataclass(frozen=True)
class OpenedProposal:
    """One proposal as the opening lists it, for the evaluation: named by its coalition's
    random public id, with the member organisations as submitted, and its content only when
    asked for."""

    proposal_id: UUID
    coalition_id: int
    coalition: str
    lead: str
    members: tuple[str, ...]
    receipt_number: str
    version: int
    content_hash: str
    content: dict[str, Any] | None = field(default=None, compare=False)
    # The whole submitted content, unsealed once with the list, for the evaluation's own use:
    # the committed targets behind the formula criteria, and `with_content()` for a member
    # whom permissions.py lets read the proposal. Never shown as such.
    submitted: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def with_content(self) -> "OpenedProposal":
        return replace(self, content=self.submitted)

    def committed(self, indicator_id: int) -> Any:
        """The committed target on an indicator, or None."""
        targets = self.submitted.get("targets", [])
        return next((t["value"] for t in targets if t["indicator_id"] == indicator_id), None)


async def opened_for_evaluation(
    ctx: Context, challenge: Challenge, with_content: Collection[UUID] = ()
) -> list[OpenedProposal]:
    """The one way the evaluation reads proposals: every opened one in the opening's order,
    the content only of those in `with_content`. The caller has asked permissions.py whether
    its user may see them (and which contents); this only refuses a challenge still sealed."""
    if not is_unsealed(challenge, ctx.now):
        raise Conflict(
            "The proposals stay sealed until the submission deadline (%(deadline)s).",
            code="sealed",
            deadline=moment(challenge.submission_deadline),
        )
    record_ = await _recorded_opening(ctx, challenge.id) or await _open(ctx, challenge.id)
    rows = await ctx.db.execute(
        select(ProposalSubmission, Coalition.public_id)
        .join(Coalition, Coalition.id == ProposalSubmission.coalition_id)
        .where(
            ProposalSubmission.challenge_id == challenge.id,
            opened_submission_clause(record_.deadline),
        )
    )
    submissions = {public_id: submission for submission, public_id in rows}
    wanted = set(with_content)
    opened = []
    for entry in record_.entries:
        public_id = UUID(entry["coalition_id"])
        submission = submissions[public_id]
        plain = unseal(
            submission.sealed_content,
            submission_context(submission.coalition_id, submission.version),
        )
        content = json.loads(plain)
        opened.append(
            OpenedProposal(
                proposal_id=public_id,
                coalition_id=submission.coalition_id,
                coalition=entry["coalition"],
                lead=entry["lead"],
                members=tuple(m["name"] for m in content["coalition"]["members"]),
                receipt_number=entry["receipt_number"],
                version=entry["version"],
                content_hash=entry["content_hash"],
                content=content if public_id in wanted else None,
                submitted=content,
            )
        )
    return opened


async def opened_attachment(
    ctx: Context, store: LocalDocumentStore, proposal: OpenedProposal, digest: str
) -> tuple[str, str, bytes]:
    """A document of an opened proposal read with its content, for the evaluation (which has
    asked permissions.py whether its member may read the proposal)."""
    return await listed_attachment(
        ctx, store, proposal.coalition_id, proposal.content or {}, digest
    )
