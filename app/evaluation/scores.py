"""Scores on the challenge's scale and the weighted total, in exact arithmetic with one rounding.

Rounding rule (one place, used for every shown score and total): a figure is computed exactly
(fractions), then rounded once to two decimals with halves away from zero (ROUND_HALF_UP, the
school rule: 7.125 → 7.13). The rounded figure is the one shown and the one that counts: a formula
score enters the total as shown, and the ranking compares totals as shown, so a reader can redo
every step from the report.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from babel.numbers import format_decimal

from app.i18n import get_locale

# The values of app.challenges.models.CriterionKind (that module needs the database layer).
CriterionKind = Literal["quality", "formula"]
Key = str | int
Number = int | Decimal | Fraction | float

PLACES = 2
# A criterion's individual scores "differ a lot" when highest - lowest exceeds this share of the
# scale's range (0..10: more than 4 points apart); the chair sees it highlighted.
SPREAD_THRESHOLD = Fraction(2, 5)


def exact(value: Number) -> Fraction | int:
    """A score or target as an exact number (a whole number stays one, for speed); a float is
    read as the decimal it prints as."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction | float):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def rounded(value: Fraction | int) -> Decimal:
    """Two decimals, halves away from zero: the one rounding rule of the evaluation."""
    if not isinstance(value, Fraction | int) or isinstance(value, bool):
        raise TypeError(f"only exact numbers are rounded, not {value!r}")
    scaled = abs(value) * 10**PLACES
    units = math.floor(scaled + Fraction(1, 2))
    return Decimal(units if value >= 0 else -units).scaleb(-PLACES)


def as_decimal(value: Fraction | int) -> Decimal:
    """A fraction that is a finite decimal (a difference of decimals) as that decimal, exactly."""
    value = Fraction(value)
    denominator, places = value.denominator, 0
    while denominator % 10 == 0:
        denominator //= 10
        places += 1
    while denominator % 2 == 0 or denominator % 5 == 0:
        denominator //= 2 if denominator % 2 == 0 else 5
        places += 1
    if denominator != 1:
        return rounded(value)
    return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)


@dataclass(frozen=True)
class Figure:
    """A number inside a message, written the reader's way (7,5 in Dutch) when it is shown."""

    value: Decimal

    def __str__(self) -> str:
        locale = "nl_NL" if get_locale() == "nl" else "en_GB"
        return format_decimal(self.value, locale=locale, decimal_quantization=False)


@dataclass(frozen=True)
class Scale:
    """The challenge's scoring scale, scale_min..scale_max, both ends included."""

    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        if self.maximum <= self.minimum:
            raise ValueError(
                f"the scale's maximum ({self.maximum}) must be above its minimum ({self.minimum})"
            )

    @property
    def span(self) -> int:
        return self.maximum - self.minimum

    def check(self, score: Number, what: str = "score") -> Fraction | int:
        """The score as a fraction, or a ValueError that names it and the scale."""
        value = exact(score)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"{what} is {score}, outside the scale {self.minimum}..{self.maximum}")
        return value

    def normalised(self, score: Number, what: str = "score") -> Fraction:
        """(score - min) / (max - min): 0 at the bottom of the scale, 1 at the top."""
        return (self.check(score, what) - self.minimum) / self.span


@dataclass(frozen=True)
class Criterion:
    """A criterion as published: weight (the weights of a challenge sum to 100) and position."""

    key: Key
    weight: int
    position: int
    kind: CriterionKind = "quality"
    name: str = ""
    indicator: Key | None = None  # a formula criterion's indicator


def check_criteria(criteria: Sequence[Criterion]) -> None:
    """Refuse a set of criteria that a total cannot be computed on."""
    if not criteria:
        raise ValueError("there are no criteria")
    keys = [criterion.key for criterion in criteria]
    if len(set(keys)) != len(keys):
        raise ValueError("two criteria have the same key")
    if len({criterion.position for criterion in criteria}) != len(criteria):
        raise ValueError("two criteria have the same position")
    for criterion in criteria:
        if isinstance(criterion.weight, bool) or not isinstance(criterion.weight, int):
            raise ValueError(f"the weight of criterion {criterion.key!r} is not a whole number")
        if criterion.weight < 1:
            raise ValueError(f"the weight of criterion {criterion.key!r} must be at least 1")
        if criterion.kind not in ("quality", "formula"):
            raise ValueError(f"criterion {criterion.key!r} has an unknown kind {criterion.kind!r}")
        if criterion.kind == "formula" and criterion.indicator is None:
            raise ValueError(f"formula criterion {criterion.key!r} has no indicator")
    total = sum(criterion.weight for criterion in criteria)
    if total != 100:
        raise ValueError(f"the weights add up to {total}; they must add up to 100")


def weighted_total(
    criteria: Sequence[Criterion], scale: Scale, scores: Mapping[Key, Number]
) -> Decimal:
    """Points out of 100: the sum over criteria of weight × (score - min) / (max - min).

    `scores` holds the consensus score of every criterion (a formula criterion's computed score
    as shown); the total is rounded once (see the module's rounding rule)."""
    check_criteria(criteria)
    known = {criterion.key for criterion in criteria}
    if unknown := [key for key in scores if key not in known]:
        raise ValueError(f"scores for unknown criteria: {sorted(map(str, unknown))}")
    points: Fraction | int = 0  # times the scale's span, divided once at the end
    for criterion in criteria:
        if criterion.key not in scores:
            raise ValueError(f"no score for criterion {criterion.key!r}")
        what = f"the score of criterion {criterion.key!r}"
        points += criterion.weight * (scale.check(scores[criterion.key], what) - scale.minimum)
    return rounded(Fraction(points) / scale.span)


@dataclass(frozen=True)
class Spread:
    """How far the individual scores on one criterion of one proposal lie apart."""

    lowest: Decimal
    highest: Decimal
    width: Decimal
    large: bool


def spread(scores: Sequence[Number], scale: Scale) -> Spread:
    """Lowest, highest and whether they differ by more than SPREAD_THRESHOLD of the scale."""
    if not scores:
        raise ValueError("no scores to compare")
    values = [scale.check(score) for score in scores]
    lowest, highest = min(values), max(values)
    return Spread(
        lowest=as_decimal(lowest),
        highest=as_decimal(highest),
        width=as_decimal(highest - lowest),
        large=highest - lowest > SPREAD_THRESHOLD * scale.span,
    )
