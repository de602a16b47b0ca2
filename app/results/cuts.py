"""Cut scenarios: the flat cut (the "kaasschaaf") and the results-based cut, side by side.

The model, in plain words (every scenario carries it as its assumptions):
- Linear effect of money on results: a contract with budget B and expected results R loses
  R × x / B of its results when it loses x cents, so R / B is what it achieves per cent.
- Protections: a contract marked protected, or serving a protected target group, loses nothing;
  a contract with a floor keeps at least its floor. What a contract can lose is its budget minus
  its floor, or nothing when it is protected.
- The saving is an amount in whole cents, or a percentage of the total budget of every contract
  in the scenario (protected ones included), rounded once to whole cents, halves up.
- The flat cut takes the same percentage of every contract that can lose something; a contract
  that would fall below its floor stops at its floor, and the rest is spread over the others at a
  higher common percentage.
- The results-based cut takes the saving first from the contracts that lose the fewest expected
  results per euro, each down to its floor before the next is touched; contracts with equal
  results per euro share their part in proportion to what they can lose. Under the linear model no
  other division of the same saving loses fewer results, so it never loses more than the flat cut.
- Whole cents: exact amounts are rounded down, then the cents left over go one each to the
  largest remainders (the lowest contract id first on equal remainders), so the cuts add up to
  the saving exactly and never cross a floor.
- When protections and floors leave less to cut than the saving, both cuts take all they can
  and the scenario says by how much it falls short.
- A contract serving several target groups counts for an equal share in each (in whole cents as
  above, the groups in alphabetical order), so the group totals add up to the portfolio's.
- Results lost are exact; they are rounded once, to two decimals, when shown.
Input order never matters: contracts are handled in the order of their ids.

Worked example (tests/results/test_cuts.py): save € 60,000 on A (€ 100,000, 50 results),
B (€ 200,000, 400 results), C (€ 100,000, 20 results, floor € 60,000) and D (protected). The flat
cut takes 15 % of A, B and C and loses 7.5 + 60 + 3 = 70.5 results. Per euro C loses least
(0.0002), then A (0.0005), then B (0.002): the results-based cut takes € 40,000 from C (down to
its floor, 8 results) and € 20,000 from A (10 results), and loses 18.
"""

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.contracts.payments import split_cents
from app.evaluation.scores import Figure, Number, exact, rounded
from app.i18n import Lazy
from app.results.amounts import Euros

Strategy = Literal["flat", "results"]


class BadScenario(ValueError):
    """A scenario that cannot be computed; the message is a Lazy text for the user."""


@dataclass(frozen=True)
class CutContract:
    """A contract as a scenario sees it: budget, expected results, target groups, protections."""

    id: str
    budget_cents: int
    expected_results: Number  # over the whole budget, in the scenario's one unit
    target_groups: tuple[str, ...]
    protected: bool = False
    floor_cents: int = 0
    estimated: bool = False  # not yet accepted: estimated from the committed targets
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Saving:
    """The saving to make: whole cents, or a percentage of the scenario's total budget."""

    amount_cents: int | None = None
    percentage: Decimal | None = None

    @classmethod
    def of_amount(cls, cents: int) -> "Saving":
        return cls(amount_cents=cents)

    @classmethod
    def of_percentage(cls, percentage: Number) -> "Saving":
        return cls(percentage=Decimal(str(percentage)))

    def cents(self, total_budget_cents: int) -> int:
        """The saving in whole cents; refuses what no scenario can take."""
        if (self.amount_cents is None) == (self.percentage is None):
            raise BadScenario(Lazy("Give the saving as an amount or as a percentage."))
        if self.percentage is not None:
            share = exact(self.percentage)
            if not 0 <= share <= 100:
                raise BadScenario(Lazy("A percentage lies between 0 and 100."))
            return math.floor(Fraction(total_budget_cents) * share / 100 + Fraction(1, 2))
        amount = self.amount_cents
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise BadScenario(Lazy("The saving must be an amount in whole cents."))
        if amount < 0:
            raise BadScenario(Lazy("A saving cannot be negative."))
        if amount > total_budget_cents:
            raise BadScenario(
                Lazy(
                    "The saving of %(saving)s is larger than the total budget of %(total)s.",
                    saving=Euros(amount),
                    total=Euros(total_budget_cents),
                )
            )
        return amount


@dataclass(frozen=True)
class ContractCut:
    contract: str
    name: str
    target_groups: tuple[str, ...]
    before_cents: int
    cut_cents: int
    can_lose_cents: int  # budget minus floor; 0 when protected
    protected: bool
    protected_by_groups: tuple[str, ...]  # the protected target groups it serves
    floor_cents: int
    estimated: bool
    results_before: Fraction
    results_lost: Fraction  # exact; see `results_lost_shown`

    @property
    def after_cents(self) -> int:
        return self.before_cents - self.cut_cents

    @property
    def at_floor(self) -> bool:
        """Cut as far as its floor allows (a floor of 0: the whole budget)."""
        return (
            not self.protected and self.before_cents > 0 and self.cut_cents == self.can_lose_cents
        )

    @property
    def results_lost_shown(self) -> Decimal:
        return rounded(self.results_lost)

    @property
    def results_per_euro(self) -> Decimal:
        """Expected results per euro of budget, as shown (two decimals)."""
        return (
            rounded(self.results_before * 100 / self.before_cents)
            if self.before_cents
            else (Decimal("0.00"))
        )


@dataclass(frozen=True)
class GroupCut:
    group: str
    protected: bool
    before_cents: int
    cut_cents: int
    results_before: Fraction
    results_lost: Fraction

    @property
    def after_cents(self) -> int:
        return self.before_cents - self.cut_cents

    @property
    def results_lost_shown(self) -> Decimal:
        return rounded(self.results_lost)


@dataclass(frozen=True)
class Cut:
    """One way to take the saving: per contract and per target group, before and after."""

    strategy: Strategy
    saving_cents: int  # asked
    cut_cents: int  # reached
    short_cents: int  # what the protections and floors leave out of reach
    contracts: tuple[ContractCut, ...]  # in the order of their ids
    groups: tuple[GroupCut, ...]  # in alphabetical order
    results_before: Fraction
    results_lost: Fraction
    rule: Lazy
    percentage: Decimal | None = None  # the flat cut's common percentage, as shown

    @property
    def results_lost_shown(self) -> Decimal:
        return rounded(self.results_lost)

    @property
    def shortfall(self) -> Lazy | None:
        if not self.short_cents:
            return None
        return Lazy(
            "Cannot reach the saving within the protections and floors: short by %(short)s.",
            short=Euros(self.short_cents),
        )


@dataclass(frozen=True)
class Scenario:
    saving_cents: int
    total_budget_cents: int
    unit: str
    flat: Cut
    results: Cut
    assumptions: tuple[Lazy, ...]

    @property
    def results_kept(self) -> Fraction:
        """How many more expected results the results-based cut keeps than the flat cut."""
        return self.flat.results_lost - self.results.results_lost


FLAT_RULE = Lazy(
    "The flat cut takes the same percentage of every contract that can lose something; a "
    "contract that would fall below its floor keeps its floor, and the rest is spread over the "
    "others."
)
RESULTS_RULE = Lazy(
    "The results-based cut takes the saving first where the fewest expected results are lost per "
    "euro, each contract down to its floor before the next is touched; contracts with equal "
    "results per euro share their part in proportion to what they can lose."
)


@dataclass(frozen=True)
class _Item:
    contract: CutContract
    results: Fraction | int
    protected_by_groups: tuple[str, ...]
    can_lose: int
    rate: Fraction  # expected results lost per cent cut

    @property
    def id(self) -> str:
        return self.contract.id

    @property
    def budget(self) -> int:
        return self.contract.budget_cents


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _prepare(contracts: Iterable[CutContract], protected_groups: Collection[str]) -> list[_Item]:
    """The contracts checked and in the order of their ids, each with what it can lose."""
    items: list[_Item] = []
    seen: set[str] = set()
    protected = set(protected_groups)
    given = list(contracts)
    for contract in given:
        if not isinstance(contract.id, str) or not contract.id:
            raise ValueError(f"a contract's id is a non-empty string, not {contract.id!r}")
    for contract in sorted(given, key=lambda c: c.id):
        label = contract.label
        if contract.id in seen:
            raise BadScenario(Lazy("Two contracts have the same id: %(id)s.", id=contract.id))
        seen.add(contract.id)
        if not _whole(contract.budget_cents) or contract.budget_cents < 0:
            raise BadScenario(
                Lazy(
                    "The budget of %(contract)s must be whole cents, not negative.", contract=label
                )
            )
        if not _whole(contract.floor_cents) or not 0 <= contract.floor_cents <= (
            contract.budget_cents
        ):
            raise BadScenario(
                Lazy(
                    "The floor of %(contract)s must lie between 0 and its budget of %(budget)s.",
                    contract=label,
                    budget=Euros(contract.budget_cents),
                )
            )
        if not contract.target_groups:
            raise BadScenario(Lazy("%(contract)s serves no target group.", contract=label))
        try:
            results = exact(contract.expected_results)
        except ValueError as error:
            raise BadScenario(
                Lazy("The expected results of %(contract)s are not a number.", contract=label)
            ) from error
        if results < 0:
            raise BadScenario(
                Lazy("The expected results of %(contract)s cannot be negative.", contract=label)
            )
        by_groups = tuple(sorted(set(contract.target_groups) & protected))
        is_protected = contract.protected or bool(by_groups)
        can_lose = 0 if is_protected else contract.budget_cents - contract.floor_cents
        budget = contract.budget_cents
        rate = Fraction(results, budget) if budget else Fraction(0)
        items.append(_Item(contract, results, by_groups, can_lose, rate))
    return items


def _flat(items: Sequence[_Item], target: int) -> tuple[list[int], Fraction]:
    """The same share of every budget, floors respected: the cuts and the common share."""
    active = [item for item in items if item.can_lose > 0]
    if target == 0 or not active:
        return [0] * len(items), Fraction(0)
    numerator, denominator = 0, 1  # the common share
    capped = 0
    rest_budget = sum(item.budget for item in active)
    # The contracts that reach their floor at the lowest share come first.
    for item in sorted(active, key=lambda item: (Fraction(item.can_lose, item.budget), item.id)):
        numerator, denominator = target - capped, rest_budget
        if numerator * item.budget <= item.can_lose * denominator:
            break
        capped += item.can_lose
        rest_budget -= item.budget
    # Exact amounts are share × budget (or all a contract can lose); in whole cents: each rounded
    # down, then a cent more for the largest remainders (all over the same denominator).
    cuts, remainders = [], []
    for item in items:
        whole, rest = divmod(numerator * item.budget, denominator)
        if whole >= item.can_lose:
            whole, rest = item.can_lose, 0
        cuts.append(whole)
        remainders.append(rest)
    left = target - sum(cuts)
    order = sorted(range(len(items)), key=lambda i: (-remainders[i], items[i].id))
    for index in order[:left]:
        cuts[index] += 1
    return cuts, Fraction(numerator, denominator)


def _by_results(items: Sequence[_Item], target: int) -> list[int]:
    """The saving taken where the fewest results are lost per euro, ties in proportion."""
    cuts = dict.fromkeys(range(len(items)), 0)
    tiers: dict[Fraction, list[int]] = {}
    for index, item in enumerate(items):
        if item.can_lose > 0:
            tiers.setdefault(item.rate, []).append(index)
    remaining = target
    for rate in sorted(tiers):
        if remaining == 0:
            break
        tier = tiers[rate]  # in the order of the ids
        room = sum(items[i].can_lose for i in tier)
        if room <= remaining:
            for i in tier:
                cuts[i] = items[i].can_lose
            remaining -= room
        else:
            parts = split_cents(remaining, [items[i].can_lose for i in tier])
            for i, part in zip(tier, parts, strict=True):
                cuts[i] = part
            remaining = 0
    return [cuts[i] for i in range(len(items))]


def exact_sum(values: Iterable[Fraction | int]) -> Fraction:
    """The exact sum, added pairwise and reduced once: many fractions with unrelated
    denominators add up much faster this way than one by one."""
    pairs = [(value.numerator, value.denominator) for value in values if value]
    while len(pairs) > 1:
        halves = zip(pairs[::2], pairs[1::2], strict=False)  # an odd last one waits a round
        joined = [(a * d + c * b, b * d) for (a, b), (c, d) in halves]
        pairs = joined + pairs[len(joined) * 2 :]
    return Fraction(*pairs[0]) if pairs else Fraction(0)


def _groups(
    items: Sequence[_Item],
    cuts: Sequence[int],
    losses: Sequence[Fraction],
    protected_groups: Collection[str],
) -> tuple[GroupCut, ...]:
    """Each contract's figures shared equally over its target groups, summed per group."""
    before: dict[str, int] = {}
    cut_cents: dict[str, int] = {}
    results: dict[str, list[Fraction | int]] = {}
    lost: dict[str, list[Fraction]] = {}
    for item, cut, loss in zip(items, cuts, losses, strict=True):
        groups = sorted(set(item.contract.target_groups))
        share = len(groups)
        befores = split_cents(item.budget, [1] * share) if share > 1 else (item.budget,)
        parts = split_cents(cut, [1] * share) if share > 1 else (cut,)
        result_share = Fraction(item.results, share) if share > 1 else item.results
        loss_share = loss / share if share > 1 and loss else loss
        for group, whole, part in zip(groups, befores, parts, strict=True):
            before[group] = before.get(group, 0) + whole
            cut_cents[group] = cut_cents.get(group, 0) + part
            results.setdefault(group, []).append(result_share)
            if loss:
                lost.setdefault(group, []).append(loss_share)
    protected = set(protected_groups)
    return tuple(
        GroupCut(
            group,
            group in protected,
            before[group],
            cut_cents[group],
            exact_sum(results[group]),
            exact_sum(lost.get(group, ())),
        )
        for group in sorted(before)
    )


def _cut(
    strategy: Strategy,
    items: Sequence[_Item],
    cuts: Sequence[int],
    saving: int,
    protected_groups: Collection[str],
    percentage: Decimal | None = None,
) -> Cut:
    losses = [
        item.rate * cut if cut else Fraction(0) for item, cut in zip(items, cuts, strict=True)
    ]
    contracts = tuple(
        ContractCut(
            contract=item.id,
            name=item.contract.name,
            target_groups=tuple(sorted(set(item.contract.target_groups))),
            before_cents=item.budget,
            cut_cents=cut,
            can_lose_cents=item.can_lose,
            protected=item.contract.protected or bool(item.protected_by_groups),
            protected_by_groups=item.protected_by_groups,
            floor_cents=item.contract.floor_cents,
            estimated=item.contract.estimated,
            results_before=Fraction(item.results),
            results_lost=loss,
        )
        for item, cut, loss in zip(items, cuts, losses, strict=True)
    )
    reached = sum(cuts)
    return Cut(
        strategy=strategy,
        saving_cents=saving,
        cut_cents=reached,
        short_cents=saving - reached,
        contracts=contracts,
        groups=_groups(items, cuts, losses, protected_groups),
        results_before=exact_sum(c.results_before for c in contracts),
        results_lost=exact_sum(c.results_lost for c in contracts),
        rule=FLAT_RULE if strategy == "flat" else RESULTS_RULE,
        percentage=percentage,
    )


def flat_cut(
    contracts: Iterable[CutContract], saving: Saving, protected_groups: Collection[str] = ()
) -> Cut:
    """Every contract that can lose something loses the same percentage (floors kept)."""
    items = _prepare(contracts, protected_groups)
    return _flat_cut(items, saving.cents(sum(item.budget for item in items)), protected_groups)


def results_cut(
    contracts: Iterable[CutContract], saving: Saving, protected_groups: Collection[str] = ()
) -> Cut:
    """The saving taken first where the fewest expected results are lost per euro."""
    items = _prepare(contracts, protected_groups)
    return _results_cut(items, saving.cents(sum(item.budget for item in items)), protected_groups)


def _reachable(items: Sequence[_Item], saving: int) -> int:
    return min(saving, sum(item.can_lose for item in items))


def _flat_cut(items: Sequence[_Item], saving: int, protected_groups: Collection[str]) -> Cut:
    cuts, share = _flat(items, _reachable(items, saving))
    return _cut("flat", items, cuts, saving, protected_groups, rounded(share * 100))


def _results_cut(items: Sequence[_Item], saving: int, protected_groups: Collection[str]) -> Cut:
    return _cut(
        "results", items, _by_results(items, _reachable(items, saving)), saving, protected_groups
    )


def cut_scenario(
    contracts: Iterable[CutContract],
    saving: Saving,
    protected_groups: Collection[str] = (),
    *,
    unit: str = "",
) -> Scenario:
    """Both cuts of the same saving under the same protections, with the assumptions in words."""
    items = _prepare(contracts, protected_groups)
    if not items:
        raise BadScenario(Lazy("A scenario needs at least one contract."))
    total = sum(item.budget for item in items)
    cents = saving.cents(total)
    return Scenario(
        saving_cents=cents,
        total_budget_cents=total,
        unit=unit,
        flat=_flat_cut(items, cents, protected_groups),
        results=_results_cut(items, cents, protected_groups),
        assumptions=assumptions(items, saving, cents, protected_groups, unit),
    )


def assumptions(
    items: Sequence[_Item],
    saving: Saving,
    cents: int,
    protected_groups: Collection[str],
    unit: str,
) -> tuple[Lazy, ...]:
    """Every assumption a reader needs to judge the scenario, in plain words."""
    said = [
        Lazy(
            "Money and results are assumed to go together in a straight line: a contract that "
            "loses 10% of its budget loses 10% of its expected results."
        ),
        Lazy(
            "The expected results of all contracts are added up as one figure (%(unit)s), so a "
            "unit of result is assumed to weigh the same in every contract.",
            unit=unit or Lazy("result units"),
        ),
    ]
    estimated = [item.contract.label for item in items if item.contract.estimated]
    if estimated:
        said.append(
            Lazy(
                "Not yet accepted, so estimated from the committed targets: the expected results "
                "of %(contracts)s.",
                contracts=", ".join(estimated),
            )
        )
    if saving.percentage is not None:
        said.append(
            Lazy(
                "The saving of %(percentage)s%% is taken on the total budget of all contracts in "
                "the scenario, protected ones included: %(amount)s.",
                percentage=Figure(saving.percentage),
                amount=Euros(cents),
            )
        )
    if protected_groups:
        said.append(
            Lazy(
                "A contract that serves a protected target group (%(groups)s) is protected as a "
                "whole.",
                groups=", ".join(sorted(protected_groups)),
            )
        )
    if any(len(set(item.contract.target_groups)) > 1 for item in items):
        said.append(
            Lazy("A contract that serves several target groups counts for an equal share in each.")
        )
    said += [FLAT_RULE, RESULTS_RULE]
    return tuple(said)
