"""A challenge's documents; one added after publication is an amendment."""

from typing import BinaryIO

from app.auth.permissions import Action, assert_can
from app.challenges.lifecycle import assert_amendable, get_challenge, next_amendment_number
from app.challenges.models import Amendment, ChallengeAttachment, ChallengeStatus
from app.challenges.schemas import ReasonIn
from app.context import Context
from app.documents.service import clean_filename, store_document
from app.documents.store import LocalDocumentStore
from app.errors import NotFound
from app.validation import checked


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
        assert_amendable(challenge, ctx.now)
        reason = checked(ReasonIn, {"reason": reason}).reason
    name = clean_filename(filename)
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
            number=await next_amendment_number(ctx, challenge.id),
            reason=reason,
            changes={"attachments": {"old": None, "new": name}},
            created_by_id=ctx.user.id,
            created_at=ctx.now,
        )
        ctx.db.add(amendment)
    await ctx.record(
        "challenge.attachment_added",
        "challenge",
        challenge.id,
        filename=name,
        sha256=document.sha256,
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
