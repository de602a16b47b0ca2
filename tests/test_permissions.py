"""The whole role × action matrix, from both sides, against the one permissions module."""

import pytest

from app.auth.permissions import Action, can
from app.organisations.models import OrganisationKind, Role

CALLERS = [
    "public",
    "no_role",
    "admin",
    "owner_officer",
    "other_officer",
    "provider",
    "evaluator",
    "auditor",
]

# action, object ("draft" | "published" | a user, see world() | None), callers allowed
MATRIX = [
    (Action.challenge_create, None, {"owner_officer", "other_officer"}),
    (Action.challenge_read, "draft", {"owner_officer"}),
    (Action.challenge_read, "published", set(CALLERS)),
    (Action.challenge_edit, "draft", {"owner_officer"}),
    (Action.challenge_publish, "draft", {"owner_officer"}),
    (Action.challenge_amend, "published", {"owner_officer"}),
    (Action.challenge_cancel, "published", {"owner_officer"}),
    (Action.question_ask, "published", {"provider"}),
    (Action.question_answer, "published", {"owner_officer"}),
    (Action.question_read_private, "published", {"owner_officer"}),
    (Action.user_manage, None, {"admin"}),
    (Action.user_manage, "colleague", {"admin"}),
    (Action.user_manage, "own_account", set()),
    (Action.user_manage, "outsider", set()),
]


@pytest.fixture
async def world(make):
    municipality = await make.org(OrganisationKind.municipality)
    users = {
        "public": None,
        "no_role": await make.user(None),
        "admin": await make.user(Role.admin, org=municipality),
        "owner_officer": await make.user(Role.policy_officer, org=municipality),
        "other_officer": await make.user(Role.policy_officer),
        "provider": await make.user(Role.provider_member),
        "evaluator": await make.user(Role.evaluator),
        "auditor": await make.user(Role.auditor, org=municipality),
    }
    objects = {
        None: None,
        "draft": await make.challenge(users["owner_officer"]),
        "published": await make.challenge(users["owner_officer"], publish=True),
        "colleague": users["owner_officer"],  # same organisation as the admin
        "own_account": users["admin"],
        "outsider": users["other_officer"],
    }
    return users, objects


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("action", "obj", "allowed"), MATRIX, ids=lambda v: str(v))
async def test_matrix(world, caller, action, obj, allowed):
    users, objects = world
    assert can(users[caller], action, objects[obj]) is (caller in allowed)


def test_every_action_is_in_the_matrix():
    assert {action for action, _obj, _allowed in MATRIX} == set(Action)
