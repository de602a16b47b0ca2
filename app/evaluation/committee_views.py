"""The committee page: who sits on it and every change made to it, for its readers; the form to
form or change it, for the owner's policy officers."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRouter

from app.auth.deps import SIGNED_IN_PAGES, WebCtx
from app.auth.permissions import Action, can
from app.challenges.models import ChallengeStatus
from app.context import Context
from app.db import Id
from app.errors import ValidationFailed
from app.evaluation import committee
from app.evaluation.models import CommitteeRole
from app.evaluation.schemas import CommitteeChoice
from app.routing import CommittingRoute
from app.validation import checked
from app.web import redirect, render

router = APIRouter(
    route_class=CommittingRoute, dependencies=SIGNED_IN_PAGES, include_in_schema=False
)

FIELDS = ("chair_user_id", "evaluator_user_ids", "reason")


def _field(key: str) -> str:
    """The form field an error belongs to: one evaluator's error marks the evaluators."""
    name = key.split(".")[0]
    return name if name in FIELDS else "form"


def _errors(errors: dict) -> dict[str, str]:
    """The service's errors per form field, the first message of each, in the form's order."""
    found: dict[str, str] = {}
    for key, message in errors.items():
        found.setdefault(_field(key), str(message))
    return {name: found[name] for name in (*FIELDS, "form") if name in found}


def _composition(people: dict[int, tuple[str, str]], kept: dict) -> dict[str, Any]:
    """A composition from the history (user ids) in names; an empty one when there was none."""

    def named(user_id: int | None) -> dict | None:
        if user_id is None:
            return None
        name, organisation = people.get(user_id, ("?", ""))
        return {"name": name, "organisation": organisation}

    return {
        "chair": named(kept.get("chair_user_id")),
        "evaluators": [named(i) for i in kept.get("evaluator_user_ids", [])],
    }


async def _page(
    request: Request,
    ctx: Context,
    challenge_id: int,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    challenge, members = await committee.read_committee(ctx, challenge_id)
    changes = await committee.history(ctx, challenge.id)
    ids = {m.user_id for m in members}
    for change in changes:
        ids.add(change.changed_by_id)
        for kept in (change.old, change.new):
            ids.update(kept.get("evaluator_user_ids", []))
            if kept.get("chair_user_id") is not None:
                ids.add(kept["chair_user_id"])
    people = await committee.people(ctx, ids)
    # The owner's officers; the form only where the committee can still change (published).
    managing = can(ctx.user, Action.committee_manage, challenge)
    changeable = managing and challenge.status == ChallengeStatus.published
    frozen = await committee.consensus_recorded(ctx, challenge.id) if changeable else 0
    seated = [
        {
            "role": m.role.value,
            "name": m.user.name,
            "organisation": people.get(m.user_id, ("", ""))[1],
        }
        for m in members
    ]
    if values is None:
        values = {
            "chair_user_id": next(
                (str(m.user_id) for m in members if m.role == CommitteeRole.chair), ""
            ),
            "evaluator_user_ids": [
                str(m.user_id) for m in members if m.role == CommitteeRole.evaluator
            ],
            "reason": "",
        }
    context = {
        "challenge": challenge,
        "chair": next((s for s in seated if s["role"] == "chair"), None),
        "evaluators": [s for s in seated if s["role"] == "evaluator"],
        "scoring_started": await committee.scoring_started(ctx, challenge.id),
        "history": [
            {
                "number": change.number,
                "by": people.get(change.changed_by_id, ("?", ""))[0],
                "at": change.changed_at,
                "reason": change.reason,
                "old": _composition(people, change.old),
                "new": _composition(people, change.new),
            }
            for change in reversed(changes)
        ],
        "managing": managing,
        "frozen": frozen,
        "changeable": changeable,
        "candidates": [
            {"id": str(user.id), "name": user.name, "organisation": organisation}
            for user, organisation in await committee.candidates(ctx, challenge)
        ]
        if changeable
        else [],
        "values": values,
        "errors": errors or {},
        "saved": None if errors else request.query_params.get("saved"),
    }
    return render(request, "evaluation/committee.html", context, status_code=status_code)


@router.get("/challenges/{challenge_id}/committee")
async def committee_page(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    return await _page(request, ctx, challenge_id)


@router.post("/challenges/{challenge_id}/committee")
async def set_committee(request: Request, ctx: WebCtx, challenge_id: Id) -> Response:
    """Form or change the committee; every error at once, the choices kept."""
    form = await request.form()
    values = {
        "chair_user_id": str(form.get("chair_user_id") or "").strip(),
        "evaluator_user_ids": [str(v) for v in form.getlist("evaluator_user_ids")],
        "reason": str(form.get("reason") or "").strip(),
    }
    try:
        data = checked(
            CommitteeChoice,
            {
                "chair_user_id": values["chair_user_id"] or None,
                "evaluator_user_ids": values["evaluator_user_ids"],
                "reason": values["reason"] or None,
            },
        )
        changed = await committee.set_committee(ctx, challenge_id, data)
    except ValidationFailed as failed:
        return await _page(request, ctx, challenge_id, values, _errors(failed.errors), 422)
    saved = "changed" if changed else "same"
    return redirect(request, f"/challenges/{challenge_id}/committee?saved={saved}")
