"""The portfolio of the caller's municipality: every contract with its cost, payments and
expected results per euro (the rule in app/results/portfolio.py), read in a fixed number of SQL
statements however many contracts there are.

What is read, each once, for all the municipality's contracts together: the contracts with their
challenges; their indicators with the outcome value the challenge set; the indicators' reporting
periods; the values of the accepted reports; the payments, summed per contract. Each is one
statement filtered by the municipality (no IN list of ids, which a driver splits into batches).
Filters (theme, target group) and sorting apply to what was read, so the choices offered always
come from the whole portfolio.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import func, select

from app.auth.permissions import Action, assert_can
from app.challenges.models import Challenge, Direction, Frequency, Indicator, Theme
from app.context import Context
from app.contracts.models import Contract, ContractIndicator, ContractStatus, ReportingPeriod
from app.errors import ValidationFailed
from app.evaluation.scores import exact
from app.i18n import Lazy
from app.results.cuts import CutContract
from app.results.models import ContractPayment, ReportStatus, ReportValue, ResultReport
from app.results.portfolio import (
    ContractOutcome,
    PortfolioIndicator,
    Total,
    contract_outcome,
    total,
    totals_by,
)
from app.results.service import report_periods, reported_in, today
from app.results.status import Status, status_of

NO_TARGET_GROUP = "—"  # the label of contracts whose challenge names no target group
STATUSES: tuple[Status, ...] = ("on_track", "at_risk", "off_track", "not_reported")
DEFAULT_SORT, DEFAULT_ORDER = "results_per_euro", "desc"


@dataclass(frozen=True)
class PortfolioRow:
    """One contract in the portfolio."""

    id: int
    reference: str
    title: str
    coalition_name: str
    theme: str | None  # a Theme value
    target_group: str  # the challenge's, or NO_TARGET_GROUP
    status: str  # the contract's: running or completed
    cost_cents: int
    paid_cents: int
    outcome: ContractOutcome
    status_counts: dict[str, int]  # indicators per status (app/results/status.py)

    @property
    def expected_results(self) -> Fraction:
        """In cents of results."""
        return self.outcome.expected_results

    @property
    def results_per_euro(self) -> Fraction | None:
        return self.outcome.results_per_euro

    @property
    def achieved_share(self) -> Fraction | None:
        return self.outcome.achieved_share

    @property
    def estimated(self) -> bool:
        return self.outcome.estimated

    @property
    def name(self) -> str:
        return f"{self.reference} {self.coalition_name}".strip()


@dataclass
class Portfolio:
    """The rows shown (filtered and sorted), their totals, and the choices of the filters."""

    rows: list[PortfolioRow]
    total: Total
    by_theme: tuple[Total, ...]
    by_target_group: tuple[Total, ...]
    themes: tuple[str, ...]  # of the whole portfolio, for the filter
    target_groups: tuple[str, ...]
    theme: str | None = None
    target_group: str | None = None
    sort: str = DEFAULT_SORT
    order: str = DEFAULT_ORDER
    all_contracts: int = 0  # before the filters
    valued: bool = field(default=False)  # some indicator is valued by the municipality

    def cut_contracts(self) -> list[CutContract]:
        """The rows as a cut scenario takes them: budget and expected results in euros."""
        return [
            CutContract(
                id=str(row.id),
                budget_cents=row.cost_cents,
                expected_results=row.expected_results / 100,
                target_groups=(row.target_group,),
                estimated=row.estimated,
                name=row.name,
            )
            for row in self.rows
        ]


def _figure(value: Fraction | None) -> float | None:
    """Exact figures compared as floats: far faster to sort, and any two that differ by
    more than a float can tell apart keep their order (the shown figures have two decimals)."""
    return None if value is None else float(value)


SORT_VALUES: dict[str, Callable[[PortfolioRow], Any]] = {
    "reference": lambda row: row.reference,
    "title": lambda row: row.title.casefold(),
    "coalition": lambda row: row.coalition_name.casefold(),
    "theme": lambda row: row.theme or "",
    "target_group": lambda row: row.target_group.casefold(),
    "cost": lambda row: row.cost_cents,
    "paid": lambda row: row.paid_cents,
    "results": lambda row: _figure(row.expected_results),
    "results_per_euro": lambda row: _figure(row.results_per_euro),
    "achieved_share": lambda row: _figure(row.achieved_share),
}


SORT_KEYS = tuple(SORT_VALUES)


def sort_rows(rows: Sequence[PortfolioRow], key: str, order: str) -> list[PortfolioRow]:
    """Sorted by one column; rows without a figure last either way, equal ones by reference."""
    if key not in SORT_VALUES or order not in ("asc", "desc"):
        raise ValueError(f"unknown sort {key!r} {order!r}")
    value = SORT_VALUES[key]
    keyed = sorted(((value(r), r.reference, r.id, r) for r in rows), key=lambda k: k[1:3])
    present = [(v, r) for v, _ref, _id, r in keyed if v is not None]
    missing = [r for v, _ref, _id, r in keyed if v is None]
    present.sort(key=lambda pair: pair[0], reverse=order == "desc")
    return [r for _v, r in present] + missing


def check_filters(
    themes: Sequence[str], target_groups: Sequence[str], theme: str | None, target_group: str | None
) -> None:
    """An unknown theme or a target group none of the contracts serves: 422, saying which."""
    errors: dict[str, Lazy] = {}
    if theme and theme not in Theme.__members__:
        errors["theme"] = Lazy("Choose one of the themes.")
    if target_group and target_group not in target_groups:
        errors["target_group"] = Lazy("None of the contracts serves this target group.")
    if errors:
        raise ValidationFailed(errors)


def _mine(query, ctx: Context):
    """Limited to the contracts of challenges of the caller's organisation."""
    return query.join(Challenge, Challenge.id == Contract.challenge_id).where(
        Challenge.organisation_id == ctx.user.organisation_id
    )


class _Period(NamedTuple):
    number: int
    end: date


@dataclass
class _Indicator:
    """A contract indicator as plain values (the names of ContractIndicator, so the results'
    period rules read it alike), with the outcome value its challenge set."""

    id: int
    contract_id: int
    direction: Direction
    baseline_value: float | None
    committed_target: float
    reporting_frequency: Frequency
    outcome_value_cents: int | None
    periods: list[_Period] = field(default_factory=list)


@dataclass
class _Contract:
    """A contract as plain values, with what the portfolio shows of its challenge."""

    id: int
    reference: str
    coalition_name: str
    value_cents: int
    status: ContractStatus
    period_start: date
    period_end: date
    title: str
    theme: Theme | None
    target_group: str
    indicators: list[_Indicator] = field(default_factory=list)


async def _contracts(ctx: Context) -> list[_Contract]:
    """The contracts with their challenges, indicators and periods: three statements of plain
    rows (a thousand contracts have tens of thousands of periods: no ORM objects for them)."""
    contracts = [
        _Contract(*row)
        for row in await ctx.db.execute(
            _mine(
                select(
                    Contract.id,
                    Contract.reference,
                    Contract.coalition_name,
                    Contract.value_cents,
                    Contract.status,
                    Contract.period_start,
                    Contract.period_end,
                    Challenge.title,
                    Challenge.theme,
                    Challenge.target_group,
                ),
                ctx,
            ).order_by(Contract.id)
        )
    ]
    indicators = [
        _Indicator(*row)
        for row in await ctx.db.execute(
            _mine(
                select(
                    ContractIndicator.id,
                    ContractIndicator.contract_id,
                    ContractIndicator.direction,
                    ContractIndicator.baseline_value,
                    ContractIndicator.committed_target,
                    ContractIndicator.reporting_frequency,
                    Indicator.outcome_value_cents,
                )
                .join(Contract, Contract.id == ContractIndicator.contract_id)
                .join(Indicator, Indicator.id == ContractIndicator.indicator_id),
                ctx,
            ).order_by(ContractIndicator.contract_id, ContractIndicator.position)
        )
    ]
    periods = await ctx.db.execute(
        _mine(
            select(
                ReportingPeriod.contract_indicator_id, ReportingPeriod.number, ReportingPeriod.end
            )
            .join(ContractIndicator, ContractIndicator.id == ReportingPeriod.contract_indicator_id)
            .join(Contract, Contract.id == ContractIndicator.contract_id),
            ctx,
        ).order_by(ReportingPeriod.contract_indicator_id, ReportingPeriod.number)
    )
    by_id = {indicator.id: indicator for indicator in indicators}
    for indicator_id, number, end in periods:
        by_id[indicator_id].periods.append(_Period(number, end))
    by_contract = {contract.id: contract for contract in contracts}
    for indicator in indicators:
        by_contract[indicator.contract_id].indicators.append(indicator)
    return contracts


async def _accepted(ctx: Context) -> dict[int, list[tuple[int, int, float]]]:
    """Per contract: (reporting period, contract indicator id, value) of every accepted report."""
    rows = (
        await ctx.db.execute(
            _mine(
                select(
                    ResultReport.contract_id,
                    ResultReport.period,
                    ReportValue.contract_indicator_id,
                    ReportValue.value,
                )
                .join(ReportValue, ReportValue.report_id == ResultReport.id)
                .join(Contract, Contract.id == ResultReport.contract_id),
                ctx,
            ).where(ResultReport.status == ReportStatus.accepted)
        )
    ).all()
    found: dict[int, list[tuple[int, int, float]]] = {}
    for contract_id, period, indicator_id, value in rows:
        found.setdefault(contract_id, []).append((period, indicator_id, value))
    return found


async def _paid(ctx: Context) -> dict[int, int]:
    rows = (
        await ctx.db.execute(
            _mine(
                select(ContractPayment.contract_id, func.sum(ContractPayment.amount_cents))
                .join(Contract, Contract.id == ContractPayment.contract_id)
                .group_by(ContractPayment.contract_id),
                ctx,
            )
        )
    ).all()
    return {contract_id: int(paid or 0) for contract_id, paid in rows}


def _exact(value: float | None) -> int | Fraction | None:
    """A stored figure as an exact number once (a whole one as an int), not at every use."""
    if value is None:
        return None
    return int(value) if value.is_integer() else exact(value)


@lru_cache(maxsize=256)
def _periods_of(start: date, end: date, frequencies: tuple[Frequency, ...]):
    """Contracts of the same period and frequencies share their reporting periods."""
    return report_periods(
        SimpleNamespace(  # type: ignore[arg-type]  # read for these three names only
            period_start=start,
            period_end=end,
            indicators=[SimpleNamespace(reporting_frequency=f) for f in frequencies],
        )
    )


def _report_periods(contract: _Contract):
    frequencies = tuple(i.reporting_frequency for i in contract.indicators)
    return _periods_of(contract.period_start, contract.period_end, frequencies)


def _latest(contract: _Contract, accepted: Sequence[tuple[int, int, float]]) -> dict[int, float]:
    """Per contract indicator id: the value accepted for its latest own period (as the results
    and payments read them: a report's period holds the indicator's period that ends in it)."""
    periods = _report_periods(contract)
    indicators = {i.id: i for i in contract.indicators}
    newest: dict[int, tuple[int, float]] = {}
    for number, indicator_id, value in accepted:
        indicator = indicators.get(indicator_id)
        if indicator is None or not 1 <= number <= len(periods):
            continue
        own = reported_in(indicator, periods[number - 1])  # type: ignore[arg-type]
        if own is not None and (indicator_id not in newest or own > newest[indicator_id][0]):
            newest[indicator_id] = (own, value)
    return {key: value for key, (_own, value) in newest.items()}


def row_of(
    contract: _Contract,
    accepted: Sequence[tuple[int, int, float]],
    paid_cents: int,
    day: date,
) -> PortfolioRow:
    latest = _latest(contract, accepted)
    indicators, counts = [], dict.fromkeys(STATUSES, 0)
    for indicator in contract.indicators:
        total_periods = len(indicator.periods)
        ended = sum(1 for p in indicator.periods if p.end < day)
        value = _exact(latest.get(indicator.id))
        baseline, target = _exact(indicator.baseline_value), _exact(indicator.committed_target)
        indicators.append(
            PortfolioIndicator(
                key=indicator.id,
                direction=indicator.direction.value,
                baseline=baseline,
                target=target,
                outcome_value_cents=indicator.outcome_value_cents,
                latest=value,
                periods_ended=ended,
                periods_total=max(total_periods, 1),
            )
        )
        status = status_of(
            indicator.direction.value,
            baseline,
            target,
            ended,
            max(total_periods, 1),
            value,
        )
        counts[status] += 1
    return PortfolioRow(
        id=contract.id,
        reference=contract.reference,
        title=contract.title,
        coalition_name=contract.coalition_name,
        theme=contract.theme.value if contract.theme else None,
        target_group=(contract.target_group or "").strip() or NO_TARGET_GROUP,
        status=contract.status.value,
        cost_cents=contract.value_cents,
        paid_cents=paid_cents,
        outcome=contract_outcome(contract.value_cents, indicators),
        status_counts=counts,
    )


async def load_portfolio(
    ctx: Context,
    *,
    theme: str | None = None,
    target_group: str | None = None,
    sort: str = DEFAULT_SORT,
    order: str = DEFAULT_ORDER,
) -> Portfolio:
    """The caller's municipality's contracts with their results per euro, filtered and sorted;
    for its policy officers, auditors and admins."""
    assert_can(ctx.user, Action.portfolio_read)
    if sort not in SORT_VALUES or order not in ("asc", "desc"):
        raise ValidationFailed({"sort": Lazy("Choose one of the columns to sort by.")})
    contracts = await _contracts(ctx)
    accepted = await _accepted(ctx)
    paid = await _paid(ctx)
    day = today(ctx)
    every = [row_of(c, accepted.get(c.id, ()), paid.get(c.id, 0), day) for c in contracts]
    themes = tuple(sorted({r.theme for r in every if r.theme}))
    target_groups = tuple(sorted({r.target_group for r in every}, key=str.casefold))
    check_filters(themes, target_groups, theme, target_group)
    rows = [
        r
        for r in every
        if (not theme or r.theme == theme) and (not target_group or r.target_group == target_group)
    ]
    return Portfolio(
        rows=sort_rows(rows, sort, order),
        total=total(r.outcome for r in rows),
        by_theme=totals_by((r.theme or "", r.outcome) for r in rows),
        by_target_group=totals_by((r.target_group, r.outcome) for r in rows),
        themes=themes,
        target_groups=target_groups,
        theme=theme or None,
        target_group=target_group or None,
        sort=sort,
        order=order,
        all_contracts=len(every),
        valued=any(i.basis == "valued" for r in rows for i in r.outcome.indicators),
    )
