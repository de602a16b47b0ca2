"""Accepted results across the portfolio, for the programs of auditors (scope results:read).

One row per contract × indicator × reporting period that has an accepted value: the official
results, never a draft, a version under review or a queried one. The period is the indicator's
own (as on the contract's results page): a report on the contract's period p holds the value of
every indicator whose own period ends within p (app/results/service.reported_in), so the rows are
made in SQL the same way, joining the contract's report periods (those of its most frequent
indicator) to the indicator's own. One statement per page whatever the number of contracts, plus
one to find a municipality named by its slug; paged by a keyset cursor on (contract, indicator
position, period), in that order.

Filters: the municipality that owns the contract (its id, or the slug of its name), the period
(its end on or after `start`, on or before `end`: consecutive windows never count a period
twice), the challenge's theme, and the indicator (its id, or its name, case aside).
Small counts: fewer than 5 people read "<5" unless the client was registered by the
municipality that owns the contract (app/auth/permissions.reads_exact_counts).
"""

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from app.api_clients.models import ApiClient
from app.auth.permissions import readable_challenges, reads_exact_counts
from app.challenges.models import Challenge, Theme
from app.context import Context
from app.contracts.models import Contract, ContractIndicator, ReportingPeriod
from app.contracts.periods import MONTHS
from app.db import MAX_INT
from app.errors import ValidationFailed
from app.i18n import Lazy
from app.organisations.models import Organisation, OrganisationKind
from app.results.models import ReportStatus, ReportValue, ResultReport
from app.results.privacy import shown_count, suppressed

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_NUMBER = re.compile(r"[0-9]{1,10}")


def slug(name: str) -> str:
    """A name as it reads in a URL: "Gemeente 's-Hertogenbosch" is "gemeente-s-hertogenbosch"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


@dataclass(frozen=True)
class Cursor:
    """The last row served: its contract, the indicator's position in it, and the period."""

    contract_id: int
    position: int
    period: int

    def encode(self) -> str:
        raw = json.dumps([self.contract_id, self.position, self.period], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            if not (
                isinstance(values, list)
                and len(values) == 3
                and all(type(v) is int and 0 <= v < 2**31 for v in values)
            ):
                raise ValueError
            return cls(*values)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed(
                {"cursor": Lazy("Not a cursor from this feed.")},
                "This cursor is not one this feed gave out: start again without it.",
            ) from None


@dataclass(frozen=True)
class ResultsFilter:
    municipality: str | None = None
    start: date | None = None
    end: date | None = None
    theme: Theme | None = None
    indicator: str | None = None


@dataclass(frozen=True)
class ResultRow:
    contract_id: int
    contract_reference: str
    challenge_id: int
    challenge_title: str
    theme: str | None
    municipality_id: int
    municipality: str
    indicator_id: int
    indicator: str
    unit: str
    period: int
    start: date
    end: date
    value: float | None  # None where the count reads "<5": a value about so few is withheld
    people: int | None  # None where it reads "<5"
    people_shown: str
    report_id: int
    report_version: int
    accepted_at: datetime | None

    @property
    def municipality_slug(self) -> str:
        return slug(self.municipality)


@dataclass(frozen=True)
class ResultsPage:
    rows: list[ResultRow]
    next: Cursor | None


def _as_id(text: str) -> int | None:
    """A whole number names a row by its id (0 where it is too large to name any); else None."""
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_INT else 0


async def _municipality(ctx: Context, named: str) -> int:
    """The id of the municipality named by its id or the slug of its name; else 422."""
    text = named.strip()
    query = select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrganisationKind.municipality
    )
    number = _as_id(text)
    if number is not None:
        found = list(
            await ctx.db.scalars(
                query.with_only_columns(Organisation.id).where(Organisation.id == number)
            )
        )
    else:
        wanted = slug(text)
        found = [row.id for row in await ctx.db.execute(query) if slug(row.name) == wanted]
    if len(found) > 1:
        raise ValidationFailed(
            {
                "municipality": Lazy(
                    "Several municipalities read as %(name)s; use the id.", name=text
                )
            }
        )
    if not found:
        raise ValidationFailed(
            {"municipality": Lazy("No municipality has the id or name (slug) %(name)s.", name=text)}
        )
    return found[0]


def _own_periods():
    """(report period, own period) aliases and the join that puts a value in its own period."""
    months = case(MONTHS, value=ContractIndicator.reporting_frequency)
    fastest = (
        select(ContractIndicator.contract_id.label("contract_id"), func.min(months).label("months"))
        .group_by(ContractIndicator.contract_id)
        .subquery("fastest")
    )
    candidate = aliased(ContractIndicator, name="candidate")
    pacer = (
        select(
            candidate.contract_id.label("contract_id"), func.min(candidate.id).label("indicator")
        )
        .join(
            fastest,
            and_(
                fastest.c.contract_id == candidate.contract_id,
                case(MONTHS, value=candidate.reporting_frequency) == fastest.c.months,
            ),
        )
        .group_by(candidate.contract_id)
        .subquery("pacer")
    )
    return (
        pacer,
        aliased(ReportingPeriod, name="report_period"),
        aliased(ReportingPeriod, name="own"),
    )


async def results_page(
    ctx: Context,
    client: ApiClient,
    f: ResultsFilter,
    after: Cursor | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ResultsPage:
    """Up to `limit` rows after the cursor, and the cursor of the next page if there is one."""
    pacer, report_period, own = _own_periods()
    query = (
        select(
            Contract.id.label("contract_id"),
            Contract.reference,
            Challenge.id.label("challenge_id"),
            Challenge.title,
            Challenge.theme,
            Organisation.id.label("municipality_id"),
            Organisation.name.label("municipality"),
            ContractIndicator.indicator_id,
            ContractIndicator.name.label("indicator"),
            ContractIndicator.unit,
            ContractIndicator.position,
            own.number.label("period"),
            own.start,
            own.end,
            ReportValue.value,
            ReportValue.people,
            ResultReport.id.label("report_id"),
            ResultReport.version,
            ResultReport.decided_at,
        )
        .select_from(ReportValue)
        .join(ResultReport, ResultReport.id == ReportValue.report_id)
        .join(ContractIndicator, ContractIndicator.id == ReportValue.contract_indicator_id)
        .join(
            Contract,
            and_(
                Contract.id == ResultReport.contract_id,
                Contract.id == ContractIndicator.contract_id,
            ),
        )
        .join(Challenge, Challenge.id == Contract.challenge_id)
        .join(Organisation, Organisation.id == Challenge.organisation_id)
        .join(pacer, pacer.c.contract_id == Contract.id)
        .join(
            report_period,
            and_(
                report_period.contract_indicator_id == pacer.c.indicator,
                report_period.number == ResultReport.period,
            ),
        )
        .join(
            own,
            and_(
                own.contract_indicator_id == ContractIndicator.id,
                own.end >= report_period.start,
                own.end <= report_period.end,
            ),
        )
        .where(ResultReport.status == ReportStatus.accepted, readable_challenges(None))
    )
    if f.municipality is not None:
        query = query.where(Challenge.organisation_id == await _municipality(ctx, f.municipality))
    if f.theme is not None:
        query = query.where(Challenge.theme == f.theme)
    if f.indicator is not None:
        wanted = f.indicator.strip()
        number = _as_id(wanted)
        if number is not None:
            query = query.where(ContractIndicator.indicator_id == number)
        else:
            query = query.where(func.lower(ContractIndicator.name) == wanted.lower())
    if f.start is not None:
        query = query.where(own.end >= f.start)
    if f.end is not None:
        query = query.where(own.end <= f.end)
    if after is not None:
        query = query.where(
            or_(
                Contract.id > after.contract_id,
                and_(
                    Contract.id == after.contract_id,
                    or_(
                        ContractIndicator.position > after.position,
                        and_(
                            ContractIndicator.position == after.position,
                            own.number > after.period,
                        ),
                    ),
                ),
            )
        )
    query = query.order_by(Contract.id, ContractIndicator.position, own.number).limit(limit + 1)
    found = (await ctx.db.execute(query)).all()
    rows = [_row(client, r) for r in found[:limit]]
    more = len(found) > limit
    last = found[limit - 1] if more else None
    cursor = Cursor(last.contract_id, last.position, last.period) if last is not None else None
    return ResultsPage(rows, cursor)


def _row(client: ApiClient, r) -> ResultRow:
    reader = "auditor" if reads_exact_counts(client, r.municipality_id) else "public"
    return ResultRow(
        contract_id=r.contract_id,
        contract_reference=r.reference,
        challenge_id=r.challenge_id,
        challenge_title=r.title,
        theme=r.theme.value if r.theme is not None else None,
        municipality_id=r.municipality_id,
        municipality=r.municipality,
        indicator_id=r.indicator_id,
        indicator=r.indicator,
        unit=r.unit,
        period=r.period,
        start=r.start,
        end=r.end,
        value=None if suppressed(r.people, reader) else r.value,
        people=None if suppressed(r.people, reader) else r.people,
        people_shown=shown_count(r.people, reader),
        report_id=r.report_id,
        report_version=r.version,
        accepted_at=r.decided_at,
    )
