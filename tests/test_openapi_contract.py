"""Schemathesis over every API operation, as every role: no server errors, and every answer is
what the OpenAPI description says (status code, content type, body).

The cases are made once: Schemathesis' boundary cases (sent as the role that gets furthest with
the operation) and CONTRACT_EXAMPLES fuzzed cases per operation, valid and invalid (default 10,
sent as every role). Each role then gets a world of its own inside the test's rolled-back
transaction, so nothing the requests write outlives the test; the requests go through the
test's event loop, where the database connection lives.

Bounded for CI: a fixed seed (CONTRACT_SEED changes it, for a wider search by hand) and a
wall-clock budget for the module (CONTRACT_BUDGET seconds, default 180) after which operations
not yet run are reported as skipped rather than run.
"""

import io
import os
import time
import zlib
from datetime import UTC, datetime, timedelta

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.api_clients import service as api_clients
from app.api_clients.limiter import FixedWindowLimiter
from app.challenges import attachments, lifecycle, questions
from app.config import Settings
from app.contracts import search
from app.contracts.service import make_contract
from app.main import create_app
from app.organisations.models import OrganisationKind, Role, User
from app.proposals import service as proposals
from app.results import service as results
from app.results.models import ContractPayment
from app.scenarios.service import create_scenario
from tests.conftest import DATABASE_URL
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))
SEED = int(os.environ.get("CONTRACT_SEED", "20260302"))
BUDGET = float(os.environ.get("CONTRACT_BUDGET", "180"))
ROLES = [
    "anonymous",
    "admin",
    "policy_officer",
    "provider_member",
    "evaluator",
    "auditor",
    "other_municipality",
]
# Schemathesis' boundary cases for an operation are sent as the role that gets furthest with it.
COVERAGE_ROLE = {
    "admin": "admin",
    "audit": "auditor",
    "challenges": "policy_officer",
    "coalitions": "provider_member",
    "proposals": "provider_member",
}
_started: list[float] = []


async def world(make, app, clock) -> tuple[dict[str, str | None], dict[str, list]]:
    """Two municipalities, providers in two coalitions (one proposal opened, one still sealed),
    a draft, a question, documents; the bearer token per role and the ids worth aiming at."""
    store = app.state.documents
    home = await make.org(OrganisationKind.municipality)
    other = await make.org(OrganisationKind.municipality)
    officer = await make.user(Role.policy_officer, org=home)
    users = {
        "admin": await make.user(Role.admin, org=home),
        "policy_officer": officer,
        "provider_member": await make.user(Role.provider_member),
        "evaluator": await make.user(Role.evaluator),
        "auditor": await make.user(Role.auditor, org=home),
        "other_municipality": await make.user(Role.policy_officer, org=other),
    }
    lead = users["provider_member"]
    partner = await make.user(Role.provider_member)
    now = clock.now()

    draft = await make.challenge(officer)
    attachment = await attachments.add_attachment(
        make.ctx(officer), store, draft.id, "bijlage.pdf", io.BytesIO(make_pdf("Bijlage")), 10**6
    )
    await lifecycle.publish(make.ctx(officer), draft.id)
    open_one = await lifecycle.get_challenge(make.ctx(officer), draft.id)
    closing = await make.challenge(
        officer,
        publish=True,
        question_deadline=now + timedelta(days=1),
        submission_deadline=now + timedelta(days=2),
    )
    closing = await lifecycle.get_challenge(make.ctx(officer), closing.id)
    still_draft = await make.challenge(officer)
    elsewhere = await make.challenge(users["other_municipality"], publish=True)
    question = await questions.ask_question(make.ctx(lead), open_one.id, "Mag een school meedoen?")
    await questions.answer_question(make.ctx(officer), open_one.id, question.id, "Ja.")

    coalitions, documents = [], []
    for challenge in (open_one, closing):
        coalition = await coalition_of(make, challenge, lead, partner)
        ctx = make.ctx(lead)
        await proposals.save_draft(ctx, coalition.public_id, complete_content(challenge, coalition))
        documents.append(
            await proposals.add_attachment(
                ctx, store, coalition.public_id, "plan.pdf", io.BytesIO(make_pdf("Plan")), 10**6
            )
        )
        await proposals.submit(ctx, coalition.public_id)
        await proposals.submit(ctx, coalition.public_id)
        coalitions.append(coalition)
    clock.advance(timedelta(days=3))  # `closing` is past its deadline, `open_one` is not
    app.state.clock_offset_cache = None
    contract = await make_contract(make.ctx(officer), closing.id, coalitions[1].public_id)
    scenario = await create_scenario(
        make.ctx(officer), {"name": "Bezuiniging 2027: 10%", "saving_percentage": "10"}
    )
    payment = ContractPayment(  # written directly: no payment period has ended yet
        contract_id=contract.id,
        period=1,
        amount_cents=100,
        paid_on=clock.now().date(),
        recorded_at=clock.now(),
        recorded_by_id=officer.id,
    )
    make.db.add(payment)

    tokens: dict[str, str | None] = {role: await make.token(u) for role, u in users.items()}
    tokens["anonymous"] = None
    known = {
        "challenge_id": [open_one.id, closing.id, still_draft.id, elsewhere.id],
        "coalition_id": [str(c.public_id) for c in coalitions],
        "question_id": [question.id],
        "attachment_id": [attachment.id, *(str(d.public_id) for d in documents)],
        "organisation_id": [partner.organisation_id, lead.organisation_id, home.id],
        "user_id": [u.id for u in users.values()],
        "version": [1, 2],
        "sha256": [d.document.sha256 for d in documents],
        "contract_id": [contract.id],
        "scenario_id": [str(scenario.public_id)],
    }
    await make.db.flush()
    known["payment_id"] = [payment.id]
    return tokens, known


def aim(case, known: dict[str, list]):
    """Most generated ids name nothing: valid fuzzing cases mostly get one that exists, chosen
    from the generated value, so every role meets the same case."""
    case = case.derive(keep_auth=False)
    if case.meta.phase.name == TestPhase.FUZZING and (
        case.meta.generation.mode == GenerationMode.POSITIVE
    ):
        for name, value in case.path_parameters.items():
            choices = known.get(name)
            pick = zlib.crc32(str(value).encode()) % (len(choices) + 1) if choices else 0
            if choices and pick < len(choices):
                case.path_parameters[name] = choices[pick]
    return case


def generate(schema) -> list[tuple[str, str, list]]:
    """(operation, tag, cases) for every operation, made once and sent as every role."""
    settings = hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    generated = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tag = (operation.definition.raw.get("tags") or [""])[0]
        generated.append((operation.label, tag, cases_for(operation, schema, settings)))
    return generated


def cases_for(operation, schema, settings) -> list:
    """Schemathesis' boundary cases, then CONTRACT_EXAMPLES fuzzed ones (valid and invalid)."""
    cases: list = []

    def collect(case) -> None:
        cases.append(case)

    for mode in (HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING):
        config = HypothesisTestConfig(
            project=schema.config, modes=[mode], settings=settings, seed=SEED
        )
        create_test(operation=operation, test_func=collect, config=config)()
    return cases


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[tuple[str, str, list]]:
    settings = Settings(
        environment="test",
        database_url=DATABASE_URL,
        documents_dir=tmp_path_factory.mktemp("documents"),
    )
    _started.append(time.monotonic())
    return generate(schemathesis.openapi.from_dict(create_app(settings).openapi()))


async def accepted_results(make, app, clock, contract_id: int) -> None:
    """The world's contract with its first period accepted, so the results feeds have rows."""
    contract = await search.get_contract(make.ctx(None), contract_id)
    lead = await make.db.scalar(
        select(User).where(User.organisation_id == contract.lead.organisation_id)
    )
    officer = await make.db.scalar(
        select(User).where(
            User.organisation_id == contract.challenge.organisation_id,
            User.role == Role.policy_officer,
        )
    )
    clock.at = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)  # period 1 ended on 30 November
    app.state.clock_offset_cache = None
    indicator = contract.indicators[0].indicator_id
    values = [{"indicator_id": indicator, "value": 31, "people": 3}]
    report = await results.submit_report(
        make.ctx(lead), contract.id, {"period": 1, "values": values}
    )
    await results.accept_report(make.ctx(officer), contract.id, report.id)
    await make.db.flush()


@pytest.mark.parametrize("registered_by", ["municipality", "operator"])
async def test_every_client_operation_answers_as_described(
    registered_by, app, make, clock, generated
):
    """The routes for API clients (tag `auditor`), sent with a client's token holding every
    scope: registered by the world's municipality (exact counts, its audit streams) or at the
    command line (the public's view)."""
    _tokens, known = await world(make, app, clock)
    await accepted_results(make, app, clock, known["contract_id"][0])
    app.state.api_rate_limiter = FixedWindowLimiter(limit=10**9, seconds=60)
    home = known["organisation_id"][2] if registered_by == "municipality" else None
    registered, secret = await api_clients.create_client(
        make.ctx(None),
        {"name": "Contract", "scopes": "ocds:read results:read audit:read"},
        operator=True,
        organisation_id=home,
    )
    failures: dict[tuple[str, str], str] = {}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(registered.client_id, secret),
        )
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        operations = [(label, cases) for label, tag, cases in generated if tag == "auditor"]
        assert len(operations) >= 9
        for label, cases in operations:
            for case in cases:
                response = await send(client, aim(case, known), headers)
                try:
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as found:
                    kinds = ", ".join(sorted(f.title for f in found.exceptions))
                    failures.setdefault((label, kinds), str(found))
    assert not failures, f"{len(failures)} kinds of failure:\n\n" + "\n\n".join(
        f"{label}: {kinds}\n{text}" for (label, kinds), text in failures.items()
    )


@pytest.mark.parametrize("role", ROLES)
async def test_every_operation_answers_as_described(role, app, make, clock, generated):
    tokens, known = await world(make, app, clock)
    headers = {"Authorization": f"Bearer {tokens[role]}"} if tokens[role] else {}
    failures: dict[tuple[str, str], str] = {}
    skipped = []
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for label, tag, cases in generated:
            if time.monotonic() - _started[0] > BUDGET:
                skipped.append(label)
                continue
            boundaries = COVERAGE_ROLE.get(tag, "policy_officer") == role
            for case in cases:
                if case.meta.phase.name == TestPhase.COVERAGE and not boundaries:
                    continue
                case = aim(case, known)
                response = await send(client, case, headers)
                try:
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as found:
                    kinds = ", ".join(sorted(f.title for f in found.exceptions))
                    failures.setdefault((label, kinds), str(found))
    assert not failures, f"{len(failures)} kinds of failure as {role}:\n\n" + "\n\n".join(
        f"{label}: {kinds}\n{text}" for (label, kinds), text in failures.items()
    )
    if skipped:
        pytest.skip(f"CONTRACT_BUDGET spent; not run as {role}: {', '.join(skipped)}")


async def send(client: httpx.AsyncClient, case, headers: dict[str, str]) -> httpx.Response:
    """The request exactly as Schemathesis would send it (requests encodes it), through the app."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    request = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    body = request.body.encode() if isinstance(request.body, str) else request.body
    return await client.request(
        request.method, request.url, headers=dict(request.headers), content=body
    )
