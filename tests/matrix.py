"""Machinery for the role × route matrix (tests/test_route_matrix.py): the app's routes, the world
the requests run against, the callers, and one request per (route, caller, moment).

The rules themselves live in the test module; nothing here decides what an answer should be.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.routing import BaseRoute, Mount, Route

from app.challenges import attachments, lifecycle, questions
from app.clock import FrozenClock
from app.organisations.models import OrganisationKind, Role
from app.proposals import service as proposals
from tests.conftest import csrf, sign_in
from tests.documents.samples import make_pdf
from tests.factories import Factory, coalition_of, complete_content

# Not part of the matrix: files anyone may fetch (Swagger UI's too), and the API's own
# description (its answers are the same for everyone and it holds no data).
SKIPPED_MOUNTS = {"/static", "/static/swagger-ui"}
SKIPPED_PATHS = {"/openapi.json", "/api/docs", "/docs/oauth2-redirect"}

MOMENTS = ("sealed", "opened")  # before the submission deadline, and after it

# "secret-pass" (as the factories have it) hashed with the cheapest Argon2 parameters: the
# matrix signs in ten people, and the real parameters cost a second each on a busy machine.
_QUICK_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("secret-pass")


def _flatten(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """(full path, route), looking inside included routers (kept as wrappers by newer FastAPI)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _flatten(inner.routes, prefix + getattr(context, "prefix", ""))
            continue
        path = getattr(route, "path", "")
        yield (path if path.startswith(prefix) else prefix + path), route


def app_routes(app: FastAPI) -> set[str]:
    """Every "METHOD /path" the app answers, except the skipped ones above."""
    found = set()
    for path, route in _flatten(app.routes):
        if isinstance(route, Mount) and path in SKIPPED_MOUNTS or path in SKIPPED_PATHS:
            continue
        if not isinstance(route, Route) and not hasattr(route, "methods"):
            raise AssertionError(f"a kind of route the matrix does not know: {path} {route!r}")
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")  # Starlette adds HEAD to every GET
        found |= {f"{method} {path}" for method in methods}
    return found


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/oauth/"))


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]  # caller name -> User (no entry for "anonymous")
    organisation_ids: dict[str, int]
    challenge_id: int
    draft_challenge_id: int
    challenge_attachment_id: int
    open_question_id: int
    coalition_id: UUID
    proposal_attachment_id: UUID
    version: int
    sha256: str
    receipt_number: str
    colleague_id: int
    deadline: datetime
    contract_id: int
    report_id: int
    evidence_id: int
    scenario_id: UUID
    payment_id: int


async def build_world(make: Factory, app: FastAPI) -> World:
    """One municipality's published challenge with everything the routes can point at."""
    kinds = {
        "owner": OrganisationKind.municipality,
        "other_municipality": OrganisationKind.municipality,
        "lead": OrganisationKind.welfare_organisation,
        "rival": OrganisationKind.social_enterprise,
        "provider": OrganisationKind.company,
        "no_role": OrganisationKind.citizen_collective,
    }
    orgs = {name: await make.org(kind, name=f"Matrix {name}") for name, kind in kinds.items()}
    where = {
        "no_role": (None, "no_role"),
        "admin": (Role.admin, "owner"),
        "officer": (Role.policy_officer, "owner"),
        "other_officer": (Role.policy_officer, "other_municipality"),
        "auditor": (Role.auditor, "owner"),
        "other_auditor": (Role.auditor, "other_municipality"),
        "lead": (Role.provider_member, "lead"),
        "outsider": (Role.provider_member, "rival"),
        "evaluator": (Role.evaluator, "owner"),
        "provider_admin": (Role.admin, "provider"),
    }
    users = {
        name: await make.user(role, org=orgs[org], email=f"{name}@matrix.example.nl")
        for name, (role, org) in where.items()
    }
    for user in users.values():
        user.password_hash = _QUICK_HASH
    colleague = await make.user(None, org=orgs["owner"], email="colleague@matrix.example.nl")
    officer, lead, outsider = users["officer"], users["lead"], users["outsider"]

    store = app.state.documents
    draft = await make.challenge(officer, title="Matrix: nog een concept")
    # The deadline falls within a browser session's lifetime, so one sign-in serves both moments.
    now = make.clock.now()
    challenge = await make.challenge(
        officer,
        title="Matrix: gepubliceerd",
        question_deadline=now + timedelta(days=3),
        submission_deadline=now + timedelta(days=7),
    )
    attachment = await attachments.add_attachment(
        make.ctx(officer), store, challenge.id, "bijlage.pdf", io.BytesIO(make_pdf()), 1_000_000
    )
    await lifecycle.publish(make.ctx(officer), challenge.id)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    answered = await questions.ask_question(make.ctx(outsider), challenge.id, "Mag dat zo?")
    await questions.answer_question(make.ctx(officer), challenge.id, answered.id, "Ja.")
    unanswered = await questions.ask_question(make.ctx(lead), challenge.id, "En dit ook?")

    coalition = await coalition_of(make, challenge, lead)
    ctx = make.ctx(lead)
    await proposals.save_draft(ctx, coalition.public_id, complete_content(challenge, coalition))
    document = await proposals.add_attachment(
        ctx, store, coalition.public_id, "plan.pdf", io.BytesIO(make_pdf("plan")), 1_000_000
    )
    submission = await proposals.submit(ctx, coalition.public_id)
    await coalition_of(make, challenge, outsider)  # the rival coalition
    contract = await _contract(make, officer, lead)
    report, evidence = await _report(make, app, contract, lead)
    scenario = await _scenario(make, officer)
    payment = await _payment(make, contract, officer)
    await make.db.flush()
    return World(
        users=users,
        organisation_ids={name: org.id for name, org in orgs.items()},
        challenge_id=challenge.id,
        draft_challenge_id=draft.id,
        challenge_attachment_id=attachment.id,
        open_question_id=unanswered.id,
        coalition_id=coalition.public_id,
        proposal_attachment_id=document.public_id,
        version=submission.version,
        sha256=document.document.sha256,
        receipt_number=submission.receipt_number,
        colleague_id=colleague.id,
        deadline=challenge.submission_deadline,
        contract_id=contract.id,
        report_id=report.id,
        evidence_id=evidence.id,
        scenario_id=scenario.public_id,
        payment_id=payment.id,
    )


async def _contract(make: Factory, officer: Any, lead: Any) -> Any:
    """A second challenge of the municipality, closed two days on and contracted (contracts are
    public): the clock moves past its deadline, still well before the main challenge's."""
    from app.contracts.service import make_contract
    from tests.contracts.world import closed_challenge, past_the_deadline, submitted

    closed = await closed_challenge(make, officer, title="Matrix: gecontracteerd")
    winner = await submitted(make, closed, lead)
    past_the_deadline(make, closed)
    return await make_contract(make.ctx(officer), closed.id, winner.public_id)


async def _report(make: Factory, app: FastAPI, contract: Any, lead: Any) -> tuple[Any, Any]:
    """A submitted report on the contract's first period, with a document as evidence (written
    directly: the period has not ended at the world's moment, so the lead could not yet)."""
    from app.contracts import search
    from app.results import service as results
    from app.results.models import ReportStatus, ReportValue, ResultReport

    loaded = await search.get_contract(make.ctx(lead), contract.id)
    report = ResultReport(
        contract_id=contract.id,
        period=1,
        version=1,
        status=ReportStatus.submitted,
        narrative="Matrix",
        submitted_at=make.clock.now(),
        submitted_by_id=lead.id,
        values=[
            ReportValue(contract_indicator_id=i.id, position=i.position, value=1, people=10)
            for i in loaded.indicators
        ],
    )
    make.db.add(report)
    await make.db.flush()
    evidence = await results.add_evidence(
        make.ctx(lead),
        app.state.documents,
        contract.id,
        report.id,
        "bewijs.pdf",
        io.BytesIO(make_pdf("bewijs")),
        1_000_000,
    )
    return report, evidence


async def _scenario(make: Factory, officer: Any) -> Any:
    """A saved cut scenario on the municipality's portfolio (its one contract)."""
    from app.scenarios import service as scenarios

    return await scenarios.create_scenario(
        make.ctx(officer), {"name": "Matrix", "saving_percentage": "10"}
    )


async def _payment(make: Factory, contract: Any, officer: Any) -> Any:
    """A payment on the contract's first period (written directly, like the report: the period
    has not ended at the world's moment), for the correction routes."""
    from app.results.models import ContractPayment

    payment = ContractPayment(
        contract_id=contract.id,
        period=1,
        amount_cents=100,
        paid_on=make.clock.now().date(),
        recorded_at=make.clock.now(),
        recorded_by_id=officer.id,
    )
    make.db.add(payment)
    await make.db.flush()
    return payment


def path_values(world: World, path: str, on: str = "published") -> dict[str, Any]:
    """What each path parameter names in the world: the one place that maps names to ids."""
    in_coalition = "{coalition_id}" in path
    return {
        "challenge_id": world.draft_challenge_id if on == "draft" else world.challenge_id,
        "coalition_id": world.coalition_id,
        "proposal_id": world.coalition_id,  # a proposal is named by its coalition's public id
        "attachment_id": (
            world.proposal_attachment_id if in_coalition else world.challenge_attachment_id
        ),
        "version": world.version,
        "sha256": world.sha256,
        "receipt_number": world.receipt_number,
        "question_id": world.open_question_id,
        "contract_id": world.contract_id,
        "report_id": world.report_id,
        "evidence_id": world.evidence_id,
        "scenario_id": world.scenario_id,
        "payment_id": world.payment_id,
        "objection_id": "7d8f1c2e-0000-4000-8000-000000000000",  # no objection in the world
        "user_id": world.colleague_id,
        "organisation_id": world.organisation_ids["lead"],  # the lead's own, in the coalition
        "name": "matrix-idp",  # no identity provider is configured in the tests
        "code": "en",
        "client_id": "ukc_matrix-none",  # no API client in the world
        "ocid": f"ocds-xxxxxx-{world.challenge_id}",  # the default ocid prefix
    }


def fill(world: World, path: str, on: str = "published") -> str:
    values = path_values(world, path, on)

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise AssertionError(f"{path}: no value for {{{name}}} in path_values()")
        return str(values[name])

    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", value, path)


def request_input(world: World, method: str, path: str) -> dict[str, Any]:
    """The least a request needs to pass input validation, so it reaches the permission checks.

    Writes get an empty body (API: `{}`, forms: the CSRF token only) unless listed here. The
    listed ones check their input before the caller's rights: with an empty body they answer
    422 (or 404) whoever asks, through the API even to anonymous callers, so their rows would
    test nothing. Every request runs in a savepoint that is rolled back, so a write that
    succeeds changes nothing."""
    if method == "GET":
        queries = {
            "/api/v1/organisations": {"q": "Matrix"},
            "/api/v1/audit/checkpoint/salt": {
                "challenge_id": world.challenge_id,
                "nonce": "0" * 32,
            },
            "/api/v1/auditor/audit/checkpoint/salt": {
                "challenge_id": world.challenge_id,
                "nonce": "0" * 32,
            },
        }
        return {"params": queries[path]} if path in queries else {}
    if method == "DELETE":
        return {}
    pdf = {"file": ("matrix.pdf", make_pdf("matrix"), "application/pdf")}
    invitee = world.organisation_ids["provider"]
    api = {
        "POST /api/v1/challenges": {"title": "Matrix"},
        "PUT /api/v1/challenges/{challenge_id}": {"title": "Matrix"},
        "POST /api/v1/challenges/{challenge_id}/amendments": {
            "reason": "Matrix",
            "challenge": {"title": "Matrix"},
        },
        "POST /api/v1/challenges/{challenge_id}/cancel": {"reason": "Matrix"},
        "POST /api/v1/challenges/{challenge_id}/questions": {"text": "Een vraag?"},
        "POST /api/v1/challenges/{challenge_id}/questions/{question_id}/answer": {"answer": "Ja."},
        "POST /api/v1/challenges/{challenge_id}/coalitions": {"name": "Matrix"},
        "POST /api/v1/coalitions/{coalition_id}/invitations": {"organisation_id": invitee},
        "POST /api/v1/coalitions/{coalition_id}/response": {"accept": False},
        "PUT /api/v1/admin/users/{user_id}/role": {"role": None},
        "POST /api/v1/audit/verify": [],  # no checkpoints: verify the chains alone
        # Too few evaluators: past the permission checks, the composition is refused (422).
        "PUT /api/v1/challenges/{challenge_id}/committee": {
            "chair_user_id": world.users["evaluator"].id,
            "evaluator_user_ids": [world.users["officer"].id],
        },
        "POST /api/v1/challenges/{challenge_id}/evaluation/declarations": {
            "declarations": [{"proposal_id": str(world.coalition_id), "conflict": False}]
        },
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/scores": {
            "scores": []
        },
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/requirements": {
            "verdicts": [{"requirement_id": 1, "passed": True}]
        },
        "PUT /api/v1/challenges/{challenge_id}/evaluation/proposals/{proposal_id}/consensus": {
            "scores": [{"criterion_id": 1, "score": 5, "rationale": "Matrix"}]
        },
        "POST /api/v1/challenges/{challenge_id}/award": {"reasons": "Matrix"},
        "POST /api/v1/challenges/{challenge_id}/award/withdraw": {"reason": "Matrix"},
        "POST /api/v1/challenges/{challenge_id}/objections": {"reasons": "Matrix"},
        "POST /api/v1/challenges/{challenge_id}/objections/{objection_id}/resolution": {
            "outcome": "rejected",
            "reasons": "Matrix",
        },
        "POST /api/v1/challenges/{challenge_id}/unsuccessful": {"reason": "Matrix"},
        # Period 1 has not ended at the world's moment: past the checks, the lead hears 409.
        "POST /api/v1/contracts/{contract_id}/reports": {"period": 1, "values": []},
        "POST /api/v1/contracts/{contract_id}/reports/{report_id}/query": {"question": "Matrix?"},
        "POST /api/v1/contracts/{contract_id}/payments": {"period": 1, "amount_cents": 100},
        "POST /api/v1/scenarios": {"name": "Matrix", "saving_percentage": "10"},
        "POST /api/v1/contracts/{contract_id}/payments/{payment_id}/correct": {
            "amount_cents": 0,
            "reason": "Matrix",
        },
    }
    uploads = {
        "POST /api/v1/challenges/{challenge_id}/attachments",
        "POST /api/v1/coalitions/{coalition_id}/proposal/attachments",
        "POST /challenges/{challenge_id}/attachments",
        "POST /coalitions/{coalition_id}/proposal/attachments",
        "POST /api/v1/contracts/{contract_id}/reports/{report_id}/evidence",
    }
    forms = {
        "POST /challenges/new": {"title": "Matrix"},
        "POST /challenges/{challenge_id}/edit": {"title": "Matrix"},
        "POST /challenges/{challenge_id}/publish": {"confirm": "yes"},
        "POST /challenges/{challenge_id}/questions": {"text": "Een vraag?"},
        "POST /challenges/{challenge_id}/questions/{question_id}/answer": {"answer": "Ja."},
        "POST /challenges/{challenge_id}/coalitions": {"name": "Matrix"},
        "POST /coalitions/{coalition_id}/invitations": {"organisation_id": str(invitee)},
        "POST /coalitions/{coalition_id}/response": {"decision": "decline"},
        "POST /challenges/{challenge_id}/award": {"reasons": "Matrix"},
        "POST /challenges/{challenge_id}/award/withdraw": {"reason": "Matrix"},
        "POST /challenges/{challenge_id}/objections": {"reasons": "Matrix"},
        "POST /challenges/{challenge_id}/objections/{objection_id}/resolution": {
            "outcome": "rejected",
            "reasons": "Matrix",
        },
        "POST /challenges/{challenge_id}/unsuccessful": {"reason": "Matrix", "confirm": "yes"},
        "POST /admin/api-clients": {"name": "Matrix", "scopes": ["ocds:read"]},
        "POST /scenarios": {"name": "Matrix", "saving_percentage": "10"},
        "POST /contracts/{contract_id}/payments/corrections": {
            "correction_payment": str(world.payment_id),
            "correction_amount": "0",
            "correction_reason": "Matrix",
        },
    }
    route = f"{method} {path}"
    if route == "POST /oauth/token":  # a well-formed grant, but no client credentials
        return {"data": {"grant_type": "client_credentials"}}
    if route in uploads:
        return {"files": pdf}
    if is_api(path):
        return {"json": api.get(route, {})}
    return {"data": forms.get(route, {})}


# --- asking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None = None  # the API's machine code of an error
    location: str | None = None

    def __str__(self) -> str:
        extra = f" {self.code}" if self.code else ""
        extra += f" → {self.location}" if self.location else ""
        return f"{self.status}{extra}"


def _answer(response: httpx.Response) -> Answer:
    code = None
    if response.content and response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        code = body.get("code") if isinstance(body, dict) else None
    return Answer(response.status_code, code, response.headers.get("location"))


class Caller:
    """One caller: a bearer token for the API, a signed-in browser session for the pages."""

    def __init__(self, app: FastAPI, user: Any, token: str | None) -> None:
        self.user, self.token = user, token
        transport = httpx.ASGITransport(app=app)
        self.api = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.browser = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.csrf = ""
        self.cookies: dict[str, str] = {}

    async def sign_in(self) -> None:
        """Through the login form, as a person would (anonymous: only the CSRF cookie)."""
        self.browser.cookies.clear()
        if self.user is not None:
            await sign_in(self.browser, self.user.email)
        self.csrf = await csrf(self.browser, "/login")
        self.cookies = dict(self.browser.cookies)

    async def ask(self, method: str, url: str, given: dict[str, Any]) -> Answer:
        if is_api(url):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            response = await self.api.request(method, url, headers=headers, **given)
            self.api.cookies.clear()
            return _answer(response)
        if method != "GET":
            given = {**given, "data": {**given.get("data", {}), "csrf_token": self.csrf}}
        response = await self.browser.request(method, url, **given)
        # Signing out (or any Set-Cookie) must not change who asks next.
        self.browser.cookies.clear()
        self.browser.cookies.update(self.cookies)
        return _answer(response)

    async def close(self) -> None:
        await self.api.aclose()
        await self.browser.aclose()


async def ask_everything(
    connection: AsyncConnection,
    world: World,
    callers: dict[str, Caller],
    requests: list[tuple[str, str, str, str]],
    moment: str,
) -> dict[tuple[str, str, str], Answer]:
    """Every (row, caller) of one moment, for rows given as (key, method, path, challenge);
    each request runs in a savepoint rolled back after it, so none sees what another wrote."""
    answers = {}
    for key, method, path, on in requests:
        url = fill(world, path, on)
        given = request_input(world, method, path)
        for name, caller in callers.items():
            savepoint = await connection.begin_nested()
            try:
                answers[(key, name, moment)] = await caller.ask(method, url, given)
            finally:
                await savepoint.rollback()
    return answers


def past_the_deadline(clock: FrozenClock, world: World) -> None:
    clock.advance(world.deadline - clock.now() + timedelta(minutes=1))
