"""The demo's results as the results services and the public contract page see them: a good, a
middling and a poor performer, a queried report with its answer, an overdue period, signals,
payments with a period left open, and a small count the public reads as "<5"."""

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.audit.models import AuditEvent
from app.challenges.models import Challenge
from app.clock import FrozenClock
from app.config import Settings, get_settings
from app.context import Context
from app.contracts.models import Contract
from app.demo.data import load_demo
from app.demo.results import COACHES, LEADS, SPORT, VOLUNTEERING
from app.main import create_app
from app.organisations.models import User
from app.results import service
from app.results.models import ContractPayment, ReportSignal, ReportStatus, ResultReport
from tests.conftest import DATABASE_URL, NOW

OFFICER = "werk@voorbeeldstad.nl"


class Demo:
    def __init__(self, db, maker, users: dict[str, User], contracts: dict[int, int]):
        self.db, self.maker, self.users, self.contracts = db, maker, users, contracts

    def ctx(self, email: str | None = OFFICER) -> Context:
        return Context(db=self.db, user=self.users[email] if email else None, now=NOW)


@pytest.fixture(scope="module")
async def demo(engine, tmp_path_factory) -> Demo:
    """The demo loaded once for this module's tests (they only read), rolled back at the end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        maker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCUMENTS_DIR", str(tmp_path_factory.mktemp("documents")))
            get_settings.cache_clear()
            async with maker() as db:
                await load_demo(db, NOW)
                await db.flush()
                users = {u.email: u for u in await db.scalars(select(User))}
                rows = await db.execute(select(Contract.id, Contract.challenge_id))
                by_challenge = {challenge: contract for contract, challenge in rows}
                challenges = list(await db.scalars(select(Challenge.id).order_by(Challenge.id)))
                contracts = {
                    index: by_challenge[challenges[index]]
                    for index in (VOLUNTEERING, SPORT, COACHES)
                }
                yield Demo(db, maker, users, contracts)
            get_settings.cache_clear()
        await outer.rollback()


async def statuses(demo: Demo, index: int) -> list[str]:
    found = await service.contract_results(demo.ctx(), demo.contracts[index])
    return [one.status.status for one in found.indicators]


async def test_good_middling_and_poor_show_in_the_status_of_accepted_results(demo):
    good, middling, poor = [await statuses(demo, i) for i in (VOLUNTEERING, SPORT, COACHES)]
    assert good == ["on_track", "on_track"]
    assert middling == ["at_risk", "not_reported"]  # social cohesion is measured yearly
    assert poor == ["off_track", "off_track"]
    for index, periods in ((VOLUNTEERING, [1, 2, 3]), (SPORT, [1, 2]), (COACHES, [2])):
        contract = (await service.contract_results(demo.ctx(), demo.contracts[index])).contract
        accepted = await service.accepted_reports(demo.ctx(), contract)
        assert [r.period for r in accepted] == periods


async def test_the_accepted_reports_were_made_step_by_step_before_now_by_the_right_people(demo):
    officers = {u.id for e, u in demo.users.items() if e.endswith("@voorbeeldstad.nl")}
    for index, contract_id in demo.contracts.items():
        reports = list(
            await demo.db.scalars(
                select(ResultReport).where(ResultReport.contract_id == contract_id)
            )
        )
        assert reports
        for report in reports:
            assert report.submitted_by_id == demo.users[LEADS[index]].id
            assert report.submitted_at < NOW
            if report.decided_at is not None:
                assert report.submitted_at < report.decided_at < NOW
                assert report.decided_by_id in officers
    events = await demo.db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("report.%"))
    )
    assert {"report.submitted", "report.queried", "report.accepted"} <= set(events)


async def test_a_queried_report_has_two_versions_and_the_answer(demo):
    found = await service.contract_reports(demo.ctx(), demo.contracts[VOLUNTEERING])
    third = found.periods[2]
    assert [v.version for v in third.versions] == [2, 1]
    assert [v.status for v in third.versions] == [ReportStatus.accepted, ReportStatus.superseded]
    (query,) = third.versions[1].queries
    # The evidence added to the first version goes with the answer.
    assert [e.filename for e in third.versions[0].evidence] == [
        "Overzicht uitstroom derde kwartaal.pdf"
    ]
    assert query.question and query.answer and query.asked_at < query.answered_at < NOW


async def test_the_poor_performer_has_an_overdue_period_and_a_late_report_exists(demo):
    coaches = await service.contract_reports(demo.ctx(), demo.contracts[COACHES])
    assert [p.state for p in coaches.periods[:3]] == ["overdue", "accepted", "not_due"]
    sport = await service.contract_reports(demo.ctx(), demo.contracts[SPORT])
    assert [(p.state, p.late) for p in sport.periods[:2]] == [
        ("accepted", False),
        ("accepted", True),
    ]


async def test_signals_with_themes_and_payments_with_a_period_left_open(demo):
    themes = set(await demo.db.scalars(select(ReportSignal.theme)))
    assert {"trend", "rules_gap", "between_stools"} <= {t.value for t in themes}
    paid = {
        index: (await service.contract_payments(demo.ctx(None), contract_id)).statement
        for index, contract_id in demo.contracts.items()
    }
    good = paid[VOLUNTEERING].periods
    assert [p.ended for p in good[:4]] == [True, True, True, False]
    assert good[0].open_cents == good[1].open_cents == 0 < good[0].paid_cents
    assert good[0].results_cents > 0  # the results part was earned and paid
    assert good[2].open_cents == good[2].due_cents > 0  # the third quarter: not yet paid
    assert paid[SPORT].periods[0].open_cents == 0 < paid[SPORT].periods[1].open_cents
    assert paid[COACHES].paid_cents == 0 < paid[COACHES].open_cents
    payments = list(await demo.db.scalars(select(ContractPayment)))
    assert len(payments) == 3 and all(p.paid_on < NOW.date() for p in payments)


async def test_the_public_contract_page_shows_small_counts_as_fewer_than_five(demo, tmp_path):
    settings = Settings(
        environment="test",
        database_url=DATABASE_URL,
        documents_dir=tmp_path / "documents",
        max_upload_bytes=200_000,
    )
    app = create_app(settings, clock=FrozenClock(NOW))
    app.state.sessionmaker = demo.maker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get(f"/contracts/{demo.contracts[COACHES]}")
    assert page.status_code == 200
    results = page.text.split('id="results"', 1)[1].split("</section>", 1)[0]
    assert '<td class="num">&lt;5</td>' in results
    # The municipality reads the count exactly.
    exact = await service.contract_results(demo.ctx(), demo.contracts[COACHES])
    assert exact.indicators[1].points[0].people == 4 and exact.reader == "municipality"
