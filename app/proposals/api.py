"""The joint proposal through the JSON API: draft, attachments, submit, receipts, opening."""

import io
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.auth.permissions import Action, assert_can
from app.challenges.lifecycle import get_challenge
from app.coalitions.service import get_coalition
from app.context import Context
from app.db import Id, writes_on_read
from app.documents.download import file_download
from app.proposals import opening as openings
from app.proposals import service
from app.proposals.models import ProposalSubmission
from app.proposals.schemas import (
    AttachmentOut,
    DraftOut,
    OpeningEntry,
    OpeningOut,
    ProposalContent,
    ReceiptOut,
    SubmissionOut,
)
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["proposals"], dependencies=SIGNED_IN_API
)


def receipt_out(s: ProposalSubmission) -> ReceiptOut:
    return ReceiptOut(
        receipt_number=s.receipt_number,
        version=s.version,
        status=s.status.value,
        submitted_at=s.submitted_at,
        content_hash=s.content_hash,
        withdrawn_at=s.withdrawn_at,
    )


async def draft_out(ctx: Context, coalition_id: UUID) -> DraftOut:
    coalition = await get_coalition(ctx, coalition_id)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    content, draft = await service.load_draft(ctx, coalition)
    files = await service.attachments(ctx, coalition)
    challenge = await get_challenge(ctx, coalition.challenge_id)
    return DraftOut(
        content=content,
        attachments=[
            AttachmentOut(
                id=a.public_id,
                filename=name,
                content_type=a.document.content_type,
                size=a.document.size,
                sha256=a.document.sha256,
            )
            for a, name in files
        ],
        missing={k: str(v) for k, v in service.missing(challenge, coalition, content).items()},
        updated_at=draft.updated_at if draft else None,
    )


@router.get("/coalitions/{coalition_id}/proposal", response_model=DraftOut)
async def get_draft(ctx: ApiCtx, coalition_id: UUID) -> DraftOut:
    """The coalition's working draft, with what is still missing before submission."""
    return await draft_out(ctx, coalition_id)


@router.put("/coalitions/{coalition_id}/proposal", response_model=DraftOut)
async def save_draft(ctx: ApiCtx, coalition_id: UUID, body: ProposalContent) -> DraftOut:
    """Save the draft; it may be incomplete."""
    await service.save_draft(ctx, coalition_id, body)
    return await draft_out(ctx, coalition_id)


@router.post(
    "/coalitions/{coalition_id}/proposal/attachments", status_code=201, response_model=AttachmentOut
)
async def upload(
    request: Request,
    ctx: ApiCtx,
    coalition_id: UUID,
    file: Annotated[UploadFile | None, File()] = None,
) -> AttachmentOut:
    """Attach a PDF, DOCX, ODT or XLSX (checked by content); stored encrypted."""
    a = await service.add_attachment(
        ctx,
        request.app.state.documents,
        coalition_id,
        file.filename if file else "",
        file.file if file else io.BytesIO(),
        request.app.state.settings.max_upload_bytes,
    )
    # The name as stored (without the sender's folders), as the draft will list it.
    return AttachmentOut(
        id=a.public_id,
        filename=service.filename_of(a),
        content_type=a.document.content_type,
        size=a.document.size,
        sha256=a.document.sha256,
    )


@router.get("/coalitions/{coalition_id}/proposal/attachments/{attachment_id}")
async def download(
    request: Request, ctx: ApiCtx, coalition_id: UUID, attachment_id: UUID
) -> Response:
    name, content_type, data = await service.read_attachment(
        ctx, request.app.state.documents, coalition_id, attachment_id
    )
    return file_download(data, name, content_type)


@router.delete("/coalitions/{coalition_id}/proposal/attachments/{attachment_id}", status_code=204)
async def remove(ctx: ApiCtx, coalition_id: UUID, attachment_id: UUID) -> None:
    await service.remove_attachment(ctx, coalition_id, attachment_id)


@router.post(
    "/coalitions/{coalition_id}/proposal/submit", status_code=201, response_model=ReceiptOut
)
async def submit(ctx: ApiCtx, coalition_id: UUID) -> ReceiptOut:
    """Submit (or resubmit) the draft; returns the receipt. 409 after the deadline."""
    return receipt_out(await service.submit(ctx, coalition_id))


@router.post("/coalitions/{coalition_id}/proposal/withdraw", response_model=ReceiptOut)
async def withdraw(ctx: ApiCtx, coalition_id: UUID) -> ReceiptOut:
    return receipt_out(await service.withdraw(ctx, coalition_id))


@router.get("/coalitions/{coalition_id}/submissions", response_model=list[ReceiptOut])
async def submissions(ctx: ApiCtx, coalition_id: UUID) -> list[ReceiptOut]:
    """Every submitted version with its receipt."""
    return [receipt_out(s) for s in await service.receipts(ctx, coalition_id)]


@router.get("/coalitions/{coalition_id}/submissions/{version}", response_model=SubmissionOut)
async def submission(ctx: ApiCtx, coalition_id: UUID, version: Id) -> SubmissionOut:
    """One version in full: the canonical content whose SHA-256 is on the receipt."""
    found, content = await service.submission_content(ctx, coalition_id, version)
    return SubmissionOut(**receipt_out(found).model_dump(), content=content)


@router.get("/coalitions/{coalition_id}/submissions/{version}/attachments/{sha256}")
async def submitted_attachment(
    request: Request,
    ctx: ApiCtx,
    coalition_id: UUID,
    version: Id,
    sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
) -> Response:
    """A document of a submitted version, by the SHA-256 listed in its content."""
    name, content_type, data = await service.submitted_attachment(
        ctx, request.app.state.documents, coalition_id, version, sha256
    )
    return file_download(data, name, content_type)


SEALED = {
    409: {
        "description": "Still sealed: the submission deadline has not passed (`sealed`); or "
        "the challenge is a draft, which takes no proposals and has no opening (`draft`)"
    }
}


@router.get("/challenges/{challenge_id}/opening", response_model=OpeningOut, responses=SEALED)
@writes_on_read
async def opening(ctx: ApiCtx, challenge_id: Id) -> OpeningOut:
    """The opening record, after the submission deadline (municipality and auditors)."""
    record = await openings.opening(ctx, challenge_id)
    return OpeningOut(
        challenge_id=record.challenge_id,
        deadline=record.deadline,
        opened_at=record.opened_at,
        proposals=[OpeningEntry.model_validate(e) for e in record.entries],
    )


@router.get(
    "/challenges/{challenge_id}/proposals", response_model=list[SubmissionOut], responses=SEALED
)
@writes_on_read
async def opened(ctx: ApiCtx, challenge_id: Id) -> list[SubmissionOut]:
    """Every opened proposal in full, after the deadline (municipality and auditors)."""
    return [
        SubmissionOut(**receipt_out(s).model_dump(), content=content)
        for s, content in await openings.opened_proposals(ctx, challenge_id)
    ]
