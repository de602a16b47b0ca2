"""The demo's result reports and payments on the three running contracts, made through the results
services as the coalition leads and the municipality's officers would, period by period:
"Vrijwillig aan het werk" performs well (three periods accepted, the third after a question and
an answer, two periods paid and the third left open), "Oostwijk in beweging" is middling (two
periods accepted, the second reported late, one paid), "Eén gezin, één coach" performs poorly
(its first period overdue, the second accepted with a count of fewer than 5 households, nothing
paid yet). Values are shares of each indicator's committed improvement, so the statuses read on
track, at risk and off track whatever targets the coalitions committed to."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.challenges.models import Challenge
from app.clock import AMSTERDAM
from app.config import get_settings
from app.context import Context
from app.contracts import search
from app.contracts.models import Contract, ContractIndicator
from app.contracts.periods import REPORT_DUE_DAYS
from app.demo.pdf import one_page_pdf
from app.documents.store import LocalDocumentStore
from app.organisations.models import User
from app.results import service
from app.results.models import ResultReport, SignalTheme
from app.results.schemas import PaymentIn, QueryIn, ReportIn, SignalIn, ValueIn

# The running challenges, by their index in app.demo.data.challenges().
VOLUNTEERING = 3
SPORT = 4
COACHES = 5

LEADS = {
    VOLUNTEERING: "lisa@werkplaatsvooruit.nl",
    SPORT: "tom@despiegel.nl",
    COACHES: "anna@welzijnvoorbeeldstad.nl",
}

# A value: (share of the committed improvement reached, people it concerns or None: the value).
Reported = dict[int, tuple[float, int | None]]  # indicator position -> value


@dataclass
class Running:
    """One running contract as its lead and its officer report and review it."""

    db: AsyncSession
    lead: User
    officer: User
    contract: Contract
    now: datetime

    def ctx(self, user: User, day: date, hour: int) -> Context:
        """`user` at `hour` (Amsterdam) on `day`: after the contract started, before the demo's now."""
        moment = datetime.combine(day, time(hour), tzinfo=AMSTERDAM)
        if not self.contract.period_start <= day or moment >= self.now - timedelta(hours=12):
            raise ValueError(f"demo results step at {moment} lies outside the running contract")
        return Context(db=self.db, user=user, now=moment)

    def period(self, number: int):
        return service.report_periods(self.contract)[number - 1]

    def values(self, number: int, reported: Reported) -> list[ValueIn]:
        """The values of the indicators reported in period `number`, from their shares."""
        period = self.period(number)
        found = []
        for indicator in self.contract.indicators:
            if service.reported_in(indicator, period) is None:
                continue
            share, people = reported[indicator.position]
            value = _value(indicator, share)
            found.append(
                ValueIn(
                    indicator_id=indicator.indicator_id,
                    value=value,
                    people=int(value) if people is None else people,
                )
            )
        return found

    async def submit(
        self,
        number: int,
        days_after_end: int,
        reported: Reported,
        narrative: str,
        signals: tuple[tuple[SignalTheme, str], ...] = (),
        answer: str = "",
    ) -> ResultReport:
        ctx = self.ctx(self.lead, self.period(number).end + timedelta(days=days_after_end), 10)
        return await service.submit_report(
            ctx,
            self.contract.id,
            ReportIn(
                period=number,
                values=self.values(number, reported),
                narrative=narrative,
                signals=[SignalIn(theme=theme, text=text) for theme, text in signals],
                answer=answer,
            ),
        )

    async def evidence(self, store: LocalDocumentStore, report: ResultReport, name: str) -> None:
        """The lead adds a one-page PDF to a version, an hour after submitting it."""
        ctx = self.ctx(self.lead, report.submitted_at.astimezone(AMSTERDAM).date(), 11)
        await service.add_evidence(
            ctx,
            store,
            self.contract.id,
            report.id,
            name,
            io.BytesIO(one_page_pdf(name.removesuffix(".pdf"))),
            get_settings().max_upload_bytes,
        )

    async def accept(self, report: ResultReport, days_later: int) -> None:
        day = report.submitted_at.astimezone(AMSTERDAM).date() + timedelta(days=days_later)
        await service.accept_report(self.ctx(self.officer, day, 14), self.contract.id, report.id)

    async def query(self, report: ResultReport, days_later: int, question: str) -> None:
        day = report.submitted_at.astimezone(AMSTERDAM).date() + timedelta(days=days_later)
        await service.query_report(
            self.ctx(self.officer, day, 15), self.contract.id, report.id, QueryIn(question=question)
        )

    async def pay(self, number: int, day: date) -> None:
        """What is due for payment period `number` on that day, paid in full."""
        ctx = self.ctx(self.officer, day, 11)
        found = await service.contract_payments(ctx, self.contract.id)
        due = found.statement.periods[number - 1].open_cents
        await service.record_payment(
            ctx, self.contract.id, PaymentIn(period=number, amount_cents=due)
        )


def _value(indicator: ContractIndicator, share: float) -> float:
    """The baseline moved `share` of the way to the committed target, in whole units."""
    baseline = indicator.baseline_value or 0.0
    return float(round(baseline + share * (indicator.committed_target - baseline)))


async def _running(
    db: AsyncSession, users: dict[str, User], created: list, index: int, now: datetime
) -> Running:
    challenge: Challenge = created[index][0]
    lead = users[LEADS[index]]
    contract_id = await db.scalar(select(Contract.id).where(Contract.challenge_id == challenge.id))
    contract = await search.get_contract(Context(db=db, user=lead, now=now), contract_id)
    officer = next(u for u in users.values() if u.id == challenge.created_by_id)
    return Running(db, lead, officer, contract, now)


async def load_results(
    db: AsyncSession,
    users: dict[str, User],
    created: list,
    now: datetime,
    store: LocalDocumentStore,
) -> None:
    """Reports, questions, signals and payments on the running contracts, all in the past."""
    await _volunteering(await _running(db, users, created, VOLUNTEERING, now), store)
    await _sport(await _running(db, users, created, SPORT, now))
    await _coaches(await _running(db, users, created, COACHES, now))


async def _volunteering(c: Running, store: LocalDocumentStore) -> None:
    """The good performer: ahead of the line every quarter; a question on the third quarter."""
    first = await c.submit(
        1,
        9,
        {0: (0.18, None), 1: (0.16, None)},
        "Het eerste kwartaal draaide om werving: 60 deelnemers hebben een vaste "
        "vrijwilligersplek met een werkritme van minstens acht uur per week.",
    )
    await c.accept(first, 6)
    await c.pay(1, c.period(1).end + timedelta(days=28))
    second = await c.submit(
        2,
        11,
        {0: (0.34, None), 1: (0.33, None)},
        "Meer deelnemers dan verwacht stromen door naar betaald werk, vooral via "
        "proefplaatsingen bij werkgevers uit ons netwerk.",
        signals=(
            (
                SignalTheme.trend,
                "Steeds meer hoogopgeleide werkzoekenden melden zich zelf aan; zij vinden "
                "sneller werk maar haken af als het vrijwilligerswerk te eenvoudig is.",
            ),
        ),
    )
    await c.accept(second, 5)
    await c.pay(2, c.period(2).end + timedelta(days=30))
    rules = (
        SignalTheme.rules_gap,
        "Deelnemers met een bijstandsuitkering mogen van de regels minder uren "
        "vrijwilligerswerk doen dan ze willen; dat remt het werkritme.",
    )
    third = await c.submit(
        3,
        4,
        {0: (0.52, None), 1: (0.58, None)},
        "Opnieuw een goed kwartaal: de uitstroom naar betaald werk ligt voor op schema.",
        signals=(rules,),
    )
    await c.evidence(store, third, "Overzicht uitstroom derde kwartaal.pdf")
    await c.query(
        third,
        3,
        "De uitstroom stijgt flink. Tellen hier ook tijdelijke contracten van minder dan drie "
        "maanden mee? Die rekenen we volgens de definitie niet als uitstroom.",
    )
    answered = await c.submit(
        3,
        12,
        {0: (0.52, None), 1: (0.5, None)},
        "Opnieuw een goed kwartaal: de uitstroom naar betaald werk ligt voor op schema. "
        "Gecorrigeerd: contracten korter dan drie maanden tellen niet meer mee.",
        signals=(rules,),
        answer="Ja, drie deelnemers hadden een contract van zes weken. Die tellen we niet "
        "meer mee; de uitstroom in deze versie is daarvoor gecorrigeerd.",
    )
    await c.accept(answered, 3)
    # The third quarter's payment stays open: the officer has not paid it yet.


async def _sport(c: Running) -> None:
    """The middling performer: children join, but fewer than planned; the second report late."""
    first = await c.submit(
        1,
        20,
        {0: (0.1, None)},
        "De eerste trainingen op het plein en op het water zijn gestart; de kinderen "
        "bedachten zelf de naam van de sportmiddag.",
        signals=(
            (
                SignalTheme.trend,
                "Meisjes van 12 tot 14 jaar haken af zodra de groepen gemengd zijn; zij vragen "
                "om een eigen uur.",
            ),
        ),
    )
    await c.accept(first, 8)
    await c.pay(1, c.period(1).end + timedelta(days=45))
    second = await c.submit(
        2,
        REPORT_DUE_DAYS + 4,
        {0: (0.2, None)},
        "Door de tentamenperiode van de studenten vielen drie weken training uit; daardoor "
        "is ook dit verslag later.",
    )
    await c.accept(second, 5)
    # The second quarter's payment stays open.


async def _coaches(c: Running) -> None:
    """The poor performer: the first report never came; the second shows little change and
    a self-reliance score measured for only 4 households (the public sees "<5")."""
    second = await c.submit(
        2,
        6,
        {0: (0.04, None), 1: (0.0, 4)},
        "Het kostte meer tijd dan verwacht om de coaches hun mandaat te geven; de "
        "partners dragen hun eerstelijnswerk nog niet over. De zelfredzaamheidsmatrix is bij "
        "vier huishoudens twee keer afgenomen.",
        signals=(
            (
                SignalTheme.between_stools,
                "Huishoudens die net buiten de wijkgrens wonen vallen tussen twee wijkteams in: "
                "geen van beide coacht hen.",
            ),
        ),
    )
    await c.accept(second, 5)
    # The first quarter stays overdue: no report, nothing paid.
