"""Many coalitions submit and resubmit at once, right around the deadline, on PostgreSQL."""

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.audit.service import sealed_stream, verify_chain
from app.challenges import service as challenges
from app.challenges.schemas import ChallengeIn
from app.clock import Clock
from app.coalitions.models import Coalition
from app.config import Settings
from app.context import Context
from app.db import create_engine, make_sessionmaker
from app.main import create_app
from app.migrate import upgrade
from app.organisations.models import Role, User
from app.proposals import service as proposals
from app.proposals.models import ProposalSubmission, SubmissionStatus
from tests.conftest import DATABASE_URL, scratch_database
from tests.factories import Factory, challenge_data, coalition_of, complete_content

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)",
)
COALITIONS = 8
WINDOW = 1.2  # seconds of submitting before and after the deadline
MAX_ATTEMPTS = 40  # per worker: the test stays bounded whatever the machine's speed


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("race", tmp_path_factory.mktemp("race")) as url:
        upgrade(url)
        yield url


async def test_submissions_around_the_deadline(database, tmp_path):
    engine = create_engine(database, pool_size=20, max_overflow=10)
    sessions = make_sessionmaker(engine)
    clock = Clock()
    try:
        deadline, tokens, challenge_id = await _world(sessions, clock)
        settings = Settings(
            environment="test", database_url=database, documents_dir=tmp_path / "documents"
        )
        app = create_app(settings, clock=clock)
        app.state.sessionmaker = sessions
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://race") as client:
            await asyncio.sleep(max(0.0, (deadline - clock.now()).total_seconds() - WINDOW))
            results = await asyncio.gather(
                *(
                    _worker(client, coalition_id, token, clock, deadline)
                    for coalition_id, token in tokens.items()
                    for _twice in range(2)
                )
            )
        outcomes = [item for worker in results for item in worker]
        await _check(sessions, outcomes, deadline, challenge_id, tokens)
    finally:
        await engine.dispose()


async def _world(sessions, clock):
    """An open challenge closing in a few seconds and coalitions with complete drafts."""
    async with sessions() as db:
        make = Factory(db, clock)
        officer = await make.user(Role.policy_officer)
        now = clock.now()
        data = challenge_data(
            now,
            question_deadline=now + timedelta(seconds=1),
            submission_deadline=now + timedelta(seconds=6),
        )
        ctx = Context(db=db, user=officer, now=now)
        challenge = await challenges.create_draft(ctx, ChallengeIn.model_validate(data))
        await challenges.publish(ctx, challenge.id)
        challenge = await challenges.get_challenge(ctx, challenge.id)
        tokens = {}
        for _ in range(COALITIONS):
            lead = await make.user(Role.provider_member)
            partner = await make.user(Role.provider_member)
            coalition = await coalition_of(make, challenge, lead, partner)
            await proposals.save_draft(
                make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
            )
            tokens[coalition.public_id] = await make.token(lead)
        await db.commit()
        assert clock.now() < challenge.submission_deadline - timedelta(seconds=WINDOW), (
            "setting up took longer than the time before the deadline"
        )
        return challenge.submission_deadline, tokens, challenge.id


async def _worker(client, coalition_id, token, clock, deadline):
    """Submit again and again until well past the deadline."""
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        if clock.now() > deadline + timedelta(seconds=WINDOW):
            break
        response = await client.post(
            f"/api/v1/coalitions/{coalition_id}/proposal/submit",
            headers={"Authorization": f"Bearer {token}"},
        )
        outcomes.append((coalition_id, response.status_code, response.json()))
        await asyncio.sleep(0.01)
    return outcomes


async def _check(sessions, outcomes, deadline, challenge_id, tokens):
    statuses = Counter(status for _c, status, _body in outcomes)
    assert set(statuses) <= {201, 409}, statuses
    print(f"submissions accepted: {statuses[201]}, refused after the deadline: {statuses[409]}")
    assert statuses[201] > 0 and statuses[409] > 0, "the burst did not straddle the deadline"
    accepted = [(c, body) for c, status, body in outcomes if status == 201]
    for _c, status, body in outcomes:
        if status == 409:
            assert body["code"] == "deadline_passed"
    receipts = [body["receipt_number"] for _c, body in accepted]
    assert len(set(receipts)) == len(receipts), "a receipt number was given twice"
    for _c, body in accepted:
        assert datetime.fromisoformat(body["submitted_at"]) < deadline

    async with sessions() as db:
        stored = (await db.scalars(select(ProposalSubmission))).all()
        assert sorted(s.receipt_number for s in stored) == sorted(receipts), "lost or extra"
        internal = dict((await db.execute(select(Coalition.public_id, Coalition.id))).all())
        for coalition_id in tokens:
            mine = sorted(
                (s for s in stored if s.coalition_id == internal[coalition_id]),
                key=lambda s: s.version,
            )
            assert [s.version for s in mine] == list(range(1, len(mine) + 1))
            if mine:
                assert [s.status for s in mine].count(SubmissionStatus.current) == 1
                assert mine[-1].status == SubmissionStatus.current
            assert all(s.submitted_at < deadline for s in mine)
        submitted_events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.stream == sealed_stream(challenge_id),
                    AuditEvent.action == "proposal.submitted",
                )
            )
        ).all()
        assert len(submitted_events) == len(receipts)
        assert (await verify_chain(db)).ok

        officer = await db.scalar(
            select(User)
            .options(joinedload(User.organisation))
            .where(User.role == Role.policy_officer)
        )
        after = Context(db=db, user=officer, now=deadline + timedelta(seconds=5))
        opening = await proposals.opening(after, challenge_id)
        public = {row_id: str(public_id) for public_id, row_id in internal.items()}
        latest = {}
        for s in stored:
            key = public[s.coalition_id]
            latest[key] = max(latest.get(key, 0), s.version)
        assert sorted((e["coalition_id"], e["version"]) for e in opening.entries) == sorted(
            latest.items()
        )
