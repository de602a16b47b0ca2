"""The evaluation pages of a committee member: declare, score, submit; the chair's requirements
and consensus. Each page shows what the JSON API answers the same person, built by the same
functions, and sends its forms through the same services."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import is_unsealed
from app.context import Context
from app.db import Id, writes_on_read
from app.documents.download import file_download
from app.errors import ValidationFailed
from app.evaluation import consensus, declarations, scoring
from app.evaluation.api import chair_view, proposal_scores_out, tasks_out
from app.evaluation.schemas import ConsensusIn, DeclarationsIn, ScoresIn, VerdictsIn
from app.evaluation.seats import my_seats
from app.evaluation.state import for_member
from app.i18n import Lazy
from app.proposals.opening import opened_attachment
from app.proposals.views import content_view
from app.routing import CommittingRoute
from app.validation import checked
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

DONE = {
    "declared": Lazy("Your declarations are recorded."),
    "saved": Lazy("Your scores are saved. They stay a draft until you submit."),
    "submitted": Lazy("Your scores are submitted; they are final."),
    "requirements": Lazy("The minimum requirements are recorded."),
    "consensus": Lazy("The consensus is recorded."),
}


def _done(request: Request) -> str | None:
    key = request.query_params.get("done")
    return str(DONE[key]) if key in DONE else None


def _texts(errors: dict | None) -> dict[str, str]:
    return {name: str(message) for name, message in (errors or {}).items()}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(value).strip() for name, value in form.items() if isinstance(value, str)}


def _renamed(failed: ValidationFailed, names: list[str], field: str, default: str) -> dict:
    """The service's errors ("scores.2.rationale") under the form's field names
    ("rationale-17"), so the summary links to the field and the field shows its message."""
    errors = {}
    for key, message in failed.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == field and parts[1].isdigit():
            index = int(parts[1])
            if index < len(names):
                errors[f"{parts[2]}-{names[index]}"] = message
                continue
        errors[default] = message
    return errors


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 3 else None


@router.get("/evaluations")
async def my_evaluations(request: Request, ctx: WebCtx) -> Response:
    """Where the caller sits on a committee, with what is still to do."""
    return render(
        request,
        "evaluation/mine.html",
        {"seats": await my_seats(ctx), "now": ctx.now, "is_unsealed": is_unsealed},
    )


# --- tasks, declarations, submit --------------------------------------------------------------


async def _tasks_page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    evaluation = await for_member(ctx, challenge_id)
    scores = await scoring.scores_of(ctx, evaluation)
    tasks = tasks_out(evaluation, ctx.user.id, scores)
    missing = []
    if tasks.declared_all and not tasks.submitted:
        own = [s for s in scores if s.user_id == ctx.user.id]
        missing = [str(m) for m in scoring.missing(evaluation, ctx.user.id, own).values()]
    return render(
        request,
        "evaluation/tasks.html",
        {
            "challenge": evaluation.challenge,
            "tasks": tasks,
            "chair": tasks.role.value == "chair",
            "missing": missing,
            "values": values or {},
            "errors": _texts(errors),
            "done": _done(request),
        },
        status_code=status_code,
    )


@router.get("/challenges/{challenge_id}/evaluation")
@writes_on_read
async def tasks_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    return await _tasks_page(request, ctx, challenge_id)


@router.post("/challenges/{challenge_id}/evaluation/declarations")
async def declare(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    """Per proposal answered: conflict-<id> is "no" or "yes", explanation-<id> the text."""
    values = await _form(request)
    evaluation = await for_member(ctx, challenge_id)
    answered = [
        p
        for p in evaluation.opened
        if values.get(f"conflict-{p.proposal_id}") in ("yes", "no")
        and evaluation.declaration(ctx.user.id, p) is None
    ]
    items = [
        {
            "proposal_id": str(p.proposal_id),
            "conflict": values[f"conflict-{p.proposal_id}"] == "yes",
            "explanation": values.get(f"explanation-{p.proposal_id}", ""),
        }
        for p in answered
    ]
    try:
        if not items:
            raise ValidationFailed(
                {"declarations": Lazy("Answer for at least one proposal: a conflict or none.")}
            )
        await declarations.declare(
            ctx, challenge_id, checked(DeclarationsIn, {"declarations": items})
        )
    except ValidationFailed as failed:
        names = [str(p.proposal_id) for p in answered]
        errors = _renamed(failed, names, "declarations", "declarations")
        return await _tasks_page(request, ctx, challenge_id, values, errors, 422)
    return redirect(request, f"/challenges/{challenge_id}/evaluation?done=declared")


@router.post("/challenges/{challenge_id}/evaluation/submit")
async def submit(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    values = await _form(request)
    try:
        if values.get("confirm") != "yes":
            raise ValidationFailed(
                {"confirm": Lazy("Tick the box to confirm that your scores are final.")}
            )
        await scoring.submit(ctx, challenge_id)
    except ValidationFailed as failed:
        errors = failed.errors if "confirm" in failed.errors else {"submit": failed.text()}
        return await _tasks_page(request, ctx, challenge_id, values, errors, 422)
    return redirect(request, f"/challenges/{challenge_id}/evaluation?done=submitted")


# --- scoring one proposal ---------------------------------------------------------------------


async def _score_page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    proposal_id: UUID,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    evaluation, proposal = await scoring.proposal_for_member(ctx, challenge_id, proposal_id)
    out = await proposal_scores_out(ctx, evaluation, proposal)
    if values is None:
        values = {}
        for own in out.own:
            if own.score is not None:
                values[f"score-{own.criterion_id}"] = str(own.score)
            values[f"rationale-{own.criterion_id}"] = own.rationale
    base = f"/challenges/{challenge_id}/evaluation/proposals/{proposal_id}"
    return render(
        request,
        "evaluation/score.html",
        {
            "challenge": evaluation.challenge,
            "proposal": proposal,
            "out": out,
            "view": content_view(evaluation.challenge, proposal.content or {}),
            "files": f"{base}/attachments/",
            "scale": list(range(out.scale_min, out.scale_max + 1)),
            "values": values,
            "errors": _texts(errors),
            "done": _done(request),
            "chair": evaluation.role_of(ctx.user.id).value == "chair",
        },
        status_code=status_code,
    )


@router.get("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}")
@writes_on_read
async def score_page(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID
) -> Response:
    return await _score_page(request, ctx, challenge_id, proposal_id)


def _score_items(values: dict[str, str], criteria: list, name: str) -> tuple[list, list, dict]:
    """The criteria the form gives a score or a reason for: (items, their ids, errors). A
    reason without a score is kept on the page with an error, never dropped."""
    items, ids, errors = [], [], {}
    for criterion in criteria:
        raw = values.get(f"score-{criterion.id}", "")
        rationale = values.get(f"rationale-{criterion.id}", "")
        if not raw and not rationale:
            continue
        score = _whole(raw)
        if score is None:
            errors[f"score-{criterion.id}"] = Lazy("Choose a score.")
            continue
        items.append({"criterion_id": criterion.id, "score": score, "rationale": rationale})
        ids.append(str(criterion.id))
    if not items and not errors:
        errors[name] = Lazy("Give at least one score with its reasons.")
    return items, ids, errors


@router.post("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}")
async def save_scores(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID
) -> Response:
    values = await _form(request)
    evaluation, _proposal = await scoring.proposal_for_member(ctx, challenge_id, proposal_id)
    items, ids, errors = _score_items(values, evaluation.quality, "scores")
    try:
        if errors:
            raise ValidationFailed(errors)
        data = checked(ScoresIn, {"scores": items})
        await scoring.save_scores(ctx, challenge_id, proposal_id, data)
    except ValidationFailed as failed:
        errors = errors or _renamed(failed, ids, "scores", "scores")
        return await _score_page(request, ctx, challenge_id, proposal_id, values, errors, 422)
    return redirect(
        request, f"/challenges/{challenge_id}/evaluation/proposals/{proposal_id}?done=saved"
    )


@router.get("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/attachments/{sha256}")
async def attachment(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID, sha256: str
) -> Response:
    """A document of the proposal, for a member who may read the proposal."""
    _evaluation, proposal = await scoring.proposal_for_member(ctx, challenge_id, proposal_id)
    name, content_type, data = await opened_attachment(
        ctx, request.app.state.documents, proposal, sha256.lower()[:64]
    )
    return file_download(data, name, content_type)


# --- the chair: requirements and consensus ----------------------------------------------------


async def _consensus_page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    proposal_id: UUID,
    form: str | None = None,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    evaluation, proposal = await consensus.for_chair(ctx, challenge_id, proposal_id)
    out = await chair_view(ctx, evaluation, proposal)
    kept: dict[str, Any] = {}
    for verdict in out.verdicts:
        kept[f"passed-{verdict.requirement_id}"] = "yes" if verdict.passed else "no"
        kept[f"reason-{verdict.requirement_id}"] = verdict.reason
    for criterion in out.criteria:
        if criterion.consensus is not None:
            kept[f"score-{criterion.criterion_id}"] = str(criterion.consensus)
        kept[f"rationale-{criterion.criterion_id}"] = criterion.rationale
    return render(
        request,
        "evaluation/consensus.html",
        {
            "challenge": evaluation.challenge,
            "proposal": proposal,
            "out": out,
            "requirements": evaluation.challenge.requirements,
            "scale": list(range(evaluation.scale.minimum, evaluation.scale.maximum + 1)),
            "form": form,
            "values": {**kept, **(values or {})},
            "errors": _texts(errors),
            "done": _done(request),
        },
        status_code=status_code,
    )


@router.get("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus")
@writes_on_read
async def consensus_page(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID
) -> Response:
    return await _consensus_page(request, ctx, challenge_id, proposal_id)


@router.post("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/requirements")
async def record_requirements(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID
) -> Response:
    """Per requirement answered: passed-<id> is "yes" or "no", reason-<id> the text."""
    values = await _form(request)
    evaluation, _proposal = await consensus.for_chair(ctx, challenge_id, proposal_id)
    answered = [
        r
        for r in evaluation.challenge.requirements
        if values.get(f"passed-{r.id}") in ("yes", "no")
    ]
    items = [
        {
            "requirement_id": r.id,
            "passed": values[f"passed-{r.id}"] == "yes",
            "reason": values.get(f"reason-{r.id}", ""),
        }
        for r in answered
    ]
    try:
        if not items:
            raise ValidationFailed(
                {"verdicts": Lazy("Judge at least one requirement: met or not met.")}
            )
        data = checked(VerdictsIn, {"verdicts": items})
        await consensus.record_requirements(ctx, challenge_id, proposal_id, data)
    except ValidationFailed as failed:
        errors = _renamed(failed, [str(r.id) for r in answered], "verdicts", "verdicts")
        return await _consensus_page(
            request, ctx, challenge_id, proposal_id, "requirements", values, errors, 422
        )
    return redirect(
        request,
        f"/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus?done=requirements",
    )


@router.post("/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus")
async def record_consensus(
    request: Request, ctx: WebCtx, challenge_id: Id, proposal_id: UUID
) -> Response:
    values = await _form(request)
    evaluation, _proposal = await consensus.for_chair(ctx, challenge_id, proposal_id)
    items, ids, errors = _score_items(values, evaluation.quality, "consensus")
    try:
        if errors:
            raise ValidationFailed(errors)
        data = checked(ConsensusIn, {"scores": items})
        await consensus.record_consensus(ctx, challenge_id, proposal_id, data)
    except ValidationFailed as failed:
        errors = errors or _renamed(failed, ids, "scores", "consensus")
        return await _consensus_page(
            request, ctx, challenge_id, proposal_id, "consensus", values, errors, 422
        )
    return redirect(
        request,
        f"/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus?done=consensus",
    )
