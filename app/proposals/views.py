"""Proposal pages: the joint draft, submitting with a receipt, the receipts, the opening record."""

import io
import re
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response

from app.audit.service import canonical
from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, assert_can, awaits_opening, can, unsealed_at
from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.coalitions.models import Coalition, MemberStatus
from app.coalitions.service import get_coalition
from app.context import Context
from app.db import Id, writes_on_read
from app.documents.download import file_download
from app.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.i18n import Lazy
from app.proposals import forms, service
from app.proposals import opening as openings
from app.proposals.queries import current_submission
from app.routing import CommittingRoute
from app.sealing import sha256
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

RECEIPT_NUMBER = re.compile(r"^[A-Z0-9-]{1,40}$")
SUBMIT, SAVE = "submit", "save"
CONFIRM_SUBMIT = Lazy(
    "The draft has been saved but not submitted: tick the box to confirm that the coalition "
    "submits this proposal."
)


def _texts(errors: dict) -> dict[str, str]:
    return {name: str(message) for name, message in errors.items()}


async def _member_coalition(ctx: Context, coalition_id: UUID) -> Coalition:
    """The coalition, for its accepted members only: a draft is never shown to anyone else."""
    coalition = await get_coalition(ctx, coalition_id)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    return coalition


def content_view(challenge: Challenge, content: dict[str, Any]) -> dict[str, Any]:
    """Submitted (canonical) content joined with the challenge's indicators and requirements."""
    members = content.get("coalition", {}).get("members", [])
    names = {m["organisation_id"]: m["name"] for m in members}
    targets = {t["indicator_id"]: t["value"] for t in content.get("targets", [])}
    answers = {a["requirement_id"]: a for a in content.get("requirement_answers", [])}
    known = {i.id for i in challenge.indicators}
    budget = [(names.get(s["organisation_id"], "–"), s["amount_cents"]) for s in content["budget"]]
    return {
        "name": content.get("coalition", {}).get("name", ""),
        "members": members,
        "approach": content.get("approach", ""),
        "theory_of_change": content.get("theory_of_change", ""),
        "targets": [(i, targets.get(i.id)) for i in challenge.indicators],
        "stale_targets": [v for k, v in targets.items() if k not in known],
        "budget": budget,
        "budget_total": sum(amount for _name, amount in budget),
        "requirements": [
            (position, r, answers.get(r.id))
            for position, r in enumerate(challenge.requirements, start=1)
        ],
        "attachments": content.get("attachments", []),
    }


# --- the draft --------------------------------------------------------------------------------


async def _proposal_page(
    request: Request,
    ctx: Context,
    coalition_id: UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    coalition = await _member_coalition(ctx, coalition_id)
    challenge = await lifecycle.get_challenge(ctx, coalition.challenge_id)
    content, draft = await service.load_draft(ctx, coalition)
    files = await service.attachments(ctx, coalition)
    missing = service.missing(challenge, coalition, content)
    open_ = lifecycle.is_open(challenge, ctx.now)
    members = [m for m in coalition.members if m.status == MemberStatus.accepted]
    preview = service.canonical_content(challenge, coalition, content, files)
    current = await current_submission(ctx, coalition)
    context = {
        "coalition": coalition,
        "challenge": challenge,
        "draft": draft,
        "files": files,
        "missing": [(forms.anchor(key), key, str(text)) for key, text in missing.items()],
        "open": open_,
        "lead": can(ctx.user, Action.proposal_submit, coalition),
        "members": members,
        "current": current,
        "values": values if values is not None else forms.values_from(content),
        "errors": _texts(errors or {}),
        "labels": _texts(forms.labels(challenge, members)),
        "notice": notice,
        "view": content_view(challenge, preview) if not open_ else None,
        "identical_to_current": current is not None
        and current.content_hash == sha256(canonical(preview).encode()),
    }
    return render(request, "proposals/draft.html", context, status_code=status_code)


@router.get("/coalitions/{coalition_id}/proposal")
async def proposal_page(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    return await _proposal_page(request, ctx, coalition_id)


@router.post("/coalitions/{coalition_id}/proposal")
async def save_proposal(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    """Save the draft; with action=submit the lead then submits it, in the same transaction."""
    coalition = await _member_coalition(ctx, coalition_id)
    challenge = await lifecycle.get_challenge(ctx, coalition.challenge_id)
    form = await request.form()
    action = SUBMIT if form.get("action") == SUBMIT else SAVE
    members = [m.organisation_id for m in coalition.members if m.status == MemberStatus.accepted]
    parsed = forms.parse(form, challenge, members)
    try:
        if action == SUBMIT:
            assert_can(ctx.user, Action.proposal_submit, coalition)
        if parsed.content is None:
            raise ValidationFailed(parsed.errors)
        await service.save_draft(ctx, coalition_id, parsed.content)
    except ValidationFailed as failed:
        parsed.add_errors(failed.errors)
        return await _proposal_page(
            request, ctx, coalition_id, values=parsed.values, errors=parsed.errors, status_code=422
        )
    except Conflict as refused:
        # Too late (or a clash): the saved draft stays exactly as it was.
        return await _proposal_page(
            request, ctx, coalition_id, values=parsed.values, notice=refused.text(), status_code=409
        )
    if action == SAVE:
        return redirect(request, f"/coalitions/{coalition_id}/proposal?saved=1")
    content, _draft = await service.load_draft(ctx, coalition)
    if form.get("confirm") != "yes" and not service.missing(challenge, coalition, content):
        # The confirmation step, without JavaScript: the draft is saved, nothing is submitted.
        # (An incomplete one goes on to be refused with what is missing.)
        message = str(CONFIRM_SUBMIT)
        return await _proposal_page(
            request, ctx, coalition_id, errors={"confirm": message}, notice=message, status_code=422
        )
    try:
        submission = await service.submit(ctx, coalition_id)
    except ValidationFailed as incomplete:
        # The draft is saved; the page lists what is still missing.
        return await _proposal_page(
            request, ctx, coalition_id, notice=incomplete.text(), status_code=422
        )
    except Conflict as refused:
        return await _proposal_page(
            request, ctx, coalition_id, notice=refused.text(), status_code=409
        )
    version = submission.version
    return redirect(request, f"/coalitions/{coalition_id}/receipts?submitted={version}#v{version}")


@router.post("/coalitions/{coalition_id}/proposal/withdraw")
async def withdraw(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    try:
        await service.withdraw(ctx, coalition_id)
    except Conflict as refused:
        return await _proposal_page(
            request, ctx, coalition_id, notice=refused.text(), status_code=409
        )
    return redirect(request, f"/coalitions/{coalition_id}/receipts")


@router.post("/coalitions/{coalition_id}/proposal/attachments")
async def upload(
    request: Request, ctx: WebCtx, coalition_id: UUID, file: UploadFile | None = None
) -> Response:
    try:
        await service.add_attachment(
            ctx,
            request.app.state.documents,
            coalition_id,
            file.filename if file else "",
            file.file if file else io.BytesIO(),
            request.app.state.settings.max_upload_bytes,
        )
    except Conflict as refused:
        return await _proposal_page(
            request, ctx, coalition_id, notice=refused.text(), status_code=refused.status
        )
    except DomainError as refused:
        if refused.status not in (413, 415, 422):
            raise
        message = refused.text()
        if isinstance(refused, ValidationFailed):
            message = str(next(iter(refused.errors.values()), message))
        return await _proposal_page(
            request, ctx, coalition_id, errors={"file": message}, status_code=refused.status
        )
    return redirect(request, f"/coalitions/{coalition_id}/proposal#documents")


@router.get("/coalitions/{coalition_id}/proposal/attachments/{attachment_id}")
async def download(
    request: Request, ctx: WebCtx, coalition_id: UUID, attachment_id: UUID
) -> Response:
    await _member_coalition(ctx, coalition_id)
    name, content_type, data = await service.read_attachment(
        ctx, request.app.state.documents, coalition_id, attachment_id
    )
    return file_download(data, name, content_type)


@router.post("/coalitions/{coalition_id}/proposal/attachments/{attachment_id}/remove")
async def remove(
    request: Request, ctx: WebCtx, coalition_id: UUID, attachment_id: UUID
) -> Response:
    await service.remove_attachment(ctx, coalition_id, attachment_id)
    return redirect(request, f"/coalitions/{coalition_id}/proposal#documents")


# --- receipts --------------------------------------------------------------------------------


@router.get("/coalitions/{coalition_id}/receipts")
async def receipts(request: Request, ctx: WebCtx, coalition_id: UUID) -> Response:
    coalition = await get_coalition(ctx, coalition_id)
    versions = await service.receipts(ctx, coalition_id)
    return render(
        request,
        "proposals/receipts.html",
        {
            "coalition": coalition,
            "challenge": coalition.challenge,
            "versions": list(reversed(versions)),
            "member": coalition.member(ctx.user.organisation_id) is not None,
            **_just_submitted(request, versions),
        },
    )


def _just_submitted(request: Request, versions: list) -> dict[str, Any]:
    """After submitting (?submitted=N): that version, and an earlier one with the same content."""
    number = request.query_params.get("submitted", "")
    submitted = next((v for v in versions if number.isdigit() and v.version == int(number)), None)
    same = None
    if submitted is not None:
        earlier = [v for v in versions if v.version < submitted.version]
        same = next(
            (v for v in reversed(earlier) if v.content_hash == submitted.content_hash), None
        )
    return {"submitted": submitted, "identical_to": same}


@router.get("/coalitions/{coalition_id}/receipts/{version}")
async def version_page(request: Request, ctx: WebCtx, coalition_id: UUID, version: Id) -> Response:
    coalition = await get_coalition(ctx, coalition_id)
    submission, content = await service.submission_content(ctx, coalition_id, version)
    challenge = await lifecycle.get_challenge(ctx, coalition.challenge_id)
    return render(
        request,
        "proposals/version.html",
        {
            "coalition": coalition,
            "challenge": challenge,
            "submission": submission,
            "view": content_view(challenge, content),
        },
    )


@router.get("/coalitions/{coalition_id}/receipts/{version}/content.json")
async def version_content(ctx: WebCtx, coalition_id: UUID, version: Id) -> Response:
    """Exactly the bytes whose SHA-256 is on the receipt, so anyone can check it."""
    submission, content = await service.submission_content(ctx, coalition_id, version)
    filename = f"{submission.receipt_number}.json"
    return file_download(canonical(content).encode(), filename, "application/json")


@router.get("/coalitions/{coalition_id}/receipts/{version}/attachments/{sha256}")
async def version_attachment(
    request: Request, ctx: WebCtx, coalition_id: UUID, version: Id, sha256: str
) -> Response:
    """A document of a submitted version, for the coalition and, once opened, its readers."""
    name, content_type, data = await service.submitted_attachment(
        ctx, request.app.state.documents, coalition_id, version, sha256.lower()[:64]
    )
    return file_download(data, name, content_type)


# --- the opening ------------------------------------------------------------------------------


async def _opening_challenge(ctx: Context, challenge_id: int) -> tuple[Challenge, bool]:
    """(challenge, sealed) for those who may read the opening record once the deadline passed."""
    challenge = await lifecycle.get_challenge(ctx, challenge_id)
    openings.assert_not_draft(challenge)
    # The same answers as the API: 403 for those who will never read it, 409 while sealed.
    assert_can(ctx.user, Action.opening_read, challenge, unsealed_at(challenge))
    sealed = awaits_opening(challenge, ctx.now)
    if not sealed:
        assert_can(ctx.user, Action.opening_read, challenge, ctx.now)
    return challenge, sealed


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@router.get("/challenges/{challenge_id}/opening")
@writes_on_read
async def opening_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    challenge, sealed = await _opening_challenge(ctx, challenge_id)
    record = None if sealed else await openings.opening(ctx, challenge_id)
    entries = [
        {**entry, "submitted_at": _moment(entry["submitted_at"])}
        for entry in (record.entries if record else [])
    ]
    return render(
        request,
        "proposals/opening.html",
        {"challenge": challenge, "sealed": sealed, "record": record, "entries": entries},
        status_code=409 if sealed else 200,
    )


@router.get("/challenges/{challenge_id}/opening/{receipt_number}")
@writes_on_read
async def opened_page(
    request: Request, ctx: WebCtx, challenge_id: Id, receipt_number: str
) -> Response:
    challenge, sealed = await _opening_challenge(ctx, challenge_id)
    if sealed or not RECEIPT_NUMBER.match(receipt_number):
        raise NotFound("This page does not exist.")
    record = await openings.opening(ctx, challenge_id)
    entry = next((e for e in record.entries if e["receipt_number"] == receipt_number), None)
    if entry is None:
        raise NotFound("This page does not exist.")
    submission, content = await service.submission_content(
        ctx, UUID(entry["coalition_id"]), entry["version"]
    )
    return render(
        request,
        "proposals/opened.html",
        {
            "challenge": challenge,
            "entry": {**entry, "submitted_at": _moment(entry["submitted_at"])},
            "submission": submission,
            "view": content_view(challenge, content),
        },
    )
