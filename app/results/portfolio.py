"""The portfolio: what each contract of a municipality is expected to achieve, per euro it costs.

The rule, in plain words (PORTFOLIO_RULE says it to readers):
- Per indicator, its performance is what its latest accepted value achieved of the improvement
  expected by now, kept between 0 and 1: `achieved_share` of app/results/payment.py, the same
  measure the results-based payment uses.
- An indicator with no accepted value yet, or none of whose periods has ended, is estimated at
  its committed target (performance 1), and its contract is marked estimated ("estimated from
  the committed targets").
- What an indicator's full committed improvement is worth: where the municipality set an outcome
  value per indicator unit, the indicator has a baseline and its committed improvement is above
  zero, the committed improvement × the outcome value ("valued by the municipality"). Otherwise
  the contract's value is shared equally over its indicators without such an outcome value ("at
  contract price": committed targets are taken to be worth what they cost).
- The expected results of a contract, in euros of results, are the sum over its indicators of
  performance × worth; results per euro are the expected results / the contract's value. A
  contract without indicators has nothing to measure: it is estimated at its contract price.
- The achieved share of committed targets that the table shows is the average performance of
  the indicators that have an accepted value for a period that has ended (none: not shown).
- Totals add costs and expected results up, overall and per theme and per target group; their
  results per euro are total expected results / total cost.
Everything is exact (fractions of cents); figures are rounded once, to two decimals, when shown.

Worked example (tests/results/test_portfolio.py): a contract of € 100,000 with two indicators,
half of its periods ended. People in work (increase, baseline 40, committed 60) has an outcome
value of € 2,000 per person: its 20 people are worth € 40,000; 46 people accepted is 6 of the 10
expected by now, performance 3/5, € 24,000. Days to a debt plan (decrease, 120 to 80) has no
outcome value: it is worth the contract's € 100,000 at contract price; 100 days accepted is the
20 days expected, performance 1, € 100,000. Expected results € 124,000, results per euro 1.24;
the achieved share is (3/5 + 1) / 2 = 80 %. Had the days not been accepted yet, the contract would
be estimated, with the same € 124,000.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Literal

from app.evaluation.scores import Key, Number, rounded
from app.i18n import Lazy
from app.results.cuts import exact_sum
from app.results.payment import Direction, PaidIndicator, achieved_share, improvement

Basis = Literal["valued", "at_price"]

PORTFOLIO_RULE = Lazy(
    "Per indicator, performance is what its latest accepted value achieved of the improvement "
    "expected by now (as for the results-based payment), between 0 and 100%. An indicator without "
    "an accepted value yet, or none of whose periods has ended, is estimated at its committed "
    "target (100%), and the contract is marked as estimated from the committed targets. Where the "
    "municipality set an outcome value per unit, an indicator's committed improvement is worth "
    "that improvement × the outcome value (valued by the municipality); otherwise the contract's "
    "value is shared equally over its other indicators (at contract price: committed targets are "
    "taken to be worth what they cost). Expected results are the sum of performance × worth; "
    "results per euro are the expected results divided by the contract's value. The achieved "
    "share of committed targets is the average performance of the indicators with an accepted "
    "value."
)
BASIS_LABELS: dict[Basis, Lazy] = {
    "valued": Lazy("valued by the municipality"),
    "at_price": Lazy("at contract price"),
}
ESTIMATED = Lazy("estimated from the committed targets")


@dataclass(frozen=True)
class PortfolioIndicator:
    """One indicator of a contract as the portfolio sees it."""

    key: Key
    direction: Direction
    baseline: Number | None
    target: Number  # the committed target
    outcome_value_cents: int | None  # per indicator unit, as the municipality set it
    latest: Number | None  # the latest accepted value; None: none accepted yet
    periods_ended: int
    periods_total: int

    @cached_property
    def committed_improvement(self) -> Fraction:
        if self.baseline is None:
            return Fraction(0)
        return improvement(self.direction, self.baseline, self.target)

    @property
    def valued(self) -> bool:
        """Valued by the municipality: an outcome value, a baseline and a real improvement."""
        return self.outcome_value_cents is not None and self.committed_improvement > 0

    @property
    def measured(self) -> bool:
        """Its performance comes from an accepted value, not from the committed target."""
        return self.latest is not None and self.periods_ended > 0


@dataclass(frozen=True)
class IndicatorOutcome:
    key: Key
    basis: Basis
    worth: Fraction  # cents: what its full committed improvement is worth
    performance: Fraction  # 0..1
    measured: bool  # False: estimated at the committed target

    @property
    def expected_results(self) -> Fraction:
        return self.performance * self.worth


@dataclass(frozen=True)
class ContractOutcome:
    value_cents: int
    indicators: tuple[IndicatorOutcome, ...]
    expected_results: Fraction  # cents of results

    @property
    def estimated(self) -> bool:
        """Some of it is estimated from the committed targets (or nothing is measured at all)."""
        return not self.indicators or any(not i.measured for i in self.indicators)

    @property
    def results_per_euro(self) -> Fraction | None:
        return self.expected_results / self.value_cents if self.value_cents else None

    @property
    def achieved_share(self) -> Fraction | None:
        """The average performance of the indicators measured by an accepted value."""
        measured = [i.performance for i in self.indicators if i.measured]
        return sum(measured, Fraction(0)) / len(measured) if measured else None

    @property
    def bases(self) -> tuple[Basis, ...]:
        """How its indicators are valued, each basis once, valued first."""
        found = {i.basis for i in self.indicators} or {"at_price"}
        return tuple(b for b in ("valued", "at_price") if b in found)


def performance(indicator: PortfolioIndicator) -> Fraction:
    """What the latest accepted value achieved of the improvement expected by now, 0..1; the
    committed target (1) while nothing is measured."""
    if not indicator.measured:
        return Fraction(1)
    paid = PaidIndicator(
        key=indicator.key,
        direction=indicator.direction,
        baseline=indicator.baseline,
        target=indicator.target,
    )
    return achieved_share(paid, indicator.latest, indicator.periods_ended, indicator.periods_total)


def contract_outcome(value_cents: int, indicators: Sequence[PortfolioIndicator]) -> ContractOutcome:
    """Expected results of one contract (see the rule)."""
    if isinstance(value_cents, bool) or not isinstance(value_cents, int) or value_cents < 0:
        raise ValueError(f"a contract's value is whole cents, not negative: {value_cents!r}")
    if not indicators:
        return ContractOutcome(value_cents, (), Fraction(value_cents))
    at_price = sum(1 for i in indicators if not i.valued)
    share = Fraction(value_cents, at_price) if at_price else Fraction(0)
    outcomes = []
    for indicator in indicators:
        if indicator.valued:
            if indicator.outcome_value_cents < 0:
                raise ValueError("an outcome value cannot be negative")
            worth = indicator.committed_improvement * indicator.outcome_value_cents
            basis: Basis = "valued"
        else:
            worth, basis = share, "at_price"
        outcomes.append(
            IndicatorOutcome(
                indicator.key, basis, Fraction(worth), performance(indicator), indicator.measured
            )
        )
    expected = exact_sum(o.expected_results for o in outcomes)
    return ContractOutcome(value_cents, tuple(outcomes), expected)


@dataclass(frozen=True)
class Total:
    """Cost and expected results of a group of contracts (the whole portfolio, a theme, a
    target group)."""

    label: str
    contracts: int
    estimated: int  # how many of them are estimated
    cost_cents: int
    expected_results: Fraction  # cents of results

    @property
    def results_per_euro(self) -> Fraction | None:
        return self.expected_results / self.cost_cents if self.cost_cents else None


def total(outcomes: Iterable[ContractOutcome], label: str = "") -> Total:
    found = list(outcomes)
    return Total(
        label=label,
        contracts=len(found),
        estimated=sum(1 for o in found if o.estimated),
        cost_cents=sum(o.value_cents for o in found),
        expected_results=exact_sum(o.expected_results for o in found),
    )


def totals_by(keyed: Iterable[tuple[str, ContractOutcome]]) -> tuple[Total, ...]:
    """One total per key (a theme, a target group), in the order of the keys."""
    groups: dict[str, list[ContractOutcome]] = {}
    for key, outcome in keyed:
        groups.setdefault(key, []).append(outcome)
    return tuple(total(groups[key], key) for key in sorted(groups))


def shown(value: Fraction | None, scale: int = 1) -> Decimal | None:
    """A figure as shown (× 100 for a percentage), rounded once to two decimals."""
    return None if value is None else rounded(value * scale)


def whole_cents(cents: Fraction | int) -> int:
    """Cents of results as whole cents, halves up: for money shown or exported."""
    return math.floor(Fraction(cents) + Fraction(1, 2))


def euros(cents: Fraction | int) -> Decimal:
    """Cents of results as euros, rounded once to the cent."""
    return rounded(Fraction(cents) / 100)
