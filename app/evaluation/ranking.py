"""The ranking: totals first, then the challenge's tie-break rule, a lot as the last resort.

A pure function of its inputs: the same standings in any order give the same ranking. The rule:
1. higher total (points out of 100, as shown) ranks higher;
2. with `heaviest_criteria_then_lot` (the default), proposals with the same total are separated by
   the higher consensus score on the heaviest criterion, then the next heaviest, and so on
   (criteria of equal weight in their published order);
3. a tie that remains (or any tie, with `lot`) is decided by lot: each tied proposal draws
   sha256("<seed>:<proposal>") in hexadecimal, and the lowest draw ranks highest. The seed is
   recorded with the ranking, so anyone can redo the lot.
Excluded proposals are never ranked; they are listed apart with their reasons.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.evaluation.scores import Criterion, Key, Number, check_criteria, exact
from app.i18n import Lazy

TieBreakRule = Literal["heaviest_criteria_then_lot", "lot"]
DEFAULT_TIE_BREAK: TieBreakRule = "heaviest_criteria_then_lot"


@dataclass(frozen=True)
class Standing:
    """A proposal going into the ranking: its total, its consensus per criterion, exclusions."""

    proposal: str
    total: Decimal
    consensus: Mapping[Key, Number] = field(default_factory=dict)
    exclusions: tuple[str, ...] = ()  # reasons; any reason keeps the proposal out of the ranking

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)


@dataclass(frozen=True)
class Decision:
    """What fixed a proposal's place: its total, a criterion's consensus, or the lot."""

    step: Literal["total", "criterion", "lot"]
    explanation: Lazy
    criterion: Key | None = None


@dataclass(frozen=True)
class Place:
    position: int
    proposal: str
    total: Decimal
    decided_by: Decision
    tied_with: tuple[str, ...] = ()  # the other proposals with the same total, in ranked order


@dataclass(frozen=True)
class Lot:
    """A lot as drawn: the tied proposals in the order the draws put them, with the draws."""

    seed: str
    proposals: tuple[str, ...]
    draws: tuple[str, ...]


@dataclass(frozen=True)
class Ranking:
    rule: TieBreakRule
    seed: str
    places: tuple[Place, ...]
    excluded: tuple[Standing, ...]
    lots: tuple[Lot, ...]

    @property
    def winner(self) -> Place | None:
        return self.places[0] if self.places else None


def tie_break_rule_text(rule: TieBreakRule) -> Lazy:
    """The tie-break rule in words, as the challenge shows it."""
    if rule == "lot":
        return Lazy(
            "Equal totals are decided by lot; the seed of the lot and its outcome are recorded."
        )
    return Lazy(
        "Equal totals are decided by the higher consensus score on the heaviest criterion, then "
        "on the next heaviest (criteria of equal weight in the order published); a tie that "
        "remains is decided by lot, and the seed of the lot and its outcome are recorded."
    )


def draw(seed: str, proposal: str) -> str:
    return hashlib.sha256(f"{seed}:{proposal}".encode()).hexdigest()


def tie_break_order(criteria: Sequence[Criterion]) -> tuple[Criterion, ...]:
    """Heaviest criterion first; equal weights in their published order."""
    return tuple(sorted(criteria, key=lambda c: (-c.weight, c.position)))


def rank(
    standings: Sequence[Standing],
    criteria: Sequence[Criterion],
    *,
    seed: str,
    rule: TieBreakRule = DEFAULT_TIE_BREAK,
) -> Ranking:
    """Order the valid proposals and say, per place, which step of the rule decided it."""
    if not seed:
        raise ValueError("a ranking needs a seed for the lot, even if no lot is drawn")
    if rule not in ("heaviest_criteria_then_lot", "lot"):
        raise ValueError(f"unknown tie-break rule {rule!r}")
    check_criteria(criteria)
    keys = [standing.proposal for standing in standings]
    if len(set(keys)) != len(keys):
        raise ValueError("a proposal appears twice in the ranking")
    order = tie_break_order(criteria) if rule == DEFAULT_TIE_BREAK else ()
    valid = [standing for standing in standings if not standing.excluded]
    for standing in valid:
        if not isinstance(standing.total, Decimal) or not 0 <= standing.total <= 100:
            raise ValueError(f"the total of {standing.proposal!r} is not a figure in 0..100")
        for criterion in order:
            if criterion.key not in standing.consensus:
                raise ValueError(
                    f"proposal {standing.proposal!r} has no consensus on criterion "
                    f"{criterion.key!r}, which the tie-break needs"
                )
    names = {criterion.key: criterion.name or str(criterion.key) for criterion in criteria}
    lots: list[Lot] = []
    places: list[Place] = []
    for group in _groups(valid, lambda standing: standing.total):
        total = group[0].total
        by_total = Decision("total", Lazy("Decided by the total."))
        decided = _separate(group, order, 0, by_total, seed, names, lots)
        tied = [standing.proposal for standing, _ in decided]
        for standing, decision in decided:
            others = tuple(p for p in tied if p != standing.proposal)
            places.append(Place(len(places) + 1, standing.proposal, total, decision, others))
    excluded = tuple(sorted((s for s in standings if s.excluded), key=lambda s: s.proposal))
    return Ranking(rule, seed, tuple(places), excluded, tuple(lots))


def _groups(
    standings: Sequence[Standing], value: Callable[[Standing], Number]
) -> list[list[Standing]]:
    """Standings grouped by equal value, the highest value first."""
    groups: dict[Fraction, list[Standing]] = {}
    for standing in standings:
        groups.setdefault(exact(value(standing)), []).append(standing)
    return [groups[key] for key in sorted(groups, reverse=True)]


def _separate(
    group: list[Standing],
    order: Sequence[Criterion],
    depth: int,
    decision: Decision,
    seed: str,
    names: Mapping[Key, str],
    lots: list[Lot],
) -> list[tuple[Standing, Decision]]:
    """The group in ranked order, each with the step that set it apart from the rest."""
    if len(group) == 1:
        return [(group[0], decision)]
    if depth == len(order):
        drawn = sorted(
            ((draw(seed, s.proposal), s) for s in group), key=lambda d: (d[0], d[1].proposal)
        )
        lots.append(
            Lot(seed, tuple(s.proposal for _, s in drawn), tuple(digest for digest, _ in drawn))
        )
        by_lot = Decision(
            "lot", Lazy("Still tied; decided by lot with the seed %(seed)s.", seed=seed)
        )
        return [(standing, by_lot) for _, standing in drawn]
    criterion = order[depth]
    by_criterion = Decision(
        "criterion",
        Lazy(
            "Same total; decided by the higher consensus on “%(criterion)s”.",
            criterion=names[criterion.key],
        ),
        criterion.key,
    )
    ranked: list[tuple[Standing, Decision]] = []
    for bucket in _groups(group, lambda standing: standing.consensus[criterion.key]):
        ranked += _separate(bucket, order, depth + 1, by_criterion, seed, names, lots)
    return ranked
