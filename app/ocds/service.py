"""The OCDS feed: snapshots of the published challenges gathered in batches, turned into
releases (app/ocds/releases.py) and paged by an opaque cursor.

What a reader sees is what permissions.py lets them see, nothing more: published challenges
(`readable_challenges`), answered questions (without who asked), amendments, contracts, an
award decision only where `award_read` allows it or once it is contracted (as
app/awards/service.award_for shows it), and the opened bids only where `opening_read` allows
it, after the deadline. The public and API clients read as nobody signed in, so the public feed
holds nothing of a proposal, not even how many there are, and no losing bidder.

Order: by challenge id, then by (release date, release id) within it; the cursor is the last
release served. A process's new release (an award, a contract) lands under its own challenge,
so a harvester asks again with `since` (release date) to pick up what changed.
"""

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from app.auth.permissions import Action, can, readable_challenges
from app.awards.models import AwardDecision, DecisionStatus
from app.challenges.models import Amendment, Challenge, Criterion, Indicator, Question
from app.coalitions.models import Coalition, CoalitionMember, MemberStatus
from app.config import Settings
from app.context import Context
from app.contracts.models import Contract, ContractIndicator, ContractParty
from app.contracts.models import ReportingPeriod as ReportingPeriodRow
from app.contracts.periods import contract_periods, own_period_in
from app.errors import NotFound, ValidationFailed
from app.i18n import Lazy
from app.ocds import releases as mapping
from app.ocds.implementation import implementation_events
from app.ocds.records import compile_release
from app.ocds.snapshots import (
    AcceptedReport,
    AmendmentSnapshot,
    AwardSnapshot,
    BidSnapshot,
    ContractIndicatorSnapshot,
    ContractSnapshot,
    CriterionSnapshot,
    EnquirySnapshot,
    ImplementationEvent,
    IndicatorSnapshot,
    ObservedValue,
    Party,
    PaymentSnapshot,
    ProcessSnapshot,
    Publisher,
)
from app.proposals.models import ProposalOpening
from app.results.models import ContractPayment, ReportStatus, ReportValue, ResultReport
from app.results.privacy import Reader, shown_count, suppressed

DEFAULT_LIMIT = 100
# The feed is open data: counts of people as the public reads them (app/results/privacy.py).
PUBLIC: Reader = "public"
MAX_LIMIT = 1000


def publisher_of(settings: Settings) -> Publisher:
    return Publisher(
        name=settings.ocds_publisher_name,
        uri=settings.ocds_publisher_uri or settings.base_url,
        ocid_prefix=settings.ocds_ocid_prefix,
        license=settings.ocds_license,
        publication_policy=settings.ocds_publication_policy,
    )


# --- the cursor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """The last release served: its challenge, date and id."""

    challenge_id: int
    date: str
    release_id: str

    def encode(self) -> str:
        raw = json.dumps([self.challenge_id, self.date, self.release_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            challenge_id, date, release_id = json.loads(raw)
            if not (isinstance(challenge_id, int) and isinstance(date, str)):
                raise ValueError
            return cls(challenge_id, date, str(release_id))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed(
                {"cursor": Lazy("Not a cursor from this feed.")},
                "This cursor is not one this feed gave out: start again without it.",
            ) from None


# --- gathering snapshots -----------------------------------------------------------------------


def _published(ctx: Context):
    return and_(Challenge.published_at.is_not(None), readable_challenges(ctx.user))


def _changed_since(since: datetime, now: datetime):
    """Challenges with any event on or after `since` (a superset: the releases are filtered)."""
    on = Challenge.id
    return or_(
        Challenge.published_at >= since,
        Challenge.updated_at >= since,
        and_(Challenge.submission_deadline >= since, Challenge.submission_deadline <= now),
        exists().where(Amendment.challenge_id == on, Amendment.created_at >= since),
        exists().where(Question.challenge_id == on, Question.answered_at >= since),
        exists().where(
            AwardDecision.challenge_id == on,
            or_(AwardDecision.decided_at >= since, AwardDecision.withdrawn_at >= since),
        ),
        exists().where(Contract.challenge_id == on, Contract.created_at >= since),
        exists().where(
            Contract.challenge_id == on,
            ResultReport.contract_id == Contract.id,
            ResultReport.status == ReportStatus.accepted,
            ResultReport.decided_at >= since,
        ),
        exists().where(
            Contract.challenge_id == on,
            ContractPayment.contract_id == Contract.id,
            ContractPayment.recorded_at >= since,
        ),
    )


def _party(organisation: Any) -> Party:
    return Party(organisation.id, organisation.name, organisation.kvk_number)


def _members(coalition: Coalition) -> tuple[Party, ...]:
    accepted = [m for m in coalition.members if m.status == MemberStatus.accepted]
    return tuple(_party(m.organisation) for m in accepted)


async def _rows(
    ctx: Context, model: Any, key: str, ids: list[int], *where: Any, order: Any = None
) -> dict[int, list[Any]]:
    """Plain rows of `model`'s table whose `key` is among `ids`, grouped by it: the feed only
    reads them, and rows cost a fraction of ORM objects (the bulk download reads thousands)."""
    table = model.__table__
    grouped: dict[int, list[Any]] = defaultdict(list)
    query = select(table).where(table.c[key].in_(ids), *where)
    if order is not None:
        query = query.order_by(order)
    for row in await ctx.db.execute(query):
        grouped[getattr(row, key)].append(row)
    return grouped


async def _bids(ctx: Context, challenges: list[Challenge]) -> dict[int, tuple[BidSnapshot, ...]]:
    """The opened bids of the challenges whose opening the caller may read (never before the
    deadline), from the opening record; none where it has not been made yet."""
    allowed = [c.id for c in challenges if can(ctx.user, Action.opening_read, c, ctx.now)]
    if not allowed:
        return {}
    openings = list(
        await ctx.db.scalars(
            select(ProposalOpening).where(ProposalOpening.challenge_id.in_(allowed))
        )
    )
    public_ids = {UUID(e["coalition_id"]) for o in openings for e in o.entries}
    coalitions = {
        c.public_id: c
        for c in await ctx.db.scalars(
            select(Coalition)
            .options(selectinload(Coalition.members).selectinload(CoalitionMember.organisation))
            .where(Coalition.public_id.in_(public_ids))
        )
    }
    found = {}
    for opening in openings:
        bids = []
        for entry in opening.entries:
            coalition = coalitions[UUID(entry["coalition_id"])]
            bids.append(
                BidSnapshot(
                    bid_id=entry["receipt_number"],
                    submitted_at=datetime.fromisoformat(entry["submitted_at"]),
                    members=_members(coalition),
                    lead_organisation_id=coalition.lead_organisation_id,
                )
            )
        found[opening.challenge_id] = tuple(bids)
    return found


def _award(decision: AwardDecision) -> AwardSnapshot:
    return AwardSnapshot(
        decision_id=decision.id,
        decided_at=decision.decided_at,
        status=decision.status.value,
        suppliers=_members(decision.coalition),
        lead_organisation_id=decision.coalition.lead_organisation_id,
        standstill_ends_at=decision.standstill_ends_at,
        withdrawn_at=decision.withdrawn_at,
        withdraw_reason=decision.withdraw_reason,
    )


async def _accepted(ctx: Context, contract_ids: list[int]) -> dict[int, list[Any]]:
    """The values of the contracts' accepted reports, one row each (with its report's id,
    period and acceptance), grouped by contract, in report order."""
    query = (
        select(
            ResultReport.id.label("report_id"),
            ResultReport.contract_id,
            ResultReport.period,
            ResultReport.decided_at,
            ResultReport.submitted_at,
            ReportValue.contract_indicator_id,
            ReportValue.value,
            ReportValue.people,
        )
        .join(ReportValue, ReportValue.report_id == ResultReport.id)
        .where(
            ResultReport.contract_id.in_(contract_ids),
            ResultReport.status == ReportStatus.accepted,
        )
        .order_by(ResultReport.id, ReportValue.position)
    )
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in await ctx.db.execute(query):
        grouped[row.contract_id].append(row)
    return grouped


async def _own_periods(ctx: Context, contract_ids: list[int]) -> dict[int, list[Any]]:
    """Every contract indicator's own reporting periods, grouped by the indicator's id."""
    table = ReportingPeriodRow.__table__
    query = (
        select(table)
        .join(ContractIndicator, ContractIndicator.id == table.c.contract_indicator_id)
        .where(ContractIndicator.contract_id.in_(contract_ids))
        .order_by(table.c.number)
    )
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in await ctx.db.execute(query):
        grouped[row.contract_indicator_id].append(row)
    return grouped


def _reports(
    contract: Any, indicators: list[Any], own: dict[int, list[Any]], values: list[Any]
) -> tuple[AcceptedReport, ...]:
    """The accepted reports with each value on its indicator's own period, as
    app/results/service.accepted_values places it; counts of people as the public sees them,
    and no value where the count is suppressed (privacy.py: nothing derived from it either)."""
    periods = contract_periods(
        contract.period_start,
        contract.period_end,
        [i.reporting_frequency.value for i in indicators],
    )
    by_id = {i.id: i for i in indicators}
    reports: dict[int, tuple[Any, list[ObservedValue]]] = {}
    for row in values:
        observed = reports.setdefault(row.report_id, (row, []))[1]
        indicator = by_id.get(row.contract_indicator_id)
        if indicator is None or not 1 <= row.period <= len(periods):
            continue
        period = own_period_in(own.get(indicator.id, ()), periods[row.period - 1])
        if period is None:
            continue
        observed.append(
            ObservedValue(
                indicator_position=indicator.position,
                period=period.number,
                start=period.start,
                end=period.end,
                value=None if suppressed(row.people, PUBLIC) else row.value,
                people=shown_count(row.people, PUBLIC),
            )
        )
    return tuple(
        AcceptedReport(
            report_id=report_id,
            period=first.period,
            accepted_at=first.decided_at or first.submitted_at,
            values=tuple(observed),
        )
        for report_id, (first, observed) in reports.items()
    )


def _contract(contract: Any, parties: list[Any], indicators: list[Any], decision_id: int | None):
    lead = next((p for p in parties if p.lead), parties[0])
    return ContractSnapshot(
        contract_id=contract.id,
        reference=contract.reference,
        decision_id=decision_id,
        created_at=contract.created_at,
        value_cents=contract.value_cents,
        period_start=contract.period_start,
        period_end=contract.period_end,
        status=contract.status.value,
        parties=tuple(Party(p.organisation_id, p.name, p.kvk_number) for p in parties),
        lead_organisation_id=lead.organisation_id,
        indicators=tuple(
            ContractIndicatorSnapshot(
                position=i.position,
                name=i.name,
                unit=i.unit,
                baseline_value=i.baseline_value,
                baseline_date=i.baseline_date,
                committed_target=i.committed_target,
            )
            for i in indicators
        ),
    )


async def snapshots(ctx: Context, ids: list[int]) -> list[ProcessSnapshot]:
    """The published challenges among `ids` the caller may read, in id order; a fixed number
    of queries however many there are."""
    if not ids:
        return []
    challenges = list(
        await ctx.db.scalars(
            select(Challenge)
            .options(selectinload(Challenge.organisation))
            .where(Challenge.id.in_(ids), _published(ctx))
            .order_by(Challenge.id)
        )
    )
    ids = [c.id for c in challenges]
    indicators = await _rows(ctx, Indicator, "challenge_id", ids, order=Indicator.position)
    criteria = await _rows(ctx, Criterion, "challenge_id", ids, order=Criterion.position)
    amendments = await _rows(ctx, Amendment, "challenge_id", ids, order=Amendment.number)
    questions = await _rows(
        ctx, Question, "challenge_id", ids, Question.answer.is_not(None), order=Question.number
    )
    decisions: dict[int, list[AwardDecision]] = defaultdict(list)
    for decision in await ctx.db.scalars(
        select(AwardDecision)
        .options(
            selectinload(AwardDecision.coalition)
            .selectinload(Coalition.members)
            .selectinload(CoalitionMember.organisation)
        )
        .where(AwardDecision.challenge_id.in_(ids))
        .order_by(AwardDecision.id)
    ):
        decisions[decision.challenge_id].append(decision)
    contracts = {
        c.challenge_id: c
        for c in await ctx.db.execute(
            select(Contract.__table__).where(Contract.challenge_id.in_(ids))
        )
    }
    contract_ids = [c.id for c in contracts.values()]
    parties = await _rows(
        ctx, ContractParty, "contract_id", contract_ids, order=ContractParty.position
    )
    promised = await _rows(
        ctx, ContractIndicator, "contract_id", contract_ids, order=ContractIndicator.position
    )
    accepted = await _accepted(ctx, contract_ids)
    own = await _own_periods(ctx, contract_ids)
    paid = await _rows(ctx, ContractPayment, "contract_id", contract_ids, order=ContractPayment.id)
    bids = await _bids(ctx, challenges)
    out = []
    for challenge in challenges:
        full = can(ctx.user, Action.award_read, challenge, ctx.now)
        shown = [
            d for d in decisions[challenge.id] if full or d.status == DecisionStatus.contracted
        ]
        contracted = next(
            (d.id for d in decisions[challenge.id] if d.status == DecisionStatus.contracted), None
        )
        contract = contracts.get(challenge.id)
        buyer = _party(challenge.organisation)
        made = None
        implementation: tuple[ImplementationEvent, ...] = ()
        if contract is not None:
            made = _contract(contract, parties[contract.id], promised[contract.id], contracted)
            implementation = implementation_events(
                buyer,
                made,
                _reports(contract, promised[contract.id], own, accepted[contract.id]),
                tuple(
                    PaymentSnapshot(p.id, p.period, p.amount_cents, p.paid_on, p.recorded_at)
                    for p in paid[contract.id]
                ),
            )
        out.append(
            ProcessSnapshot(
                challenge_id=challenge.id,
                title=challenge.title,
                summary=challenge.summary,
                desired_result=challenge.desired_result,
                buyer=buyer,
                status=challenge.status.value,
                published_at=challenge.published_at,
                budget_cents=challenge.budget_cents,
                period_start=challenge.period_start,
                period_end=challenge.period_end,
                question_deadline=challenge.question_deadline,
                submission_deadline=challenge.submission_deadline,
                indicators=tuple(
                    IndicatorSnapshot(
                        position=i.position,
                        name=i.name,
                        unit=i.unit,
                        definition=i.definition,
                        direction=i.direction.value,
                        baseline_value=i.baseline_value,
                        baseline_date=i.baseline_date,
                        target_value=i.target_value,
                    )
                    for i in indicators[challenge.id]
                ),
                criteria=tuple(
                    CriterionSnapshot(c.position, c.name, c.weight, c.kind.value, c.description)
                    for c in criteria[challenge.id]
                ),
                amendments=tuple(
                    AmendmentSnapshot(a.number, a.created_at, a.reason, a.changes)
                    for a in amendments[challenge.id]
                ),
                enquiries=tuple(
                    EnquirySnapshot(q.number, q.asked_at, q.text, q.answer, q.answered_at)
                    for q in questions[challenge.id]
                ),
                bids=bids.get(challenge.id),
                awards=tuple(_award(d) for d in shown),
                contract=made,
                cancelled_at=challenge.cancelled_at,
                cancel_reason=challenge.cancel_reason,
                unsuccessful_at=challenge.unsuccessful_at,
                unsuccessful_reason=challenge.unsuccessful_reason,
                implementation=implementation,
            )
        )
    return out


# --- the feed ----------------------------------------------------------------------------------


@dataclass
class ReleasePage:
    releases: list[dict[str, Any]]
    next: Cursor | None


async def release_page(
    ctx: Context,
    publisher: Publisher,
    *,
    after: Cursor | None = None,
    since: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ReleasePage:
    """Up to `limit` releases after the cursor (dated on or after `since`), and the cursor for
    the next page while there is more (one release beyond the page is looked at, so the last
    page never comes back empty). Challenges are read `limit` at a time."""
    floor = mapping.moment(since) if since else None
    start = after.challenge_id if after else 0
    found: list[tuple[int, dict[str, Any]]] = []
    wanted = limit + 1
    while len(found) < wanted:
        query = select(Challenge.id).where(_published(ctx), Challenge.id >= start)
        if since is not None:
            query = query.where(_changed_since(since, ctx.now))
        ids = list(await ctx.db.scalars(query.order_by(Challenge.id).limit(limit)))
        if not ids:
            break
        for process in await snapshots(ctx, ids):
            for release in mapping.releases(publisher, process):
                if floor and release["date"] < floor:
                    continue
                if after and process.challenge_id == after.challenge_id:
                    if (release["date"], release["id"]) <= (after.date, after.release_id):
                        continue
                found.append((process.challenge_id, release))
                if len(found) == wanted:
                    break
            if len(found) == wanted:
                break
        start = ids[-1] + 1
    page = [release for _, release in found[:limit]]
    if len(found) <= limit:
        return ReleasePage(page, None)
    challenge_id, last = found[limit - 1]
    return ReleasePage(page, Cursor(challenge_id, last["date"], last["id"]))


async def every_release(
    ctx: Context, publisher: Publisher, since: datetime | None = None, batch: int = 200
) -> AsyncIterator[dict[str, Any]]:
    """Every release in the feed's order, `batch` challenges at a time (for the JSON Lines
    download): what one batch loaded is let go before the next, so memory stays flat."""
    floor = mapping.moment(since) if since else None
    start = 0
    while True:
        query = select(Challenge.id).where(_published(ctx), Challenge.id >= start)
        if since is not None:
            query = query.where(_changed_since(since, ctx.now))
        ids = list(await ctx.db.scalars(query.order_by(Challenge.id).limit(batch)))
        if not ids:
            return
        for process in await snapshots(ctx, ids):
            for release in mapping.releases(publisher, process):
                if floor is None or release["date"] >= floor:
                    yield release
        start = ids[-1] + 1
        ctx.db.expunge_all()


def challenge_of(publisher: Publisher, ocid: str) -> int:
    """The challenge id in an ocid of this publisher; anything else is not found."""
    number = ocid.removeprefix(f"{publisher.ocid_prefix}-")
    if number == ocid or not number.isdigit() or len(number) > 10:
        raise NotFound("There is no contracting process with this ocid.")
    return int(number)


@dataclass
class Record:
    ocid: str
    releases: list[dict[str, Any]]
    compiled: dict[str, Any]


async def record(ctx: Context, publisher: Publisher, ocid: str) -> Record:
    """Every release of one process and the compiled release ocdsmerge makes of them."""
    found = await snapshots(ctx, [challenge_of(publisher, ocid)])
    if not found:
        raise NotFound("There is no contracting process with this ocid.")
    releases = mapping.releases(publisher, found[0])
    return Record(ocid, releases, compile_release(releases))
