"""Who may do what, route by route: every route of the app, asked by every kind of caller, before
the submission deadline (sealed) and after it (opened), against one world (tests/matrix.py).

The table below is the statement of the rules, written from DESIGN.md and issue 7, not taken
from the app's permission code:
- sealed things (coalitions, drafts, submissions, receipts) are invisible to everyone but the
  coalition itself before the deadline: 404, as if they did not exist;
- after the deadline the owning municipality's policy officers and its auditors read what was
  opened; an auditor reads only what their own municipality published or opened;
- an admin manages people; it has no power over challenges and cannot open sealed proposals;
- a page and the API give the same answer for the same case (so they share their rows);
- anyone not signed in is asked to sign in wherever that is needed, whatever the object:
  401 from the API and from forms, a redirect to /login for a page;
- a refusal is 404 where the thing must look non-existent, 403 where its existence is public
  but the caller may not do this.

Answers: OK means the request got past the permission checks (2xx, a redirect other than to
/login, or a 409/422 about the state or the input); anything else is an exact status.
Cells where the app answers otherwise today are listed in KNOWN_WRONG and are expected to fail
(strictly: once fixed, the entry must go).

About 2,000 requests (rows × 11 callers × 2 moments), each in a savepoint rolled back after it:
some 25-30 s on SQLite or PostgreSQL on an idle machine.
"""

from dataclasses import dataclass, fields

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.clock import FrozenClock
from app.config import Settings
from app.main import create_app
from tests.conftest import DATABASE_URL, NOW
from tests.factories import Factory
from tests.matrix import (
    MOMENTS,
    Answer,
    Caller,
    World,
    app_routes,
    ask_everything,
    build_world,
    is_api,
    past_the_deadline,
    path_values,
)

# --- who asks ----------------------------------------------------------------------------------

CALLERS = {
    "anonymous": "nobody signed in",
    "no_role": "a signed-in user who has no role yet",
    "admin": "the admin of the municipality that owns the challenge",
    "officer": "a policy officer of that municipality",
    "other_officer": "a policy officer of another municipality",
    "auditor": "an auditor appointed by the owning municipality",
    "other_auditor": "an auditor appointed by another municipality",
    "lead": "a provider member whose organisation leads the coalition that submitted",
    "outsider": "a provider member of a rival coalition for the same challenge",
    "evaluator": "an evaluator of the owning municipality (on no committee)",
    "provider_admin": "the admin of a provider organisation",
}
GROUPS = {
    "signed_in": set(CALLERS) - {"anonymous"},
    "officers": {"officer", "other_officer"},  # policy officers of any municipality
    "providers": {"lead", "outsider"},  # provider members with a coalition for this challenge
    "readers": {"officer", "auditor"},  # read what the owning municipality opened
}


# --- what they get -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    kind: str  # "allowed", "sign in" or "refused"
    status: int | None = None
    code: str | None = None  # the API's machine code, where it matters

    def __str__(self) -> str:
        if self.kind != "refused":
            return self.kind
        return f"{self.status} {self.code}" if self.code else str(self.status)

    def matches(self, answer: Answer, route: str) -> bool:
        method, path = route.split()[:2]
        to_login = answer.status in (302, 303, 307) and (answer.location or "").startswith("/login")
        if self.kind == "allowed":
            past_checks = answer.status in (409, 422) and answer.code != "sealed"
            return (200 <= answer.status < 400 and not to_login) or past_checks
        if self.kind == "sign in":
            return to_login if (method == "GET" and not is_api(path)) else answer.status == 401
        return answer.status == self.status and (
            self.code is None or answer.code is None or answer.code == self.code
        )


OK = Expect("allowed")
LOGIN = Expect("sign in")  # 401, or a page's redirect to /login
HIDDEN = Expect("refused", 404)
DENIED = Expect("refused", 403)
SEALED = Expect("refused", 409, "sealed")
DRAFT = Expect("refused", 409, "draft")
BAD_CREDENTIALS = Expect("refused", 401)


@dataclass(frozen=True)
class Row:
    route: str  # "METHOD /path"
    on: str  # which challenge {challenge_id} names: "published" or "draft"
    expected: dict[tuple[str, str], Expect]  # (caller, moment) -> answer

    @property
    def key(self) -> str:
        return self.route if self.on == "published" else f"{self.route} (draft challenge)"

    @property
    def method(self) -> str:
        return self.route.split()[0]

    @property
    def path(self) -> str:
        return self.route.split()[1]


def rule(*routes: str, everyone: Expect, on: str = "published", **exceptions) -> list[Row]:
    """Rows for routes that answer alike: `everyone` gets the default, then groups, then single
    callers get theirs; a pair (sealed, opened) differs before and after the deadline."""
    unknown = set(exceptions) - set(CALLERS) - set(GROUPS)
    assert not unknown, f"{routes}: no such caller or group {unknown}"
    expected = {(caller, moment): everyone for caller in CALLERS for moment in MOMENTS}
    given_by_group: dict[str, str] = {}
    ordered = [k for k in exceptions if k in GROUPS] + [k for k in exceptions if k in CALLERS]
    for name in ordered:
        value = exceptions[name]
        pair = value if isinstance(value, tuple) else (value, value)
        for caller in GROUPS.get(name, {name}):
            if name in GROUPS:
                assert caller not in given_by_group, f"{routes}: {caller} in two groups"
                given_by_group[caller] = name
            for moment, answer in zip(MOMENTS, pair, strict=True):
                expected[(caller, moment)] = answer
    return [Row(route, on, expected) for route in routes]


# --- the rules ---------------------------------------------------------------------------------

TABLE: list[Row] = [
    # The public face: anyone, signed in or not.
    *rule("GET /healthz", "GET /", "GET /challenges", "GET /api/v1/challenges", everyone=OK),
    *rule("GET /login", "POST /logout", "GET /lang/{code}", everyone=OK),
    # Contracts are published information: anyone reads them, and what they hold is the opened,
    # contracted version only (no other bidder's, nothing sealed).
    *rule(
        "GET /contracts",
        "GET /api/v1/contracts",
        "GET /contracts/{contract_id}",
        "GET /api/v1/contracts/{contract_id}",
        everyone=OK,
    ),
    *rule("POST /login", everyone=BAD_CREDENTIALS),  # the form sent without an email address
    # No identity provider is configured in the tests: an unknown one is not found, for anyone.
    *rule("GET /auth/oidc/{name}/login", "GET /auth/oidc/{name}/callback", everyone=HIDDEN),
    *rule(
        "GET /challenges/{challenge_id}",
        "GET /api/v1/challenges/{challenge_id}",
        "GET /api/v1/challenges/{challenge_id}/questions",
        "GET /api/v1/challenges/{challenge_id}/amendments",
        "GET /challenges/{challenge_id}/attachments/{attachment_id}",
        "GET /api/v1/challenges/{challenge_id}/attachments/{attachment_id}",
        everyone=OK,
    ),
    # A draft is its municipality's policy officers' own; to anyone else it does not exist.
    *rule(
        "GET /challenges/{challenge_id}",
        "GET /api/v1/challenges/{challenge_id}",
        "GET /api/v1/challenges/{challenge_id}/questions",
        "GET /api/v1/challenges/{challenge_id}/amendments",
        on="draft",
        everyone=HIDDEN,
        officer=OK,
    ),
    *rule(
        "GET /challenges/{challenge_id}/edit",
        "POST /challenges/{challenge_id}/edit",
        "PUT /api/v1/challenges/{challenge_id}",
        "POST /challenges/{challenge_id}/publish",
        "POST /api/v1/challenges/{challenge_id}/publish",
        on="draft",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=OK,
    ),
    # What may be done on a published challenge, asked of a draft: it does not exist, except to
    # its own officers, who may read it but have no provider's role.
    *rule(
        "POST /challenges/{challenge_id}/questions",
        "POST /api/v1/challenges/{challenge_id}/questions",
        "GET /challenges/{challenge_id}/coalitions/new",
        "POST /challenges/{challenge_id}/coalitions",
        "POST /api/v1/challenges/{challenge_id}/coalitions",
        on="draft",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=DENIED,
    ),
    # A draft takes no proposals, so it has no opening: its own officers hear so, whatever the
    # draft's deadline says (tests/proposals/test_draft_opening.py: one in the past too).
    *rule(
        "GET /challenges/{challenge_id}/opening",
        "GET /api/v1/challenges/{challenge_id}/opening",
        "GET /api/v1/challenges/{challenge_id}/proposals",
        on="draft",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=DRAFT,
    ),
    *rule(
        "GET /challenges/{challenge_id}/cancel",
        "POST /challenges/{challenge_id}/cancel",
        "POST /api/v1/challenges/{challenge_id}/cancel",
        "POST /api/v1/challenges/{challenge_id}/amendments",
        on="draft",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=OK,
    ),
    # Writing challenges: policy officers; changing one: its own municipality's officers only.
    *rule(
        "GET /challenges/new",
        "POST /challenges/new",
        "POST /api/v1/challenges",
        everyone=DENIED,
        anonymous=LOGIN,
        officers=OK,
    ),
    *rule(
        "GET /challenges/{challenge_id}/edit",
        "POST /challenges/{challenge_id}/edit",
        "PUT /api/v1/challenges/{challenge_id}",
        "POST /challenges/{challenge_id}/publish",
        "POST /api/v1/challenges/{challenge_id}/publish",
        "POST /api/v1/challenges/{challenge_id}/amendments",
        "POST /challenges/{challenge_id}/attachments",
        "POST /api/v1/challenges/{challenge_id}/attachments",
        "GET /challenges/{challenge_id}/cancel",
        "POST /challenges/{challenge_id}/cancel",
        "POST /api/v1/challenges/{challenge_id}/cancel",
        "POST /challenges/{challenge_id}/questions/{question_id}/answer",
        "POST /api/v1/challenges/{challenge_id}/questions/{question_id}/answer",
        everyone=DENIED,
        anonymous=LOGIN,
        officer=OK,
    ),
    # Questions are asked by providers; coalitions are started by providers.
    *rule(
        "POST /challenges/{challenge_id}/questions",
        "POST /api/v1/challenges/{challenge_id}/questions",
        "GET /challenges/{challenge_id}/coalitions/new",
        "POST /challenges/{challenge_id}/coalitions",
        "POST /api/v1/challenges/{challenge_id}/coalitions",
        everyone=DENIED,
        anonymous=LOGIN,
        providers=OK,
    ),
    # Finding organisations to invite: anyone signed in (names and KvK numbers are public).
    *rule("GET /api/v1/organisations", everyone=OK, anonymous=LOGIN),
    # "My coalitions" belongs to provider members; the other roles have no coalitions.
    *rule(
        "GET /coalitions", "GET /api/v1/coalitions", everyone=DENIED, anonymous=LOGIN, providers=OK
    ),
    # A coalition, its receipts and its submitted versions: the coalition's own while sealed;
    # once opened, also the owning municipality's officers and auditors.
    *rule(
        "GET /coalitions/{coalition_id}",
        "GET /api/v1/coalitions/{coalition_id}",
        "GET /coalitions/{coalition_id}/receipts",
        "GET /api/v1/coalitions/{coalition_id}/submissions",
        "GET /coalitions/{coalition_id}/receipts/{version}",
        "GET /coalitions/{coalition_id}/receipts/{version}/content.json",
        "GET /api/v1/coalitions/{coalition_id}/submissions/{version}",
        "GET /coalitions/{coalition_id}/receipts/{version}/attachments/{sha256}",
        "GET /api/v1/coalitions/{coalition_id}/submissions/{version}/attachments/{sha256}",
        everyone=HIDDEN,
        anonymous=LOGIN,
        lead=OK,
        readers=(HIDDEN, OK),
    ),
    # The working draft and changing the coalition: its members only, ever. Once opened, the
    # readers know the coalition exists, so they are refused rather than not found.
    *rule(
        "GET /coalitions/{coalition_id}/proposal",
        "GET /api/v1/coalitions/{coalition_id}/proposal",
        "POST /coalitions/{coalition_id}/proposal",
        "PUT /api/v1/coalitions/{coalition_id}/proposal",
        "POST /coalitions/{coalition_id}/proposal/attachments",
        "POST /api/v1/coalitions/{coalition_id}/proposal/attachments",
        "GET /coalitions/{coalition_id}/proposal/attachments/{attachment_id}",
        "GET /api/v1/coalitions/{coalition_id}/proposal/attachments/{attachment_id}",
        "POST /coalitions/{coalition_id}/proposal/attachments/{attachment_id}/remove",
        "DELETE /api/v1/coalitions/{coalition_id}/proposal/attachments/{attachment_id}",
        "POST /api/v1/coalitions/{coalition_id}/proposal/submit",
        "POST /coalitions/{coalition_id}/proposal/withdraw",
        "POST /api/v1/coalitions/{coalition_id}/proposal/withdraw",
        "POST /coalitions/{coalition_id}/invitations",
        "POST /api/v1/coalitions/{coalition_id}/invitations",
        "POST /coalitions/{coalition_id}/membership",
        "PUT /api/v1/coalitions/{coalition_id}/membership",
        "POST /coalitions/{coalition_id}/members/{organisation_id}/remove",
        "DELETE /api/v1/coalitions/{coalition_id}/members/{organisation_id}",
        everyone=HIDDEN,
        anonymous=LOGIN,
        lead=OK,
        readers=(HIDDEN, DENIED),
    ),
    # Answering an invitation and leaving are for invited and non-lead members: not the lead.
    *rule(
        "POST /coalitions/{coalition_id}/response",
        "POST /api/v1/coalitions/{coalition_id}/response",
        "POST /coalitions/{coalition_id}/leave",
        "POST /api/v1/coalitions/{coalition_id}/leave",
        everyone=HIDDEN,
        anonymous=LOGIN,
        lead=DENIED,
        readers=(HIDDEN, DENIED),
    ),
    # The opening: the owning municipality's officers and auditors, once the deadline passed;
    # before it they hear that it is sealed. Everyone knows a published challenge is opened at
    # its deadline, so others are refused, not told it does not exist.
    *rule(
        "GET /challenges/{challenge_id}/opening",
        "GET /api/v1/challenges/{challenge_id}/opening",
        "GET /api/v1/challenges/{challenge_id}/proposals",
        everyone=DENIED,
        anonymous=LOGIN,
        readers=(SEALED, OK),
    ),
    # One opened proposal, by its receipt number: refused like the opening itself; for its
    # readers nothing is opened (so nothing found) before the deadline.
    *rule(
        "GET /challenges/{challenge_id}/opening/{receipt_number}",
        everyone=DENIED,
        anonymous=LOGIN,
        readers=(HIDDEN, OK),
    ),
    # The committee: formed by the owning municipality's officers (on a published challenge,
    # before or after the deadline); read by them, its auditors and the members themselves.
    *rule(
        "PUT /api/v1/challenges/{challenge_id}/committee",
        "POST /challenges/{challenge_id}/committee",
        everyone=DENIED,
        anonymous=LOGIN,
        officer=OK,
    ),
    *rule(
        "GET /api/v1/challenges/{challenge_id}/committee",
        "GET /challenges/{challenge_id}/committee",
        everyone=DENIED,
        anonymous=LOGIN,
        readers=OK,
    ),
    *rule(
        "PUT /api/v1/challenges/{challenge_id}/committee",
        "GET /api/v1/challenges/{challenge_id}/committee",
        "POST /challenges/{challenge_id}/committee",
        "GET /challenges/{challenge_id}/committee",
        on="draft",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=OK,  # a draft gets no committee (409), but its own officers may ask
    ),
    # "My evaluations": those who may sit on a committee (officers and evaluators).
    *rule(
        "GET /evaluations",
        "GET /api/v1/evaluations",
        everyone=DENIED,
        anonymous=LOGIN,
        officers=OK,
        evaluator=OK,
    ),
    # A member's evaluation (tasks, declarations, scores, submit): committee members only. The
    # world has no committee, so everyone signed in is refused; who may, from both sides, is
    # tested in tests/evaluation.
    *rule(
        "GET /api/v1/challenges/{challenge_id}/evaluation",
        "POST /api/v1/challenges/{challenge_id}/evaluation/declarations",
        "GET /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/scores",
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/scores",
        "POST /api/v1/challenges/{challenge_id}/evaluation/submit",
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/requirements",
        "GET /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
        "GET /challenges/{challenge_id}/evaluation",
        "POST /challenges/{challenge_id}/evaluation/declarations",
        "GET /challenges/{challenge_id}/evaluation/proposals/{proposal_id}",
        "POST /challenges/{challenge_id}/evaluation/proposals/{proposal_id}",
        "GET /challenges/{challenge_id}/evaluation/proposals/{proposal_id}/attachments/{sha256}",
        "POST /challenges/{challenge_id}/evaluation/submit",
        "POST /challenges/{challenge_id}/evaluation/proposals/{proposal_id}/requirements",
        "GET /challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
        "POST /challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus",
        everyone=DENIED,
        anonymous=LOGIN,
    ),
    # The evaluation report: the owning municipality's officers and auditors (and the committee)
    # once the proposals are opened; before, they hear it is sealed.
    *rule(
        "GET /api/v1/challenges/{challenge_id}/evaluation/report",
        "GET /challenges/{challenge_id}/evaluation/report",
        everyone=DENIED,
        anonymous=LOGIN,
        readers=(SEALED, OK),
    ),
    # The award decision: the world has none, so whoever may look finds nothing (404); outside
    # the municipality and the bidders nobody would see one before the contract either. Who sees
    # what of a decision, from both sides, is tested in tests/awards.
    *rule("GET /api/v1/challenges/{challenge_id}/award", everyone=HIDDEN),
    *rule(
        "GET /api/v1/challenges/{challenge_id}/objections",
        "POST /api/v1/challenges/{challenge_id}/objections",
        "POST /challenges/{challenge_id}/objections",
        everyone=HIDDEN,
        anonymous=LOGIN,
    ),
    # The award page: the officers who decide see it once the proposals are opened (to decide);
    # anyone else only once there is a decision they may see.
    *rule(
        "GET /challenges/{challenge_id}/award",
        everyone=HIDDEN,
        anonymous=LOGIN,
        officer=(HIDDEN, OK),
    ),
    # Deciding, withdrawing, resolving objections, ending unsuccessful and making the contract:
    # the owning municipality's policy officers, once the proposals are opened (each then
    # refuses for the state the world is in: no evaluation finished, no decision, no objection).
    *rule(
        "POST /api/v1/challenges/{challenge_id}/award",
        "POST /api/v1/challenges/{challenge_id}/award/withdraw",
        "POST /api/v1/challenges/{challenge_id}/unsuccessful",
        "POST /api/v1/challenges/{challenge_id}/contract",
        "POST /challenges/{challenge_id}/award",
        "POST /challenges/{challenge_id}/award/withdraw",
        "POST /challenges/{challenge_id}/unsuccessful",
        "POST /challenges/{challenge_id}/contract",
        everyone=DENIED,
        anonymous=LOGIN,
        officer=(SEALED, OK),
    ),
    *rule(
        "POST /api/v1/challenges/{challenge_id}/objections/{objection_id}/resolution",
        "POST /challenges/{challenge_id}/objections/{objection_id}/resolution",
        everyone=DENIED,
        anonymous=LOGIN,
        officer=(SEALED, HIDDEN),  # the objection named does not exist
    ),
    # Results of a contract (issue 10): the accepted results and the payments are public; the
    # reports are between the contract's parties and the owning municipality (its officers and
    # auditors); the lead reports, the owner's officers review and record payments. The world's
    # contract has a submitted report on period 1 with one document as evidence.
    *rule(
        "GET /api/v1/contracts/{contract_id}/results",
        "GET /api/v1/contracts/{contract_id}/payments",
        everyone=OK,
    ),
    *rule(
        "GET /api/v1/contracts/{contract_id}/reports",
        "GET /api/v1/contracts/{contract_id}/reports/{report_id}/evidence/{evidence_id}",
        "GET /contracts/{contract_id}/reports/{report_id}/evidence/{evidence_id}",
        everyone=DENIED,
        anonymous=LOGIN,
        readers=OK,
        lead=OK,
    ),
    *rule(
        "POST /api/v1/contracts/{contract_id}/reports",
        "POST /contracts/{contract_id}/reports",
        "POST /api/v1/contracts/{contract_id}/reports/{report_id}/evidence",
        everyone=DENIED,
        anonymous=LOGIN,
        lead=OK,
    ),
    *rule(
        "POST /api/v1/contracts/{contract_id}/reports/{report_id}/accept",
        "POST /api/v1/contracts/{contract_id}/reports/{report_id}/query",
        "POST /api/v1/contracts/{contract_id}/payments",
        "POST /api/v1/contracts/{contract_id}/payments/{payment_id}/correct",
        "POST /contracts/{contract_id}/reports/{report_id}/accept",
        "POST /contracts/{contract_id}/reports/{report_id}/query",
        "POST /contracts/{contract_id}/payments",
        "POST /contracts/{contract_id}/payments/corrections",
        everyone=DENIED,
        anonymous=LOGIN,
        officer=OK,
    ),
    # Cut scenarios (issue 10): a municipality's policy officers save them on its own portfolio
    # (another municipality's officer saves on its own, empty one: 409); its officers, auditors
    # and admins read and list them; to anyone else a saved scenario does not exist.
    *rule(
        "GET /scenarios",
        "GET /api/v1/scenarios",
        "GET /scenarios/compare",
        everyone=DENIED,
        anonymous=LOGIN,
        officers=OK,
        admin=OK,
        auditor=OK,
        other_auditor=OK,
    ),
    *rule(
        "POST /scenarios",
        "POST /api/v1/scenarios",
        everyone=DENIED,
        anonymous=LOGIN,
        officers=OK,
    ),
    *rule(
        "GET /scenarios/{scenario_id}",
        "GET /scenarios/{scenario_id}/memo",
        "GET /scenarios/{scenario_id}/memo.pdf",
        "GET /scenarios/{scenario_id}/scenario.csv",
        "GET /scenarios/{scenario_id}/scenario.xlsx",
        "GET /api/v1/scenarios/{scenario_id}",
        everyone=HIDDEN,
        anonymous=LOGIN,
        readers=OK,
        admin=OK,
    ),
    # Signals across contracts: policy officers, each seeing their own municipality's.
    *rule("GET /signals", everyone=DENIED, anonymous=LOGIN, officers=OK),
    # The portfolio: always the caller's own municipality's, read by its officers, auditors and
    # admins (another municipality's get their own, without this one's contracts); a provider
    # and a provider's admin have none.
    *rule(
        "GET /portfolio",
        "GET /api/v1/portfolio",
        everyone=DENIED,
        anonymous=LOGIN,
        officers=OK,
        admin=OK,
        auditor=OK,
        other_auditor=OK,
    ),
    # People and roles: an organisation's admin, for the people of that organisation only.
    *rule(
        "GET /admin/users",
        "GET /api/v1/admin/users",
        everyone=DENIED,
        anonymous=LOGIN,
        admin=OK,
        provider_admin=OK,
    ),
    *rule(
        "POST /admin/users/{user_id}/role",
        "PUT /api/v1/admin/users/{user_id}/role",
        everyone=DENIED,
        anonymous=LOGIN,
        admin=OK,
        provider_admin=HIDDEN,  # the user belongs to the municipality
    ),
    # The audit log: auditors, each reading their own municipality's part; no admin (an admin
    # manages accounts, and has no power over what was sealed or opened).
    *rule(
        "GET /api/v1/audit/streams",
        "GET /api/v1/audit/events",
        "GET /api/v1/audit/verify",
        "POST /api/v1/audit/verify",
        everyone=DENIED,
        anonymous=LOGIN,
        auditor=OK,
        other_auditor=OK,
    ),
    # API clients are registered by an organisation's admin, for that organisation (the world
    # has none, so disabling or rotating one finds nothing, for an admin too).
    *rule(
        "GET /admin/api-clients",
        "POST /admin/api-clients",
        everyone=DENIED,
        anonymous=LOGIN,
        admin=OK,
        provider_admin=OK,
    ),
    *rule(
        "POST /admin/api-clients/{client_id}/rotate",
        "POST /admin/api-clients/{client_id}/disable",
        everyone=DENIED,
        anonymous=LOGIN,
        admin=HIDDEN,
        provider_admin=HIDDEN,
    ),
    # API clients: a token only for a client's id and secret (no session or person's token
    # buys one), and the routes for clients answer only to a client's token.
    *rule("POST /oauth/token", everyone=BAD_CREDENTIALS),
    *rule(
        "GET /api/v1/auditor/whoami",
        "GET /api/v1/auditor/contracts/{contract_id}/results",
        "GET /api/v1/auditor/results",
        "GET /api/v1/auditor/audit/streams",
        "GET /api/v1/auditor/audit/events",
        "GET /api/v1/auditor/audit/verify",
        "POST /api/v1/auditor/audit/verify",
        "GET /api/v1/auditor/audit/checkpoint",
        "GET /api/v1/auditor/audit/checkpoint/salt",
        everyone=LOGIN,
    ),
    # Signed checkpoints and the key that signs them are public, so anyone can keep them.
    *rule("GET /api/v1/audit/checkpoint", "GET /api/v1/audit/public-key", everyone=OK),
    # OCDS is open data: the same public feed for anyone, signed in or not (a token, if sent,
    # is checked); nothing sealed is in it (tests/ocds/test_sealing.py).
    *rule(
        "GET /api/v1/ocds/releases",
        "GET /api/v1/ocds/releases.jsonl",
        "GET /api/v1/ocds/releases.zip",
        "GET /api/v1/ocds/records/{ocid}",
        everyone=OK,
    ),
    # The salt that opens a checkpoint's commitment to a sealed stream: the owning municipality's
    # auditors, once the deadline has passed; to anyone else the stream is not there.
    *rule(
        "GET /api/v1/audit/checkpoint/salt",
        everyone=DENIED,
        anonymous=LOGIN,
        auditor=(HIDDEN, OK),
        other_auditor=HIDDEN,
    ),
]

# --- where the app answers otherwise today -----------------------------------------------------

# (row, caller or callers, moment or moments, what it answers today). Each cell is expected to
# fail; remove an entry when the app is fixed (a cell that passes fails the suite). Empty: the
# app answers every cell as the table says.
KNOWN_WRONG: list[tuple[str, str | tuple[str, ...], str | tuple[str, ...], Expect]] = []


def _cells(entry) -> list[tuple[str, str, str]]:
    key, callers, moments, _today = entry
    callers = (callers,) if isinstance(callers, str) else callers
    moments = (moments,) if isinstance(moments, str) else moments
    return [(key, caller, moment) for caller in callers for moment in moments]


KNOWN = {cell: entry[3] for entry in KNOWN_WRONG for cell in _cells(entry)}


# --- the tests ---------------------------------------------------------------------------------


def _app(folder, clock: FrozenClock | None = None) -> FastAPI:
    """The app as create_app() assembles it."""
    settings = Settings(
        environment="test",
        database_url=DATABASE_URL,
        documents_dir=folder / "documents",
        max_upload_bytes=200_000,
    )
    return create_app(settings, clock=clock or FrozenClock(NOW))


def test_every_route_of_the_app_has_a_row(tmp_path):
    missing = app_routes(_app(tmp_path)) - {row.route for row in TABLE}
    assert not missing, f"routes without a row in the matrix: {sorted(missing)}"


def test_every_row_is_a_route_of_the_app(tmp_path):
    gone = {row.route for row in TABLE} - app_routes(_app(tmp_path))
    assert not gone, f"rows for routes the app no longer has: {sorted(gone)}"


def test_rows_are_unique_and_complete():
    keys = [row.key for row in TABLE]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
    for row in TABLE:
        assert set(row.expected) == {(c, m) for c in CALLERS for m in MOMENTS}, row.key


def test_every_path_parameter_has_a_value():
    dummy = World(**{f.name: 0 for f in fields(World)} | {"organisation_ids": {"lead": 0}})
    named = set(path_values(dummy, ""))
    for row in TABLE:
        wanted = {part.strip("{}") for part in row.path.split("/") if part.startswith("{")}
        assert wanted <= named, f"{row.route}: no value for {wanted - named} in path_values()"


def test_known_wrong_entries_name_cells_that_differ_from_the_table():
    rows = {row.key: row for row in TABLE}
    seen = set()
    for entry in KNOWN_WRONG:
        for key, caller, moment in _cells(entry):
            assert key in rows, f"KNOWN_WRONG names no row: {key}"
            assert caller in CALLERS and moment in MOMENTS, entry
            assert (key, caller, moment) not in seen, f"listed twice: {key} {caller} {moment}"
            seen.add((key, caller, moment))
            assert rows[key].expected[(caller, moment)] != entry[3], f"not wrong: {entry}"


@pytest.fixture(scope="module")
async def answers(engine, tmp_path_factory) -> dict[tuple[str, str, str], Answer]:
    """Every row asked by every caller at both moments, against one world built once.

    Each request runs in a savepoint that is rolled back after it (in effect a fresh world per
    request), so the order does not matter and writes that succeed (a withdrawal, a role taken
    away, a sign-out) change nothing for the requests after them."""
    clock = FrozenClock(NOW)
    app = _app(tmp_path_factory.mktemp("matrix"), clock)
    requests = [(row.key, row.method, row.path, row.on) for row in TABLE]
    async with engine.connect() as connection:
        outer = await connection.begin()
        app.state.sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        async with app.state.sessionmaker() as db:
            make = Factory(db, clock)
            world = await build_world(make, app)
            tokens = {name: await make.token(user) for name, user in world.users.items()}
            await db.commit()
        callers = {name: Caller(app, world.users.get(name), tokens.get(name)) for name in CALLERS}
        found: dict[tuple[str, str, str], Answer] = {}
        try:
            for caller in callers.values():
                await caller.sign_in()
            for moment in MOMENTS:
                if moment == "opened":
                    past_the_deadline(clock, world)
                found |= await ask_everything(connection, world, callers, requests, moment)
        finally:
            for caller in callers.values():
                await caller.close()
            await outer.rollback()
    return found


def test_no_server_errors(answers):
    errors = [
        f"{key} as {caller} ({moment}): {answer}"
        for (key, caller, moment), answer in answers.items()
        if answer.status >= 500
    ]
    assert not errors, "\n".join(errors)


class StillWrong(AssertionError):
    """The cell answers what KNOWN_WRONG says it answers today."""


def _cell_params():
    for row in TABLE:
        for caller in CALLERS:
            for moment in MOMENTS:
                cell = (row.key, caller, moment)
                marks = ()
                if cell in KNOWN:
                    marks = pytest.mark.xfail(
                        strict=True, raises=StillWrong, reason=f"today: {KNOWN[cell]}"
                    )
                yield pytest.param(row, caller, moment, id=" | ".join(cell), marks=marks)


@pytest.mark.parametrize(("row", "caller", "moment"), list(_cell_params()))
def test_answer(answers, row, caller, moment):
    answer = answers[(row.key, caller, moment)]
    expected = row.expected[(caller, moment)]
    where = f"{row.key} as {caller} ({CALLERS[caller]}), {moment}"
    today = KNOWN.get((row.key, caller, moment))
    if today is not None and not expected.matches(answer, row.route):
        if today.matches(answer, row.route):
            raise StillWrong(f"{where}: {answer} (known wrong; should be {expected})")
        raise AssertionError(f"{where}: {answer}, neither {expected} nor the known {today}")
    assert expected.matches(answer, row.route), f"{where}: got {answer}, expected {expected}"
