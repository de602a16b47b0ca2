"""Every permission rule in one place: what each role may do, and on which objects."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from app.api_clients.models import ApiClient
from app.challenges.models import Challenge, ChallengeStatus, Question
from app.coalitions.models import Coalition, CoalitionMember, MemberStatus
from app.errors import Forbidden, Unauthenticated
from app.evaluation.models import CommitteeMember, CommitteeRole
from app.organisations.models import Organisation, OrganisationKind, Role, User
from app.proposals.models import ProposalSubmission, SubmissionStatus
from app.scenarios.models import CutScenarioRecord


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
    question_read_own = "question.read_own"
    coalition_start = "coalition.start"
    coalition_read = "coalition.read"
    coalition_manage = "coalition.manage"
    coalition_respond = "coalition.respond"
    coalition_leave = "coalition.leave"
    proposal_edit = "proposal.edit"
    proposal_submit = "proposal.submit"
    proposal_read = "proposal.read"
    opening_read = "opening.read"
    contract_create = "contract.create"
    award_decide = "award.decide"
    award_read = "award.read"
    objection_lodge = "objection.lodge"
    user_manage = "user.manage"
    api_client_manage = "api_client.manage"
    audit_read = "audit.read"
    audit_read_sealed = "audit.read_sealed"
    committee_manage = "committee.manage"
    committee_read = "committee.read"
    evaluation_take_part = "evaluation.take_part"
    evaluation_read_proposal = "evaluation.read_proposal"
    evaluation_score = "evaluation.score"
    evaluation_read_scores = "evaluation.read_scores"
    evaluation_chair = "evaluation.chair"
    evaluation_report = "evaluation.report"
    report_read = "report.read"
    report_submit = "report.submit"
    report_review = "report.review"
    payment_record = "payment.record"
    signal_read = "signal.read"
    portfolio_read = "portfolio.read"  # the own municipality's contracts, their results per euro
    evaluation_list_own = "evaluation.list_own"  # one's own committee seats (a menu item)
    scenario_create = "scenario.create"  # a cut scenario on the municipality's own contracts
    scenario_read = "scenario.read"


# What a committee member does; the seat (see `Seat`) decides on which challenge and proposal.
_MEMBER_ACTIONS = frozenset(
    {
        Action.committee_read,
        Action.evaluation_take_part,
        Action.evaluation_read_proposal,
        Action.evaluation_score,
        Action.evaluation_read_scores,
        Action.evaluation_chair,
    }
)

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
            Action.proposal_read,
            Action.opening_read,
            Action.contract_create,
            Action.award_decide,
            Action.award_read,
            # The committee is formed by the owner's officers; an officer may also sit on it.
            Action.committee_manage,
            *_MEMBER_ACTIONS,
            Action.evaluation_report,
            Action.report_read,
            Action.report_review,
            Action.payment_record,
            Action.signal_read,
            Action.portfolio_read,
            Action.evaluation_list_own,
            Action.scenario_create,
            Action.scenario_read,
        }
    ),
    Role.provider_member: frozenset(
        {
            Action.challenge_read,
            Action.question_ask,
            Action.question_read_own,
            Action.coalition_start,
            Action.coalition_read,
            Action.coalition_manage,
            Action.coalition_respond,
            Action.coalition_leave,
            Action.proposal_edit,
            Action.proposal_submit,
            Action.proposal_read,
            Action.award_read,
            Action.objection_lodge,
            Action.report_read,
            Action.report_submit,
        }
    ),
    Role.evaluator: frozenset(
        {
            Action.challenge_read,
            *_MEMBER_ACTIONS,
            Action.evaluation_report,
            Action.evaluation_list_own,
        }
    ),
    Role.auditor: frozenset(
        {
            Action.challenge_read,
            Action.proposal_read,
            Action.opening_read,
            Action.audit_read,
            Action.audit_read_sealed,
            Action.award_read,
            Action.committee_read,
            Action.evaluation_read_scores,
            Action.evaluation_report,
            Action.report_read,
            Action.portfolio_read,
            Action.scenario_read,
        }
    ),
    # An admin reads the municipality's portfolio and its saved cut scenarios (its budget
    # choices, nothing sealed); it makes no scenario.
    Role.admin: frozenset(
        {
            Action.challenge_read,
            Action.user_manage,
            Action.api_client_manage,
            Action.portfolio_read,
            Action.scenario_read,
        }
    ),
}

# Which roles an organisation's kind may hold. Evaluators may be outside experts, and every
# organisation has admins; the municipal roles stay in municipalities, providers outside them.
MUNICIPAL_ROLES = frozenset({Role.policy_officer, Role.auditor})
PROVIDER_ROLES = frozenset({Role.provider_member})

PUBLIC_ACTIONS = frozenset({Action.challenge_read})
# Asked without an object ("may this role do it at all?": menus, own lists); the role decides.
_ROLE_ACTIONS = frozenset(
    {
        Action.coalition_start,
        Action.coalition_read,
        Action.user_manage,
        Action.audit_read,
        Action.signal_read,
        Action.evaluation_list_own,
        Action.api_client_manage,
    }
)
_OWNER_ACTIONS = frozenset(
    {
        Action.challenge_edit,
        Action.challenge_publish,
        Action.challenge_amend,
        Action.challenge_cancel,
        Action.question_answer,
        Action.question_read_private,
        Action.committee_manage,
    }
)


def _is_owner(user: User, challenge: Challenge) -> bool:
    return user.organisation_id == challenge.organisation_id


def _status(user: User, coalition: Coalition) -> MemberStatus | None:
    member = coalition.member(user.organisation_id)
    return member.status if member else None


# --- the sealing rule: before the submission deadline, nothing of a proposal outside its
# coalition. Every module asks these three; none compares with the deadline itself.


def is_unsealed(challenge: Challenge, now: datetime | None) -> bool:
    """Sealed until the submission deadline: before it, only the coalition itself may look."""
    deadline = challenge.submission_deadline
    return now is not None and deadline is not None and now >= deadline


def awaits_opening(challenge: Challenge, now: datetime) -> bool:
    """Published and still sealed: its readers-to-be hear "sealed until the deadline" (409);
    a draft or a cancelled challenge is never opened, so they are simply not allowed (403)."""
    return challenge.status == ChallengeStatus.published and not is_unsealed(challenge, now)


def unsealed_at(challenge: Challenge) -> datetime | None:
    """The moment the proposals open: `can(..., now=unsealed_at(c))` asks "once opened, may
    they?", so a reader-to-be hears "still sealed" and anyone else "not allowed"."""
    return challenge.submission_deadline


def unsealed_clause(now: datetime) -> ColumnElement[bool]:
    """`is_unsealed` as a WHERE clause on Challenge."""
    return and_(Challenge.submission_deadline.is_not(None), Challenge.submission_deadline <= now)


def opened_submission_clause(deadline: Any = Challenge.submission_deadline) -> ColumnElement[bool]:
    """The submissions an opening shows: the current version, received before the deadline
    (a datetime, or by default the joined Challenge's column). Replaced and withdrawn versions
    stay the coalition's own, even after the deadline."""
    return and_(
        ProposalSubmission.status == SubmissionStatus.current,
        ProposalSubmission.submitted_at < deadline,
    )


def _coalition_rule(user: User, action: Action, coalition: Coalition, now: datetime | None) -> bool:
    status = _status(user, coalition)
    lead = user.organisation_id == coalition.lead_organisation_id
    if action == Action.coalition_read:
        return status in (MemberStatus.invited, MemberStatus.accepted)
    if action == Action.award_read and user.role == Role.provider_member:
        # A bidder reads the decision on its own proposal (the service shows it the winner's too).
        return status == MemberStatus.accepted
    if action in (Action.coalition_manage, Action.proposal_submit, Action.objection_lodge):
        return lead and status == MemberStatus.accepted
    if action == Action.coalition_respond:
        return status == MemberStatus.invited
    if action == Action.coalition_leave:
        return status == MemberStatus.accepted and not lead
    if action == Action.proposal_edit:
        return status == MemberStatus.accepted
    if action == Action.proposal_read:
        if user.role == Role.provider_member:
            return status == MemberStatus.accepted
        # The municipality's officers and the auditors it appointed read submitted proposals,
        # of its own challenges only, and only once they are opened.
        return _is_owner(user, coalition.challenge) and is_unsealed(coalition.challenge, now)
    return False


# --- the evaluation. A member's seat decides what they see of each proposal, and sitting on the
# committee closes every other way in: a policy officer of the owner who sits on it reads
# proposals as a member (after declaring, never a recused one), not as an officer.


@dataclass(frozen=True)
class Seat:
    """The caller's place in a challenge's evaluation: the services read the facts, the rules
    below decide. `role` None: not on the committee (now)."""

    challenge: Challenge
    role: CommitteeRole | None = None
    undeclared: int = 0  # opened proposals this member has not declared on yet
    submitted: bool = False  # has submitted all their scores, which are final from then on

    @property
    def seated(self) -> bool:
        return self.role is not None


@dataclass(frozen=True)
class ProposalSeat:
    """A seat, on one opened proposal: declared on it or not, recused (a conflict) or not."""

    seat: Seat
    declared: bool = False
    recused: bool = False


def _reads_as_municipality(user: User, challenge: Challenge, now: datetime | None) -> bool:
    """The owner's officers and the auditors it appointed, once the proposals are opened (a
    draft never had any)."""
    municipal = user.role in (Role.policy_officer, Role.auditor)
    opened = challenge.is_public and is_unsealed(challenge, now)
    return municipal and _is_owner(user, challenge) and opened


def _seat_rule(user: User, action: Action, seat: Seat, now: datetime | None) -> bool:
    challenge = seat.challenge
    if action == Action.committee_read:
        municipal = user.role in (Role.policy_officer, Role.auditor)
        return seat.seated or (municipal and _is_owner(user, challenge))
    if action == Action.evaluation_take_part:
        return seat.seated and is_unsealed(challenge, now)
    if action == Action.evaluation_report:
        if seat.seated:
            return is_unsealed(challenge, now)
        return _reads_as_municipality(user, challenge, now)
    if action == Action.proposal_read:
        # Opened proposals read as the municipality: not by a member of the committee.
        return not seat.seated and _reads_as_municipality(user, challenge, now)
    return False


def _proposal_seat_rule(
    user: User, action: Action, place: ProposalSeat, now: datetime | None
) -> bool:
    seat = place.seat
    if not seat.seated:
        # Outside the committee the owner's officers and auditors read the scores (the
        # report); nobody outside it scores or chairs.
        return action == Action.evaluation_read_scores and _reads_as_municipality(
            user, seat.challenge, now
        )
    judging = (
        is_unsealed(seat.challenge, now)
        and seat.undeclared == 0
        and place.declared
        and not place.recused
    )
    if action == Action.evaluation_read_proposal:
        return judging
    if action == Action.evaluation_score:
        return judging and not seat.submitted
    if action == Action.evaluation_read_scores:
        # Blind until one's own scores are in: others' scores only after submitting.
        return judging and seat.submitted
    if action == Action.evaluation_chair:
        return judging and seat.role == CommitteeRole.chair
    return False


# --- a running contract: the owning municipality on one side, the coalition's parties on the
# other. Reports are between them; the public reads the accepted results and the payments.


@dataclass(frozen=True)
class ContractSides:
    """Who stands where on a contract: the services read the facts, the rule below decides."""

    owner_organisation_id: int
    lead_organisation_id: int | None
    party_organisation_ids: frozenset[int]


def _contract_rule(user: User, action: Action, sides: ContractSides) -> bool:
    owner = user.organisation_id == sides.owner_organisation_id
    if action == Action.report_submit:
        return user.organisation_id == sides.lead_organisation_id
    if action == Action.report_read:
        if user.role == Role.provider_member:
            return user.organisation_id in sides.party_organisation_ids
        return owner
    if action in (Action.report_review, Action.payment_record, Action.signal_read):
        return owner
    return False


def can(user: User | None, action: Action, obj: Any = None, now: datetime | None = None) -> bool:
    """Role grants the action; the object rules then narrow it (sealing needs `now`)."""
    granted = ROLE_PERMISSIONS.get(user.role, frozenset()) if user and user.role else frozenset()
    if action not in granted | PUBLIC_ACTIONS:
        return False
    if isinstance(obj, Coalition):
        return user is not None and _coalition_rule(user, action, obj, now)
    if isinstance(obj, Seat):
        return user is not None and _seat_rule(user, action, obj, now)
    if isinstance(obj, ProposalSeat):
        return user is not None and _proposal_seat_rule(user, action, obj, now)
    if isinstance(obj, ContractSides):
        return user is not None and _contract_rule(user, action, obj)
    if isinstance(obj, User) and action == Action.user_manage:
        # Own organisation only, and never one's own role: no admin locks themselves out.
        same_organisation = user is not None and obj.organisation_id == user.organisation_id
        return same_organisation and obj.id != user.id
    if isinstance(obj, ApiClient) and action == Action.api_client_manage:
        # An admin manages their own organisation's programs; one registered at the command
        # line (no organisation) stays the operator's.
        return user is not None and obj.organisation_id == user.organisation_id
    if isinstance(obj, CutScenarioRecord) and action == Action.scenario_read:
        # A saved scenario is its municipality's own: its officers, auditors and admins.
        return user is not None and obj.organisation_id == user.organisation_id
    if isinstance(obj, Question) and action == Action.question_read_own:
        return user is not None and obj.asked_by_id == user.id
    if isinstance(obj, Challenge) and action in (
        Action.opening_read,
        Action.audit_read_sealed,
        Action.contract_create,
        Action.award_decide,
        Action.award_read,
    ):
        # The opening, the audit stream of what happened while sealed, the award and the
        # contract made from an opened proposal: the municipality's own challenges, once the
        # deadline passed (deciding is for its officers, reading also for its auditors).
        return user is not None and _is_owner(user, obj) and is_unsealed(obj, now)
    if isinstance(obj, Challenge) and action == Action.coalition_start:
        # Who may: a provider, on a challenge it can read. Whether it still takes proposals is
        # the state check (`assert_open`: 409), the same answer as every other coalition write.
        return obj.is_public
    if isinstance(obj, Challenge):
        if action == Action.challenge_read:
            return obj.is_public or (
                user is not None and user.role == Role.policy_officer and _is_owner(user, obj)
            )
        if action in _OWNER_ACTIONS:
            return user is not None and _is_owner(user, obj)
        if action == Action.question_ask:
            # On any challenge the caller may read; whether the round is open is the service's.
            return user is not None
        return False
    if obj is not None or user is None:
        return False
    if action in (
        Action.challenge_create,
        Action.portfolio_read,
        Action.scenario_create,
        Action.scenario_read,
    ):
        # A municipality's own: its challenges, the portfolio of their contracts (read by its
        # officers, auditors and admins; the contracts and results in it are public) and its
        # cut scenarios (an admin of a provider has none).
        return user.organisation.kind == OrganisationKind.municipality
    return action in _ROLE_ACTIONS


def assert_signed_in(user: User | None) -> User:
    """Sign-in comes before any lookup: an anonymous caller learns nothing, not even 'not found'."""
    if user is None:
        raise Unauthenticated("Please sign in first.")
    return user


def assert_can(
    user: User | None, action: Action, obj: Any = None, now: datetime | None = None
) -> None:
    if not can(user, action, obj, now):
        if user is None:
            raise Unauthenticated("Please sign in first.")
        raise Forbidden("You are not allowed to do this.")


def role_fits(kind: OrganisationKind, role: Role | None) -> bool:
    """Whether an organisation of this kind may hold the role (no role always fits)."""
    if role is None:
        return True
    if kind == OrganisationKind.municipality:
        return role not in PROVIDER_ROLES
    return role not in MUNICIPAL_ROLES


def assert_role_fits(organisation: Organisation, role: Role | None) -> None:
    """Refuse a grant the organisation's kind cannot hold, saying why."""
    if role_fits(organisation.kind, role):
        return
    if organisation.kind == OrganisationKind.municipality:
        raise Forbidden(
            "Staff of a municipality cannot be provider members: providers take part in "
            "coalitions, the municipality judges them. Choose another role.",
            code="role_not_for_organisation",
        )
    raise Forbidden(
        "Policy officers and auditors work for a municipality, and %(organisation)s is not one. "
        "Choose another role.",
        code="role_not_for_organisation",
        organisation=organisation.name,
    )


def readable_challenges(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause for challenges the caller may see: public ones, plus own drafts."""
    public = Challenge.published_at.is_not(None)
    if user is not None and user.role == Role.policy_officer:
        return or_(public, Challenge.organisation_id == user.organisation_id)
    return public


def visible_coalitions(user: User | None, now: datetime) -> ColumnElement[bool]:
    """The WHERE clause for the coalitions the caller may see at all: members (invited or
    accepted) see theirs (coalition.read); once the deadline has passed, those who read opened
    proposals (proposal.read) see the coalitions whose proposal was opened. For anyone else a
    sealed coalition is the same single empty query as one that does not exist."""
    granted = ROLE_PERMISSIONS.get(user.role, frozenset()) if user and user.role else frozenset()
    visible: list[ColumnElement[bool]] = []
    if Action.coalition_read in granted:
        visible.append(
            Coalition.members.any(
                and_(
                    CoalitionMember.organisation_id == user.organisation_id,
                    CoalitionMember.status.in_((MemberStatus.invited, MemberStatus.accepted)),
                )
            )
        )
    if Action.proposal_read in granted and user.role != Role.provider_member:
        # A provider reads proposals only as an accepted member, which the clause above covers.
        # (A submission's challenge is its coalition's.) Its final version received before the
        # deadline is opened once the deadline has passed; the municipality (its officers and
        # the auditors it appointed) reads only its own.
        owner = Challenge.organisation_id == user.organisation_id
        # A member of the committee reads proposals through the evaluation only (`Seat`).
        seated = (
            select(CommitteeMember.id)
            .where(
                CommitteeMember.challenge_id == Challenge.id,
                CommitteeMember.user_id == user.id,
                CommitteeMember.removed_at.is_(None),
            )
            .exists()
        )
        visible.append(
            select(ProposalSubmission.id)
            .join(Challenge, Challenge.id == ProposalSubmission.challenge_id)
            .where(
                ProposalSubmission.coalition_id == Coalition.id,
                opened_submission_clause(),
                unsealed_clause(now),
                owner,
                ~seated,
            )
            .exists()
        )
    return or_(false(), *visible)


def readable_questions(user: User | None, challenge: Challenge) -> ColumnElement[bool]:
    """The WHERE clause for a challenge's questions the caller sees: answered ones; the owner
    also the unanswered (question.read_private), an asker their own (question.read_own)."""
    if can(user, Action.question_read_private, challenge):
        return true()
    visible = Question.answer.is_not(None)
    if user is not None and Action.question_read_own in ROLE_PERMISSIONS.get(user.role, ()):
        return or_(visible, Question.asked_by_id == user.id)
    return visible


def sealed_streams_of(municipality_id: int | None, now: datetime) -> ColumnElement[bool]:
    """The WHERE clause for the challenges whose sealed audit stream is read on behalf of this
    municipality (audit.read_sealed: by the auditors it appointed and the API clients its admin
    registered; None: the public, who reads none): its own, once their deadline has passed."""
    if municipality_id is None:
        return false()
    return and_(Challenge.organisation_id == municipality_id, unsealed_clause(now))


def client_reads_for(client: ApiClient, kind: OrganisationKind | None) -> int | None:
    """The municipality whose auditors an API client reads the audit log as: the one whose admin
    registered it (`kind` is its organisation's). A client registered at the command line, or by
    an organisation that is no municipality (it has no auditors), reads as the public: None."""
    if client.organisation_id is None or kind != OrganisationKind.municipality:
        return None
    return client.organisation_id


def reads_exact_counts(client: ApiClient, owner_organisation_id: int) -> bool:
    """An API client reads a contract's small counts exactly when the municipality that owns the
    contract registered it (it reads as that municipality's auditors); otherwise "<5"."""
    return client.organisation_id is not None and client.organisation_id == owner_organisation_id


def manageable_api_clients(user: User) -> ColumnElement[bool]:
    """The WHERE clause for the API clients an admin sees: those of their own organisation."""
    return ApiClient.organisation_id == user.organisation_id


def manageable_users(user: User) -> ColumnElement[bool]:
    """The WHERE clause for the accounts an admin sees: those of their own organisation."""
    return User.organisation_id == user.organisation_id
