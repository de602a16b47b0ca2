"""Two officers accept one report, or the lead submits twice, at the same moment, each in a
transaction of its own that commits: one wins, the other hears a clear 409, never a 500."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.config import normalise_database_url
from app.context import Context
from app.contracts import search
from app.contracts import service as contracts
from app.db import create_engine, make_sessionmaker
from app.errors import Conflict
from app.migrate import upgrade
from app.organisations.models import OrganisationKind, Role
from app.results import service
from app.results.models import ReportStatus, ResultReport
from app.results.schemas import ReportIn
from tests.conftest import NOW, scratch_database
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.factories import Factory

AFTER_PERIOD_ONE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("results", tmp_path_factory.mktemp("results")) as url:
        upgrade(url)
        yield url


async def _attempt(sessions, user, now, step) -> str:
    async with sessions() as db:
        ctx = Context(db=db, user=user, now=now)
        try:
            await step(ctx)
            await db.commit()
            return "done"
        except Conflict as refused:
            await db.rollback()
            return refused.code


async def test_one_of_two_simultaneous_accepts_and_submits_wins(database):
    engine = create_engine(normalise_database_url(database))
    sessions = make_sessionmaker(engine)
    clock = FrozenClock(NOW)
    try:
        async with sessions() as db:
            make = Factory(db, clock)
            municipality = await make.org(OrganisationKind.municipality)
            officers = [await make.user(Role.policy_officer, org=municipality) for _ in range(2)]
            lead = await make.user(Role.provider_member)
            challenge = await closed_challenge(make, officers[0])
            winner = await submitted(make, challenge, lead)
            past_the_deadline(make, challenge)
            contract = await contracts.make_contract(
                make.ctx(officers[0]), challenge.id, winner.public_id
            )
            loaded = await search.get_contract(make.ctx(lead), contract.id)
            indicator = loaded.indicators[0].indicator_id
            await db.commit()

        def report(period: int = 1) -> ReportIn:
            value = {"indicator_id": indicator, "value": 30, "people": 9}
            return ReportIn(period=period, values=[value])

        outcomes = await asyncio.gather(
            *(
                _attempt(
                    sessions,
                    lead,
                    AFTER_PERIOD_ONE,
                    lambda ctx: service.submit_report(ctx, contract.id, report()),
                )
                for _ in range(2)
            )
        )
        # PostgreSQL: both find no version and the unique constraint decides; SQLite: the
        # second waits its turn and finds the first under review.
        assert outcomes.count("done") == 1, outcomes
        assert set(outcomes) - {"done"} <= {"concurrent_report", "report_under_review"}
        async with sessions() as db:
            only = (await db.scalars(select(ResultReport))).all()
        assert [(r.version, r.status) for r in only] == [(1, ReportStatus.submitted)]

        outcomes = await asyncio.gather(
            *(
                _attempt(
                    sessions,
                    officer,
                    AFTER_PERIOD_ONE,
                    lambda ctx: service.accept_report(ctx, contract.id, only[0].id),
                )
                for officer in officers
            )
        )
        assert outcomes.count("done") == 1, outcomes
        assert set(outcomes) - {"done"} <= {"report_accepted", "concurrent_review"}, outcomes
        async with sessions() as db:
            accepted = await db.scalar(
                select(func.count())
                .select_from(ResultReport)
                .where(ResultReport.status == ReportStatus.accepted)
            )
        assert accepted == 1
    finally:
        await engine.dispose()
