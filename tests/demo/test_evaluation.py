"""The demo's evaluations as the evaluation services see them: detention partly scored with one
member recused, debt help complete with a ranking ready for the award step."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.audit.models import AuditEvent
from app.awards import service as awards
from app.awards.models import DecisionStatus
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge
from app.config import get_settings
from app.context import Context
from app.demo.data import load_demo
from app.demo.evaluation import (
    AMRANI,
    CHAIR,
    DEBT_HELP,
    DEKKER,
    DETENTION,
    PETERS,
    VOICE,
    debt_help_award,
)
from app.errors import Forbidden
from app.evaluation import committee, report, scoring
from app.evaluation.api import my_tasks, proposal_out
from app.evaluation.models import CommitteeRole
from app.evaluation.state import for_member
from app.organisations.models import User
from tests.conftest import NOW


class Demo:
    def __init__(self, db, users: dict[str, User], challenges: list[Challenge]):
        self.db, self.users, self.challenges = db, users, challenges

    def ctx(self, email: str, now=NOW) -> Context:
        return Context(db=self.db, user=self.users[email], now=now)

    def id(self, index: int) -> int:
        return self.challenges[index].id

    async def proposal(self, email: str, index: int, coalition: str):
        evaluation = await for_member(self.ctx(email), self.id(index))
        return evaluation, next(p for p in evaluation.opened if p.coalition == coalition)


@pytest.fixture(scope="module")
async def demo(engine, tmp_path_factory) -> Demo:
    """The demo loaded once for this module's tests (they only read), rolled back at the end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        maker = async_sessionmaker(bind=connection, expire_on_commit=False, autoflush=False)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCUMENTS_DIR", str(tmp_path_factory.mktemp("documents")))
            get_settings.cache_clear()
            async with maker() as db:
                await load_demo(db, NOW)
                users = {u.email: u for u in await db.scalars(select(User))}
                challenges = list(await db.scalars(select(Challenge).order_by(Challenge.id)))
                yield Demo(db, users, challenges)
            get_settings.cache_clear()
        await outer.rollback()


async def test_detention_has_a_committee_with_a_municipal_chair_and_outside_experts(demo):
    challenge, members = await committee.read_committee(
        demo.ctx("jeugd@voorbeeldstad.nl"), demo.id(DETENTION)
    )
    assert challenge.title.startswith("Jongeren na detentie")
    seats = {m.user_id: m.role for m in members}
    assert seats == {
        demo.users[CHAIR].id: CommitteeRole.chair,
        demo.users[PETERS].id: CommitteeRole.evaluator,
        demo.users[AMRANI].id: CommitteeRole.evaluator,
        demo.users[DEKKER].id: CommitteeRole.evaluator,
    }
    assert demo.users[CHAIR].organisation_id == challenge.organisation_id
    assert all(
        demo.users[e].organisation_id != challenge.organisation_id for e in (PETERS, AMRANI, DEKKER)
    )


async def test_detention_every_member_declared_and_one_is_recused_from_one_proposal(demo):
    evaluation, nieuwe_start = await demo.proposal(DEKKER, DETENTION, "Nieuwe start")
    assert all(evaluation.seat(m.user_id).undeclared == 0 for m in evaluation.members)
    conflicts = [d for d in evaluation.declarations if d.conflict]
    assert len(conflicts) == 1
    assert conflicts[0].user_id == demo.users[DEKKER].id
    assert "Jeugdhulp De Brug" in conflicts[0].explanation
    assert evaluation.place(demo.users[DEKKER].id, nieuwe_start).recused
    # The recusal is in force: no content, no scores, and nothing of it in her report.
    with pytest.raises(Forbidden) as refused:
        await scoring.proposal_for_member(
            demo.ctx(DEKKER), demo.id(DETENTION), nieuwe_start.proposal_id
        )
    assert refused.value.code == "recused"
    assert not report.visible(demo.ctx(DEKKER), evaluation, nieuwe_start)
    wijk = next(p for p in evaluation.opened if p.coalition == "Wijk als vangnet")
    assert report.visible(demo.ctx(DEKKER), evaluation, wijk)
    tasks = await my_tasks(demo.ctx(DEKKER), demo.id(DETENTION))
    assert (tasks.scores_done, tasks.scores_total, tasks.submitted) == (3, 3, True)


async def test_detention_is_partly_scored_with_one_member_still_drafting(demo):
    evaluation = await for_member(demo.ctx(CHAIR), demo.id(DETENTION))
    assert set(evaluation.submitted) == {demo.users[e].id for e in (CHAIR, PETERS, DEKKER)}
    tasks = await my_tasks(demo.ctx(AMRANI), demo.id(DETENTION))
    assert (tasks.scores_done, tasks.scores_total, tasks.submitted) == (4, 6, False)
    assert tasks.declared_all
    own = [
        s
        for s in await scoring.scores_of(demo.ctx(AMRANI), evaluation)
        if s.user_id == demo.users[AMRANI].id
    ]
    assert len(scoring.missing(evaluation, demo.users[AMRANI].id, own)) == 2
    # Every saved score is a whole number on the scale with a written rationale.
    for score in await scoring.scores_of(demo.ctx(CHAIR), evaluation):
        assert 0 <= score.score <= 10 and len(score.rationale) > 40


async def test_detention_has_no_consensus_and_so_no_ranking(demo):
    officer = demo.ctx("jeugd@voorbeeldstad.nl")
    assert await report.final_ranking(officer, demo.id(DETENTION)) is None
    found = await report.facts(officer, await report.for_reader(officer, demo.id(DETENTION)))
    assert found.consensus == [] and found.verdicts == []


async def test_debt_help_is_complete_with_a_clear_ranking(demo):
    officer = demo.ctx("werk@voorbeeldstad.nl")
    ranking = await report.final_ranking(officer, demo.id(DEBT_HELP))
    assert ranking is not None
    evaluation = await report.for_reader(officer, demo.id(DEBT_HELP))
    names = {str(p.proposal_id): p.coalition for p in evaluation.opened}
    places = [(names[p.proposal], p.total) for p in ranking.places]
    assert [name for name, _total in places] == ["Direct in gesprek", "Geldfit Voorbeeldstad"]
    assert places[0][1] - places[1][1] > 10
    assert not ranking.excluded and not ranking.lots
    found = await report.facts(officer, evaluation)
    assert len(evaluation.submitted) == len(evaluation.members) == 3
    assert all(v.passed and v.reason for v in found.verdicts)


async def test_debt_help_shows_a_large_spread_on_one_criterion_to_the_chair(demo):
    evaluation, geldfit = await demo.proposal(CHAIR, DEBT_HELP, "Geldfit Voorbeeldstad")
    found = await report.facts(demo.ctx(CHAIR), evaluation)
    shown = proposal_out(demo.ctx(CHAIR), found, geldfit)
    large = [c.criterion for c in shown.criteria if c.spread and c.spread.large]
    assert large == [VOICE]
    assert all(c.consensus is not None and c.rationale for c in shown.criteria)


async def test_debt_help_award_gives_the_officer_after_the_consensus_and_before_now(demo):
    # load_demo's `created`: each challenge with a context of the officer who wrote it.
    by_id = {u.id: u for u in demo.users.values()}
    created = [
        (challenge, Context(db=demo.db, user=by_id[challenge.created_by_id], now=NOW))
        for challenge in demo.challenges
    ]
    ready = debt_help_award(created, NOW)
    assert ready.challenge_id == demo.id(DEBT_HELP)
    assert ready.officer.user.email == "werk@voorbeeldstad.nl"
    assert ready.officer.now < NOW < ready.officer.now + timedelta(days=20)
    assert await report.final_ranking(ready.officer, ready.challenge_id) is not None
    evaluation = await report.for_reader(ready.officer, ready.challenge_id)
    found = await report.facts(ready.officer, evaluation)
    assert max(c.recorded_at for c in found.consensus) < ready.officer.now


async def test_debt_help_is_in_its_standstill_with_an_open_objection(demo):
    view = await awards.award_for(demo.ctx("werk@voorbeeldstad.nl"), demo.id(DEBT_HELP))
    decision = view.decision
    assert decision.status == DecisionStatus.standstill
    assert decision.coalition.name == "Direct in gesprek"
    assert decision.decided_at < NOW < decision.standstill_ends_at
    assert [(o.coalition.name, o.status.value) for o in view.objections] == [
        ("Geldfit Voorbeeldstad", "open")
    ]
    # The runner-up reads its own result and the winner's.
    seen = await awards.award_for(demo.ctx("lisa@werkplaatsvooruit.nl"), demo.id(DEBT_HELP))
    assert {r.coalition for r in seen.results} == {"Direct in gesprek", "Geldfit Voorbeeldstad"}


async def test_every_evaluation_step_lies_after_its_deadline_and_before_now(demo):
    events = list(
        await demo.db.scalars(select(AuditEvent).where(AuditEvent.action.like("evaluation.%")))
    )
    assert events
    deadlines = {c.id: c.submission_deadline for c in demo.challenges if c.submission_deadline}
    for event in events:
        assert deadlines[event.entity_id] < event.occurred_at < NOW
    challenge = await get_challenge(demo.ctx("werk@voorbeeldstad.nl"), demo.id(DEBT_HELP))
    assert challenge.period_start > NOW.date()
