"""The whole role × action matrix, from both sides, against the one permissions module."""

from datetime import timedelta

import pytest

from app.api_clients.models import ApiClient
from app.auth.permissions import Action, ContractSides, can, role_fits
from app.challenges import questions as challenges
from app.demo.data import ACCOUNTS, ORGANISATIONS
from app.organisations.models import OrganisationKind, Role
from app.scenarios.models import CutScenarioRecord

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
    # A draft is its municipality's policy officers' own, as its banner says: not its admin's
    # (who manages accounts) nor its auditors' (who read what was published or opened).
    (Action.challenge_read, "draft", {"owner_officer"}),
    (Action.challenge_read, "published", set(CALLERS)),
    (Action.challenge_edit, "draft", {"owner_officer"}),
    (Action.challenge_publish, "draft", {"owner_officer"}),
    (Action.challenge_amend, "published", {"owner_officer"}),
    (Action.challenge_cancel, "published", {"owner_officer"}),
    (Action.question_ask, "published", {"provider"}),
    (Action.question_answer, "published", {"owner_officer"}),
    (Action.question_read_private, "published", {"owner_officer"}),
    # The committee is formed by the owner's policy officers (the rest is in SEAT_MATRIX).
    (Action.committee_manage, "published", {"owner_officer"}),
    (Action.user_manage, None, {"admin"}),
    (Action.user_manage, "colleague", {"admin"}),
    (Action.user_manage, "own_account", set()),
    (Action.user_manage, "outsider", set()),
    (Action.audit_read, None, {"auditor"}),
    # Those who may sit on a committee find their seats in the menu.
    (Action.evaluation_list_own, None, {"owner_officer", "other_officer", "evaluator"}),
    # API clients: an admin, for their own organisation's (the CLI is the operator's).
    (Action.api_client_manage, None, {"admin"}),
    (Action.api_client_manage, "own_api_client", {"admin"}),
    (Action.api_client_manage, "others_api_client", set()),
    (Action.api_client_manage, "operators_api_client", set()),
    # The owner reads every question (question.read_private); an asker their own unanswered
    # ones; anybody else only the answered ones (no object rule needed for those).
    (Action.question_read_own, "providers_question", {"provider"}),
    (Action.question_read_own, "others_question", set()),
    # A running contract: the lead reports; every party and the owning municipality (its
    # officers and auditors) read the reports; the owner's officers review and record payments.
    (Action.report_submit, "contract", {"provider"}),
    (Action.report_submit, "partner_contract", set()),
    (Action.report_read, "contract", {"owner_officer", "auditor", "provider"}),
    (Action.report_read, "partner_contract", {"owner_officer", "auditor", "provider"}),
    (Action.report_review, "contract", {"owner_officer"}),
    (Action.payment_record, "contract", {"owner_officer"}),
    (Action.signal_read, None, {"owner_officer", "other_officer"}),
    (Action.signal_read, "contract", {"owner_officer"}),
    # The portfolio is always the caller's own municipality's: its officers, auditors and
    # admins read it (the contracts and accepted results in it are public); nobody else has one.
    (Action.portfolio_read, None, {"admin", "owner_officer", "other_officer", "auditor"}),
    # Cut scenarios: a municipality's policy officers make them; its officers, auditors and
    # admins read its saved ones; nobody reads another municipality's.
    (Action.scenario_create, None, {"owner_officer", "other_officer"}),
    (Action.scenario_read, None, {"owner_officer", "other_officer", "auditor", "admin"}),
    (Action.scenario_read, "own_scenario", {"owner_officer", "auditor", "admin"}),
    (Action.scenario_read, "others_scenario", {"other_officer"}),
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
    partner = await make.user(Role.provider_member)
    provider_org = users["provider"].organisation_id
    objects = {
        None: None,
        "draft": await make.challenge(users["owner_officer"]),
        "published": await make.challenge(users["owner_officer"], publish=True),
        "colleague": users["owner_officer"],  # same organisation as the admin
        "own_account": users["admin"],
        "outsider": users["other_officer"],
        "contract": ContractSides(
            municipality.id, provider_org, frozenset({provider_org, partner.organisation_id})
        ),
        "partner_contract": ContractSides(
            municipality.id,
            partner.organisation_id,
            frozenset({provider_org, partner.organisation_id}),
        ),
        "own_api_client": ApiClient(organisation_id=municipality.id),
        "others_api_client": ApiClient(organisation_id=users["other_officer"].organisation_id),
        "operators_api_client": ApiClient(organisation_id=None),
        "own_scenario": CutScenarioRecord(organisation_id=municipality.id),
        "others_scenario": CutScenarioRecord(
            organisation_id=users["other_officer"].organisation_id
        ),
    }
    asker = make.ctx(await make.user(Role.provider_member))
    objects["providers_question"] = await challenges.ask_question(
        make.ctx(users["provider"]), objects["published"].id, "How many households?"
    )
    objects["others_question"] = await challenges.ask_question(
        asker, objects["published"].id, "Which districts?"
    )
    return users, objects


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("action", "obj", "allowed"), MATRIX, ids=lambda v: str(v))
async def test_matrix(world, caller, action, obj, allowed):
    users, objects = world
    assert can(users[caller], action, objects[obj]) is (caller in allowed)


COALITION_CALLERS = [
    "public",
    "lead",
    "member",
    "invited",
    "declined",
    "outsider_provider",
    "owner_officer",
    "other_officer",
    "admin",
    "auditor",
    "other_auditor",
    "evaluator",
]
BEFORE, AFTER = "before_deadline", "after_deadline"

# action, moment, callers allowed (on a coalition of a published challenge)
COALITION_MATRIX = [
    (Action.coalition_read, BEFORE, {"lead", "member", "invited"}),
    (Action.coalition_manage, BEFORE, {"lead"}),
    (Action.coalition_respond, BEFORE, {"invited"}),
    (Action.coalition_leave, BEFORE, {"member"}),
    (Action.proposal_edit, BEFORE, {"lead", "member"}),
    (Action.proposal_submit, BEFORE, {"lead"}),
    (Action.proposal_read, BEFORE, {"lead", "member"}),
    # Sealed until the deadline; after it the owner municipality and the auditors it appointed
    # may read (not another municipality's officers or auditors).
    (Action.proposal_read, AFTER, {"lead", "member", "owner_officer", "auditor"}),
    # A bidder's members read the award decision on their proposal; its lead objects for it.
    (Action.award_read, AFTER, {"lead", "member"}),
    (Action.objection_lodge, AFTER, {"lead"}),
]
CHALLENGE_ACTIONS = [
    (
        Action.coalition_start,
        BEFORE,
        {"lead", "member", "invited", "declined", "outsider_provider"},
    ),
    (Action.opening_read, BEFORE, set()),
    (Action.opening_read, AFTER, {"owner_officer", "auditor"}),
    # The audit stream of a challenge's sealed events: its own municipality's auditors, and
    # only once the deadline has passed (the sealing rule, as for the opening).
    (Action.audit_read_sealed, BEFORE, set()),
    (Action.audit_read_sealed, AFTER, {"auditor"}),
    # The contract is made from an opened proposal, by the owning municipality's policy officers
    # only (not its auditors, who read; not another municipality's officers).
    (Action.contract_create, BEFORE, set()),
    (Action.contract_create, AFTER, {"owner_officer"}),
    # The award: decided by the owning municipality's officers, read also by its auditors, once
    # the proposals are opened.
    (Action.award_decide, BEFORE, set()),
    (Action.award_decide, AFTER, {"owner_officer"}),
    (Action.award_read, BEFORE, set()),
    (Action.award_read, AFTER, {"owner_officer", "auditor"}),
]


@pytest.fixture
async def coalition_world(make):
    from datetime import timedelta

    from app.challenges import lifecycle
    from app.coalitions import service as coalitions
    from app.coalitions.schemas import ResponseIn
    from tests.factories import coalition_of

    municipality = await make.org(OrganisationKind.municipality)
    officer = await make.user(Role.policy_officer, org=municipality)
    challenge = await make.challenge(officer, publish=True)
    users = {
        "public": None,
        "lead": await make.user(Role.provider_member),
        "member": await make.user(Role.provider_member),
        "invited": await make.user(Role.provider_member),
        "declined": await make.user(Role.provider_member),
        "outsider_provider": await make.user(Role.provider_member),
        "owner_officer": officer,
        "other_officer": await make.user(Role.policy_officer),
        "admin": await make.user(Role.admin, org=municipality),
        "auditor": await make.user(Role.auditor, org=municipality),
        "other_auditor": await make.user(Role.auditor),  # appointed by another municipality
        "evaluator": await make.user(Role.evaluator),
    }
    coalition = await coalition_of(make, challenge, users["lead"], users["member"])
    for who in ("invited", "declined"):
        await coalitions.invite(
            make.ctx(users["lead"]), coalition.public_id, users[who].organisation_id
        )
    await coalitions.respond(
        make.ctx(users["declined"]), coalition.public_id, ResponseIn(accept=False)
    )
    coalition = await coalitions.load_coalition(make.ctx(None), coalition.id)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    moments = {
        BEFORE: challenge.submission_deadline - timedelta(seconds=1),
        AFTER: challenge.submission_deadline,
    }
    return users, coalition, challenge, moments


@pytest.mark.parametrize("caller", COALITION_CALLERS)
@pytest.mark.parametrize(("action", "moment", "allowed"), COALITION_MATRIX, ids=str)
async def test_coalition_matrix(coalition_world, caller, action, moment, allowed):
    users, coalition, _challenge, moments = coalition_world
    assert can(users[caller], action, coalition, moments[moment]) is (caller in allowed)


@pytest.mark.parametrize("caller", COALITION_CALLERS)
@pytest.mark.parametrize(("action", "moment", "allowed"), CHALLENGE_ACTIONS, ids=str)
async def test_challenge_level_coalition_matrix(coalition_world, caller, action, moment, allowed):
    users, _coalition, challenge, moments = coalition_world
    assert can(users[caller], action, challenge, moments[moment]) is (caller in allowed)


async def test_only_a_municipality_has_a_portfolio(make):
    """An admin of a provider holds the action by role, but has no municipality to read."""
    provider = await make.org(OrganisationKind.welfare_organisation)
    assert not can(await make.user(Role.admin, org=provider), Action.portfolio_read)
    assert can(await make.user(Role.admin), Action.portfolio_read)


def test_every_action_is_in_the_matrix():
    covered = {action for action, _obj, _allowed in MATRIX}
    covered |= {action for action, _moment, _allowed in COALITION_MATRIX + CHALLENGE_ACTIONS}
    covered |= {action for action, *_rest in SEAT_MATRIX + PROPOSAL_SEAT_MATRIX}
    assert covered == set(Action)


PROVIDER_KINDS = [kind for kind in OrganisationKind if kind != OrganisationKind.municipality]
# kind, roles it may hold: municipal roles in a municipality, provider roles outside one
EVERYWHERE = {Role.admin, Role.evaluator}
ROLES_BY_KIND = [
    (OrganisationKind.municipality, EVERYWHERE | {Role.policy_officer, Role.auditor}),
    *[(kind, EVERYWHERE | {Role.provider_member}) for kind in PROVIDER_KINDS],
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("kind", "allowed"), ROLES_BY_KIND, ids=str)
def test_which_roles_an_organisation_kind_may_hold(kind, allowed, role):
    assert role_fits(kind, role) is (role in allowed)
    assert role_fits(kind, None)


def test_every_demo_account_holds_a_role_its_organisation_may_hold():
    kinds = {name: kind for name, kind, _kvk in ORGANISATIONS}
    misfits = [email for email, _n, org, role, _note in ACCOUNTS if not role_fits(kinds[org], role)]
    assert misfits == []
    auditors = {org for _e, _n, org, role, _note in ACCOUNTS if role == Role.auditor}
    assert auditors == {"Gemeente Voorbeeldstad"}  # appointed by the municipality they audit


VISIBLE = {
    (BEFORE, False): {"lead", "member", "invited"},
    (BEFORE, True): {"lead", "member", "invited"},  # sealed: the coalition alone
    (AFTER, False): {"lead", "member", "invited"},  # nothing was opened
    (AFTER, True): {"lead", "member", "invited", "owner_officer", "auditor"},
}


@pytest.mark.parametrize("submitted", [False, True], ids=["nothing_submitted", "submitted"])
@pytest.mark.parametrize("moment", [BEFORE, AFTER])
@pytest.mark.parametrize("caller", COALITION_CALLERS)
async def test_the_visibility_query_follows_the_object_rules(
    coalition_world, make, caller, moment, submitted
):
    """`visible_coalitions` (one SELECT for sealed and missing alike) sees exactly what `can`
    allows: members their coalition; after the deadline, readers a proposal that was opened."""
    from app.coalitions.service import get_coalition
    from app.context import Context
    from app.errors import NotFound, Unauthenticated
    from app.proposals.models import ProposalSubmission, SubmissionStatus

    users, coalition, challenge, moments = coalition_world
    user, now, deadline = users[caller], moments[moment], challenge.submission_deadline
    if submitted:
        make.db.add(
            ProposalSubmission(
                challenge_id=challenge.id,
                coalition_id=coalition.id,
                version=1,
                receipt_number="UK-TEST-1",
                submitted_at=deadline - timedelta(days=1),
                submitted_by_id=users["lead"].id,
                content_hash="0" * 64,
                sealed_content=b"-",
                status=SubmissionStatus.current,
            )
        )
        await make.db.flush()
    rules = can(user, Action.coalition_read, coalition) or (
        submitted and now >= deadline and can(user, Action.proposal_read, coalition, now)
    )
    try:
        found = await get_coalition(Context(db=make.db, user=user, now=now), coalition.public_id)
        visible = found.id == coalition.id
    except (NotFound, Unauthenticated):  # nobody signed in is asked to, before any lookup
        visible = False
    assert visible is rules is (caller in VISIBLE[moment, submitted])


class _Unknown:
    """An object no rule knows."""


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", list(Action))
async def test_can_refuses_what_it_does_not_know(world, caller, action):
    """No rule for the (action, object) pair is a no, whatever the role grants."""
    users, objects = world
    assert can(users[caller], action, _Unknown()) is False
    known = {obj for a, obj, _allowed in MATRIX if a == action and obj is not None} | (
        {"published"} if action in {a for a, _m, _al in CHALLENGE_ACTIONS} else set()
    )
    for name in ("draft", "published", "colleague", "providers_question"):
        kind = type(objects[name])
        if not any(type(objects[k]) is kind for k in known):
            assert can(users[caller], action, objects[name]) is False, (action, name)


@pytest.mark.parametrize("caller", CALLERS)
async def test_the_question_query_follows_the_object_rules(world, make, caller):
    """`readable_questions` (the list's WHERE clause) shows exactly what the rules allow:
    answered questions to all, the rest to the owner and each asker their own."""
    users, objects = world
    challenge = objects["published"]
    officer = make.ctx(users["owner_officer"])
    answered = await challenges.ask_question(
        make.ctx(users["provider"]), challenge.id, "Is there a budget?"
    )
    await challenges.answer_question(officer, challenge.id, answered.id, "Yes.")
    user = users[caller]
    listed = {q.id for q in await challenges.list_questions(make.ctx(user), challenge)}
    every = [answered, objects["providers_question"], objects["others_question"]]
    rules = {
        q.id
        for q in every
        if q.answer is not None
        or can(user, Action.question_read_private, challenge)
        or can(user, Action.question_read_own, q)
    }
    expected = {"owner_officer": 3, "provider": 2}.get(caller, 1)
    assert listed == rules
    assert len(listed) == expected


# --- the evaluation: a seat on the committee decides, and closes every other way in --------

from app.auth.permissions import ProposalSeat, Seat  # noqa: E402
from app.evaluation.models import CommitteeRole  # noqa: E402

SEAT_CALLERS = [
    "public",
    "owner_officer",
    "owner_auditor",
    "other_officer",
    "other_auditor",
    "admin",
    "provider",
    "evaluator",
]
# Which callers sit on the committee in a case, and as what.
SEATED = {"owner_officer": CommitteeRole.evaluator, "evaluator": CommitteeRole.chair}

# action, moment, seat facts (for the seated callers), callers allowed
SEAT_MATRIX = [
    (Action.committee_read, BEFORE, {}, {"owner_officer", "owner_auditor", "evaluator"}),
    (Action.evaluation_take_part, BEFORE, {}, set()),
    (Action.evaluation_take_part, AFTER, {}, {"owner_officer", "evaluator"}),
    (Action.evaluation_report, BEFORE, {}, set()),
    (Action.evaluation_report, AFTER, {}, {"owner_officer", "owner_auditor", "evaluator"}),
    # Opened proposals read as the municipality: the auditor and an officer NOT on the
    # committee; the seated officer reads through the evaluation only.
    (Action.proposal_read, AFTER, {"seated": False}, {"owner_officer", "owner_auditor"}),
    (Action.proposal_read, AFTER, {}, {"owner_auditor"}),
]
# action, seat facts, proposal facts, callers allowed (after the deadline)
PROPOSAL_SEAT_MATRIX = [
    # Nothing of a proposal before declaring on every one.
    (Action.evaluation_read_proposal, {"undeclared": 1}, {"declared": True}, set()),
    (Action.evaluation_read_proposal, {}, {"declared": False}, set()),
    (Action.evaluation_read_proposal, {}, {"declared": True}, {"owner_officer", "evaluator"}),
    # A recused member never sees it, whatever their role.
    (Action.evaluation_read_proposal, {}, {"declared": True, "recused": True}, set()),
    (Action.evaluation_score, {}, {"declared": True}, {"owner_officer", "evaluator"}),
    (Action.evaluation_score, {"submitted": True}, {"declared": True}, set()),
    (Action.evaluation_score, {}, {"declared": True, "recused": True}, set()),
    # Others' scores: for members only after their own are submitted, never when recused;
    # the owner's officers and auditors outside the committee read them (the report).
    (Action.evaluation_read_scores, {}, {"declared": True}, {"owner_auditor"}),
    (
        Action.evaluation_read_scores,
        {"submitted": True},
        {"declared": True},
        {"owner_officer", "evaluator", "owner_auditor"},
    ),
    (
        Action.evaluation_read_scores,
        {"submitted": True},
        {"declared": True, "recused": True},
        {"owner_auditor"},
    ),
    (
        Action.evaluation_read_scores,
        {"submitted": True, "seated": False},
        {"declared": True},
        {"owner_officer", "owner_auditor"},
    ),
    # Only the chair (here: the evaluator), and not when recused.
    (Action.evaluation_chair, {"submitted": True}, {"declared": True}, {"evaluator"}),
    (Action.evaluation_chair, {}, {"declared": True, "recused": True}, set()),
]


@pytest.fixture
async def seat_world(make):
    municipality = await make.org(OrganisationKind.municipality)
    officer = await make.user(Role.policy_officer, org=municipality)
    users = {
        "public": None,
        "owner_officer": officer,
        "owner_auditor": await make.user(Role.auditor, org=municipality),
        "other_officer": await make.user(Role.policy_officer),
        "other_auditor": await make.user(Role.auditor),
        "admin": await make.user(Role.admin, org=municipality),
        "provider": await make.user(Role.provider_member),
        "evaluator": await make.user(Role.evaluator),
    }
    challenge = await make.challenge(officer, publish=True)
    moments = {
        BEFORE: challenge.submission_deadline - timedelta(seconds=1),
        AFTER: challenge.submission_deadline,
    }
    return users, challenge, moments


def _seat(challenge, caller, facts) -> Seat:
    facts = dict(facts)
    seated = facts.pop("seated", True)
    return Seat(challenge, SEATED.get(caller) if seated else None, **facts)


@pytest.mark.parametrize("caller", SEAT_CALLERS)
@pytest.mark.parametrize(("action", "moment", "facts", "allowed"), SEAT_MATRIX, ids=str)
async def test_seat_matrix(seat_world, caller, action, moment, facts, allowed):
    users, challenge, moments = seat_world
    obj = _seat(challenge, caller, facts)
    assert can(users[caller], action, obj, moments[moment]) is (caller in allowed)


@pytest.mark.parametrize("caller", SEAT_CALLERS)
@pytest.mark.parametrize(("action", "facts", "place", "allowed"), PROPOSAL_SEAT_MATRIX, ids=str)
async def test_proposal_seat_matrix(seat_world, caller, action, facts, place, allowed):
    users, challenge, moments = seat_world
    obj = ProposalSeat(_seat(challenge, caller, facts), **place)
    assert can(users[caller], action, obj, moments[AFTER]) is (caller in allowed)
    # Before the deadline nothing of a proposal, for anyone.
    assert can(users[caller], action, obj, moments[BEFORE]) is False


def test_every_evaluation_action_is_in_a_seat_matrix():
    covered = {a for a, *_rest in SEAT_MATRIX} | {a for a, *_rest in PROPOSAL_SEAT_MATRIX}
    covered.add(Action.committee_manage)  # on the challenge itself, in MATRIX
    covered.add(Action.evaluation_list_own)  # no object: in MATRIX
    assert {a for a in Action if a.value.startswith(("committee.", "evaluation."))} <= covered
