"""Challenge pages: the public list and detail, writing, publishing, amending, Q&A."""

import io
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from app.auth.deps import PUBLIC_PAGES, SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, assert_can
from app.awards.service import has_award_page
from app.challenges import attachments, forms, lifecycle, search
from app.challenges import questions as question_round
from app.challenges.models import (
    ChallengeStatus,
    CriterionKind,
    Direction,
    Frequency,
    Theme,
)
from app.challenges.schemas import ReasonIn, publication_problems
from app.coalitions.views import challenge_panel
from app.context import Context
from app.contracts.search import contract_of_challenge
from app.db import MAX_INT, Id
from app.documents.download import file_download
from app.errors import ValidationFailed
from app.evaluation.state import evaluation_links
from app.i18n import Lazy
from app.routing import CommittingRoute
from app.validation import problems as input_problems
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)
# Public: the list of published challenges, one challenge's page and its documents.
public_router = APIRouter(
    route_class=CommittingRoute, dependencies=PUBLIC_PAGES, include_in_schema=False
)

STATUS_FILTERS = ("open", "closed", "cancelled", "draft")


def _int(text: str | None, default: int | None = None) -> int | None:
    """A filter number from the query; one that is not a number, or out of range, is ignored."""
    try:
        value = int(text) if text not in (None, "") else default
    except ValueError:
        return default
    return value if value is None or abs(value) <= MAX_INT else default


@public_router.get("/")
@public_router.get("/challenges")
async def challenge_list(request: Request, ctx: WebCtx) -> Response:
    params = request.query_params
    status = params.get("status") if params.get("status") in STATUS_FILTERS else None
    theme = params.get("theme") if params.get("theme") in Theme.__members__ else None
    filters = search.ChallengeFilter(
        status=status,
        municipality=_int(params.get("municipality")),
        theme=Theme(theme) if theme else None,
        q=(params.get("q") or "")[:200],
        page=max(1, min(_int(params.get("page"), 1) or 1, 10_000)),
    )
    page = await search.list_challenges(ctx, filters)
    municipalities = await search.municipalities_with_challenges(ctx)
    return render(
        request,
        "challenges/list.html",
        {
            "page": page,
            "filters": filters,
            "municipalities": municipalities,
            "themes": list(Theme),
            "statuses": STATUS_FILTERS,
            "display_status": lambda c: lifecycle.display_status(c, ctx.now),
            "query_without_page": _query_without(request, "page"),
        },
        block="results",
    )


def _query_without(request: Request, name: str) -> str:
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != name and v])


def _form_context(values: dict[str, str], errors: dict, **extra) -> dict:
    counts = {group: max(1, forms.row_count(values, group)) for group in forms.ROW_FIELDS}
    return {
        "values": values,
        "errors": {name: str(message) for name, message in errors.items()},
        "counts": counts,
        "themes": list(Theme),
        "directions": list(Direction),
        "frequencies": list(Frequency),
        "criterion_kinds": list(CriterionKind),
        **extra,
    }


def _row_action(action: str) -> str | None:
    if action.startswith("add_") and action[4:] in forms.ROW_FIELDS:
        return action[4:]
    return None


@router.get("/challenges/new")
async def new_challenge(request: Request, ctx: WebCtx) -> Response:
    assert_can(ctx.user, Action.challenge_create)
    return render(request, "challenges/form.html", _form_context({}, {}, mode="new"))


@router.post("/challenges/new")
async def create_challenge(request: Request, ctx: WebCtx) -> Response:
    form = await request.form()
    values = forms.values_from_form(form)
    group = _row_action(str(form.get("action", "")))
    if group:
        values = forms.add_row(values, group)
        return render(request, "challenges/form.html", _form_context(values, {}, mode="new"))
    data, errors = forms.parse(values)
    if errors:
        return render(
            request,
            "challenges/form.html",
            _form_context(values, errors, mode="new"),
            status_code=422,
        )
    challenge = await lifecycle.create_draft(ctx, data)
    return redirect(request, f"/challenges/{challenge.id}")


# What a successful write tells on the page it leads to (?done=KEY), and only these.
DONE = {
    "published": Lazy(
        "The challenge has been published: everyone can read it now, and providers can ask "
        "questions and form coalitions."
    ),
}


@public_router.get("/challenges/{challenge_id}")
async def challenge_detail(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    return await _detail_page(request, ctx, challenge_id)


async def _detail_page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    *,
    publish_error: str | None = None,
    question: str = "",
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The challenge page; after a refused question, with the question kept and its error."""
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    questions = await question_round.list_questions(ctx, challenge)
    amendments = await lifecycle.list_amendments(ctx, challenge)
    problems = {}
    if challenge.status == ChallengeStatus.draft:
        problems = publication_problems(lifecycle.as_input(challenge), ctx.now)
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "status": lifecycle.display_status(challenge, ctx.now),
            "questions": questions,
            "amendments": amendments,
            "problems": {name: str(message) for name, message in problems.items()},
            "questions_open": lifecycle.questions_open(challenge, ctx.now),
            "amendable": challenge.status == ChallengeStatus.published
            and lifecycle.is_open(challenge, ctx.now),
            "now": ctx.now,
            "coalitions": await challenge_panel(ctx, challenge),
            "contract": await contract_of_challenge(ctx, challenge),
            "award_link": await has_award_page(ctx, challenge),
            "evaluation": await evaluation_links(ctx, challenge),
            "done": str(DONE[done]) if (done := request.query_params.get("done")) in DONE else None,
            "publish_error": publish_error,
            "question": question,
            "question_errors": {name: str(message) for name, message in (errors or {}).items()},
        },
        status_code=status_code,
    )


@router.get("/challenges/{challenge_id}/edit")
async def edit_challenge(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    mode = "edit" if challenge.status == ChallengeStatus.draft else "amend"
    action = Action.challenge_edit if mode == "edit" else Action.challenge_amend
    assert_can(ctx.user, action, challenge)
    values = forms.values_from(lifecycle.as_input(challenge))
    return render(
        request,
        "challenges/form.html",
        _form_context(values, {}, mode=mode, challenge=challenge, reason=""),
    )


@router.post("/challenges/{challenge_id}/edit")
async def save_challenge(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    mode = "edit" if challenge.status == ChallengeStatus.draft else "amend"
    form = await request.form()
    values = forms.values_from_form(form)
    reason = str(form.get("reason", ""))
    context = {"mode": mode, "challenge": challenge, "reason": reason}
    group = _row_action(str(form.get("action", "")))
    if group:
        values = forms.add_row(values, group)
        return render(request, "challenges/form.html", _form_context(values, {}, **context))
    data, errors = forms.parse(values)
    if errors and mode == "amend":
        # The reason is checked with the rest, so every error shows at once.
        errors = {**input_problems(ReasonIn, {"reason": reason}), **errors}
    try:
        if errors:
            raise ValidationFailed(errors)
        if mode == "edit":
            await lifecycle.update_draft(ctx, challenge_id, data)
        else:
            await lifecycle.amend(ctx, challenge_id, data, reason)
    except ValidationFailed as failed:
        return render(
            request,
            "challenges/form.html",
            _form_context(values, failed.errors, **context),
            status_code=422,
        )
    return redirect(request, f"/challenges/{challenge_id}")


@router.post("/challenges/{challenge_id}/publish")
async def publish_challenge(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.challenge_publish, challenge)
    form = await request.form()
    complete = not publication_problems(lifecycle.as_input(challenge), ctx.now)
    if form.get("confirm") != "yes" and complete:
        # The confirmation step, without JavaScript: the box next to the button must be ticked.
        # (An incomplete draft goes on to be refused with what is missing.)
        message = Lazy("Tick the box to confirm that you want to publish this challenge.")
        return await _detail_page(
            request, ctx, challenge_id, publish_error=str(message), status_code=422
        )
    await lifecycle.publish(ctx, challenge_id)
    return redirect(request, f"/challenges/{challenge_id}?done=published")


@router.get("/challenges/{challenge_id}/cancel")
async def cancel_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.challenge_cancel, challenge)
    return render(request, "challenges/cancel.html", {"challenge": challenge, "errors": {}})


@router.post("/challenges/{challenge_id}/cancel")
async def cancel_challenge(
    request: Request,
    ctx: WebCtx,
    challenge_id: Id,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        await lifecycle.cancel(ctx, challenge_id, reason)
    except ValidationFailed as failed:
        challenge = await lifecycle.get_challenge(ctx, challenge_id)
        return render(
            request,
            "challenges/cancel.html",
            {"challenge": challenge, "errors": failed.field_texts(), "reason": reason},
            status_code=422,
        )
    return redirect(request, f"/challenges/{challenge_id}")


@router.post("/challenges/{challenge_id}/questions")
async def ask_question(
    request: Request,
    ctx: WebCtx,
    challenge_id: Id,
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        await question_round.ask_question(ctx, challenge_id, text)
    except ValidationFailed as failed:
        return await _detail_page(
            request, ctx, challenge_id, question=text, errors=failed.errors, status_code=422
        )
    return redirect(request, f"/challenges/{challenge_id}#questions")


@router.post("/challenges/{challenge_id}/questions/{question_id}/answer")
async def answer_question(
    request: Request,
    ctx: WebCtx,
    challenge_id: Id,
    question_id: Id,
    answer: Annotated[str, Form()] = "",
) -> Response:
    await question_round.answer_question(ctx, challenge_id, question_id, answer)
    return redirect(request, f"/challenges/{challenge_id}#questions")


@router.post("/challenges/{challenge_id}/attachments")
async def upload_attachment(
    request: Request,
    ctx: WebCtx,
    challenge_id: Id,
    file: UploadFile | None = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    settings = request.app.state.settings
    await attachments.add_attachment(
        ctx,
        request.app.state.documents,
        challenge_id,
        file.filename if file else "",
        file.file if file else io.BytesIO(),
        settings.max_upload_bytes,
        reason,
    )
    return redirect(request, f"/challenges/{challenge_id}#documents")


@public_router.get("/challenges/{challenge_id}/attachments/{attachment_id}")
async def download_attachment(
    request: Request, ctx: WebCtx, challenge_id: Id, attachment_id: Id
) -> Response:
    attachment = await attachments.get_attachment(ctx, challenge_id, attachment_id)
    path = request.app.state.documents.path(attachment.document.storage_key)
    return file_download(path, attachment.filename, attachment.document.content_type)
