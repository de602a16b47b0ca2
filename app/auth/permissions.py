"""Every permission rule in one place: what each role may do, and on which objects."""

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, or_

from app.challenges.models import Challenge
from app.errors import Forbidden, Unauthenticated
from app.organisations.models import OrganisationKind, Role, User


class Action(StrEnum):
    challenge_create = "challenge.create"
    challenge_read = "challenge.read"
    challenge_edit = "challenge.edit"
    challenge_publish = "challenge.publish"
    challenge_amend = "challenge.amend"
    challenge_cancel = "challenge.cancel"
    question_ask = "question.ask"
    question_answer = "question.answer"
    question_read_private = "question.read_private"
    user_manage = "user.manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.policy_officer: frozenset(
        {
            Action.challenge_create,
            Action.challenge_read,
            Action.challenge_edit,
            Action.challenge_publish,
            Action.challenge_amend,
            Action.challenge_cancel,
            Action.question_answer,
            Action.question_read_private,
        }
    ),
    Role.provider_member: frozenset({Action.challenge_read, Action.question_ask}),
    Role.evaluator: frozenset({Action.challenge_read}),
    Role.auditor: frozenset({Action.challenge_read}),
    Role.admin: frozenset({Action.challenge_read, Action.user_manage}),
}

PUBLIC_ACTIONS = frozenset({Action.challenge_read})
_OWNER_ACTIONS = frozenset(
    {
        Action.challenge_edit,
        Action.challenge_publish,
        Action.challenge_amend,
        Action.challenge_cancel,
        Action.question_answer,
        Action.question_read_private,
    }
)


def _is_owner(user: User, challenge: Challenge) -> bool:
    return user.organisation_id == challenge.organisation_id


def can(user: User | None, action: Action, obj: Any = None) -> bool:
    """Role grants the action; the object rules then narrow it."""
    granted = ROLE_PERMISSIONS.get(user.role, frozenset()) if user and user.role else frozenset()
    if action not in granted | PUBLIC_ACTIONS:
        return False
    if isinstance(obj, User):
        # Own organisation only, and never one's own role: no admin locks themselves out.
        same_organisation = user is not None and obj.organisation_id == user.organisation_id
        return same_organisation and obj.id != user.id
    if isinstance(obj, Challenge):
        if action == Action.challenge_read:
            return obj.is_public or (
                user is not None and user.role == Role.policy_officer and _is_owner(user, obj)
            )
        if action in _OWNER_ACTIONS:
            return user is not None and _is_owner(user, obj)
    if action == Action.challenge_create:
        return user is not None and user.organisation.kind == OrganisationKind.municipality
    return True


def assert_can(user: User | None, action: Action, obj: Any = None) -> None:
    if not can(user, action, obj):
        if user is None:
            raise Unauthenticated("Please sign in first.")
        raise Forbidden("You are not allowed to do this.")


def readable_challenges(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause for challenges the caller may see: public ones, plus own drafts."""
    public = Challenge.published_at.is_not(None)
    if user is not None and user.role == Role.policy_officer:
        return or_(public, Challenge.organisation_id == user.organisation_id)
    return public


def manageable_users(user: User) -> ColumnElement[bool]:
    """The WHERE clause for the accounts an admin sees: those of their own organisation."""
    return User.organisation_id == user.organisation_id
