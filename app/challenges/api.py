"""The challenge use cases as a JSON API under /api/v1, for programs with a bearer token."""

import io
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse

from app.auth.deps import SIGNED_IN_API, ApiCtx
from app.challenges import attachments, lifecycle, search
from app.challenges import questions as question_round
from app.challenges.models import Challenge, Theme
from app.challenges.schemas import (
    AmendmentIn,
    AmendmentOut,
    AnswerIn,
    AttachmentOut,
    ChallengeIn,
    ChallengeOut,
    ChallengePage,
    ChallengeSummaryOut,
    QuestionIn,
    QuestionOut,
    ReasonIn,
)
from app.db import MAX_INT, Id
from app.documents.download import file_download
from app.routing import CommittingRoute

router = APIRouter(
    prefix="/api/v1", route_class=CommittingRoute, tags=["challenges"], dependencies=SIGNED_IN_API
)
# Public: published challenges, their amendments, answered questions and documents.
public_router = APIRouter(prefix="/api/v1", route_class=CommittingRoute, tags=["challenges"])


def challenge_out(challenge: Challenge, now) -> ChallengeOut:
    return ChallengeOut.model_validate(
        {
            **{
                k: getattr(challenge, k)
                for k in ChallengeOut.model_fields
                if hasattr(challenge, k)
                and k not in ("indicators", "criteria", "requirements", "attachments", "status")
            },
            "status": lifecycle.display_status(challenge, now),
            "open_for_submissions": lifecycle.is_open(challenge, now),
            "municipality": challenge.organisation.name,
            "indicators": challenge.indicators,
            "criteria": challenge.criteria,
            "requirements": [r.text for r in challenge.requirements],
            "attachments": [
                AttachmentOut(
                    id=a.id,
                    filename=a.filename,
                    content_type=a.document.content_type,
                    size=a.document.size,
                    sha256=a.document.sha256,
                    url=f"/api/v1/challenges/{challenge.id}/attachments/{a.id}",
                )
                for a in challenge.attachments
            ],
        }
    )


@public_router.get("/challenges", response_model=ChallengePage)
async def list_challenges(
    ctx: ApiCtx,
    status: Annotated[str | None, Query(pattern="^(open|closed|cancelled|draft)$")] = None,
    municipality: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    theme: Theme | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ChallengePage:
    """Published challenges (and, for a policy officer, their own drafts)."""
    result = await search.list_challenges(
        ctx, search.ChallengeFilter(status, municipality, theme, q, page, per_page)
    )
    return ChallengePage(
        items=[
            ChallengeSummaryOut(
                id=c.id,
                status=lifecycle.display_status(c, ctx.now),
                open_for_submissions=lifecycle.is_open(c, ctx.now),
                municipality=c.organisation.name,
                title=c.title,
                summary=c.summary,
                theme=c.theme,
                budget_cents=c.budget_cents,
                submission_deadline=c.submission_deadline,
                url=f"/api/v1/challenges/{c.id}",
            )
            for c in result.items
        ],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.post("/challenges", status_code=201, response_model=ChallengeOut)
async def create_challenge(ctx: ApiCtx, body: ChallengeIn) -> ChallengeOut:
    """Write a new draft (policy officers)."""
    challenge = await lifecycle.create_draft(ctx, body)
    return challenge_out(await lifecycle.get_challenge(ctx, challenge.id), ctx.now)


@public_router.get("/challenges/{challenge_id}", response_model=ChallengeOut)
async def get_challenge(ctx: ApiCtx, challenge_id: Id) -> ChallengeOut:
    return challenge_out(await lifecycle.get_challenge(ctx, challenge_id), ctx.now)


@router.put("/challenges/{challenge_id}", response_model=ChallengeOut)
async def update_draft(ctx: ApiCtx, challenge_id: Id, body: ChallengeIn) -> ChallengeOut:
    """Replace a draft's content."""
    await lifecycle.update_draft(ctx, challenge_id, body)
    return challenge_out(await lifecycle.get_challenge(ctx, challenge_id), ctx.now)


@router.post("/challenges/{challenge_id}/publish", response_model=ChallengeOut)
async def publish(ctx: ApiCtx, challenge_id: Id) -> ChallengeOut:
    await lifecycle.publish(ctx, challenge_id)
    return challenge_out(await lifecycle.get_challenge(ctx, challenge_id), ctx.now)


@router.post(
    "/challenges/{challenge_id}/amendments",
    status_code=201,
    response_model=AmendmentOut,
)
async def amend(ctx: ApiCtx, challenge_id: Id, body: AmendmentIn) -> AmendmentOut:
    """Change a published challenge before its deadline, with a reason; kept in its history."""
    amendment = await lifecycle.amend(ctx, challenge_id, body.challenge, body.reason)
    return AmendmentOut.model_validate(amendment)


@public_router.get("/challenges/{challenge_id}/amendments", response_model=list[AmendmentOut])
async def amendments(ctx: ApiCtx, challenge_id: Id) -> list[AmendmentOut]:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    return [AmendmentOut.model_validate(a) for a in await lifecycle.list_amendments(ctx, challenge)]


@router.post("/challenges/{challenge_id}/cancel", response_model=ChallengeOut)
async def cancel(ctx: ApiCtx, challenge_id: Id, body: ReasonIn) -> ChallengeOut:
    await lifecycle.cancel(ctx, challenge_id, body.reason)
    return challenge_out(await lifecycle.get_challenge(ctx, challenge_id), ctx.now)


@public_router.get("/challenges/{challenge_id}/questions", response_model=list[QuestionOut])
async def questions(ctx: ApiCtx, challenge_id: Id) -> list[QuestionOut]:
    """Answered questions (askers are never named); the owner also sees unanswered ones."""
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    return [
        QuestionOut.model_validate(q) for q in await question_round.list_questions(ctx, challenge)
    ]


@router.post(
    "/challenges/{challenge_id}/questions",
    status_code=201,
    response_model=QuestionOut,
)
async def ask(ctx: ApiCtx, challenge_id: Id, body: QuestionIn) -> QuestionOut:
    return QuestionOut.model_validate(
        await question_round.ask_question(ctx, challenge_id, body.text)
    )


@router.post(
    "/challenges/{challenge_id}/questions/{question_id}/answer",
    response_model=QuestionOut,
)
async def answer(ctx: ApiCtx, challenge_id: Id, question_id: Id, body: AnswerIn) -> QuestionOut:
    question = await question_round.answer_question(ctx, challenge_id, question_id, body.answer)
    return QuestionOut.model_validate(question)


@router.post(
    "/challenges/{challenge_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
)
async def upload(
    request: Request,
    ctx: ApiCtx,
    challenge_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
    reason: Annotated[str, Form()] = "",
) -> AttachmentOut:
    """Attach a PDF, DOCX, ODT or XLSX; after publication this is an amendment with a reason."""
    a = await attachments.add_attachment(
        ctx,
        request.app.state.documents,
        challenge_id,
        file.filename if file else "",
        file.file if file else io.BytesIO(),
        request.app.state.settings.max_upload_bytes,
        reason,
    )
    return AttachmentOut(
        id=a.id,
        filename=a.filename,
        content_type=a.document.content_type,
        size=a.document.size,
        sha256=a.document.sha256,
        url=f"/api/v1/challenges/{challenge_id}/attachments/{a.id}",
    )


@public_router.get(
    "/challenges/{challenge_id}/attachments/{attachment_id}",
    response_class=FileResponse,
)
async def download(request: Request, ctx: ApiCtx, challenge_id: Id, attachment_id: Id):
    attachment = await attachments.get_attachment(ctx, challenge_id, attachment_id)
    path = request.app.state.documents.path(attachment.document.storage_key)
    return file_download(path, attachment.filename, attachment.document.content_type)
