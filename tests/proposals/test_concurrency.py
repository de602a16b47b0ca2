"""Hundreds of submissions right around the deadline, while the opening is being asked for.

Runs on PostgreSQL (the SQLite pass has tests/test_sqlite_writers.py): a submission is either in
the opening with the receipt its coalition holds, or refused with a message; never both."""

from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import sealed_stream, verify_chain
from app.clock import Clock
from app.config import Settings
from app.db import create_engine, install_database
from app.main import create_app
from app.migrate import upgrade
from app.proposals.models import ProposalSubmission, SubmissionStatus
from bench.deadline_rush import build_world, rush, tally
from tests.conftest import DATABASE_URL, scratch_database

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)",
)
COALITIONS = 50
SUBMITS = 200
WINDOW = 2.0  # seconds of submitting before and after the deadline


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("race", tmp_path_factory.mktemp("race")) as url:
        upgrade(url)
        yield url


async def test_no_submission_is_lost_at_the_deadline(database, tmp_path):
    engine = create_engine(database, pool_size=20, max_overflow=20)
    clock = Clock()
    try:
        settings = Settings(
            environment="test", database_url=database, documents_dir=tmp_path / "documents"
        )
        app = create_app(settings, clock=clock)
        install_database(app.state, engine)
        world = await build_world(app.state.sessionmaker, clock, COALITIONS, WINDOW + 0.5)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://race") as client:
            outcomes, reads = await rush(client, world, clock, SUBMITS, WINDOW)
            report = await tally(client, world, outcomes, reads)
        print("\n".join(report.lines()))
        assert report.server_errors == 0
        assert not report.other, report.other
        assert report.lost == []
        assert report.late == []
        assert report.accepted > 0 and report.refused > 0, "the burst did not straddle the deadline"
        assert reads[200] > 0, "nobody asked for the opening while submissions came in"
        await _check_store(app.state.sessionmaker, world, outcomes)
    finally:
        await engine.dispose()


async def _check_store(sessions, world, outcomes) -> None:
    """What is stored is exactly what was receipted: versions in order, one current each."""
    receipts = [o.body["receipt_number"] for o in outcomes if o.status == 201]
    assert len(set(receipts)) == len(receipts), "a receipt number was given twice"
    async with sessions() as db:
        stored = (await db.scalars(select(ProposalSubmission))).all()
        assert sorted(s.receipt_number for s in stored) == sorted(receipts), "lost or extra"
        per_coalition = Counter(s.coalition_id for s in stored)
        for coalition_id in per_coalition:
            mine = sorted(
                (s for s in stored if s.coalition_id == coalition_id), key=lambda s: s.version
            )
            assert [s.version for s in mine] == list(range(1, len(mine) + 1))
            assert [s.status for s in mine].count(SubmissionStatus.current) == 1
            assert mine[-1].status == SubmissionStatus.current
            assert all(s.submitted_at < world.deadline for s in mine)
        submitted_events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.stream == sealed_stream(world.challenge_id),
                    AuditEvent.action == "proposal.submitted",
                )
            )
        ).all()
        assert len(submitted_events) == len(receipts)
        assert (await verify_chain(db)).ok
