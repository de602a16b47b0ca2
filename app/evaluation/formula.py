"""Formula criteria: a score computed from the committed targets, never typed by anyone.

The rule, in words (shown next to every formula score):
- ambition = the committed improvement over the indicator's baseline in its desired direction:
  target - baseline for `increase`, baseline - target for `decrease`;
- the most ambitious valid proposal (excluded proposals do not count) scores the scale's maximum;
  the others score pro rata: min + (max - min) × ambition / best ambition;
- no improvement, a worsening, or no committed target scores the scale's minimum;
- when no valid proposal commits an improvement, every proposal scores the minimum.
Scores are rounded once, to two decimals (app.evaluation.scores, rounding rule).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.evaluation.scores import Figure, Number, Scale, as_decimal, exact, rounded
from app.i18n import Lazy

# The values of app.challenges.models.Direction (that module needs the database layer).
Direction = Literal["increase", "decrease"]


@dataclass(frozen=True)
class FormulaIndicator:
    """The indicator a formula criterion scores: its baseline and desired direction."""

    baseline: Number | None  # a published indicator has one; without it nothing is computed
    direction: Direction
    unit: str = ""


@dataclass(frozen=True)
class FormulaScore:
    proposal: str
    target: Decimal | None  # None: the proposal committed no target for this indicator
    ambition: Decimal | None
    score: Decimal
    explanation: Lazy


@dataclass(frozen=True)
class FormulaResult:
    rule: Lazy
    best: Decimal | None  # the largest positive ambition among valid proposals, if any
    scores: Mapping[str, FormulaScore]  # per valid proposal; excluded ones are not scored


def ambition(indicator: FormulaIndicator, target: Number) -> Fraction:
    """The committed improvement over the baseline in the desired direction (negative: worse)."""
    if indicator.direction == "increase":
        return Fraction(exact(target) - exact(indicator.baseline))
    if indicator.direction == "decrease":
        return Fraction(exact(indicator.baseline) - exact(target))
    raise ValueError(f"unknown direction {indicator.direction!r}; use increase or decrease")


def formula_rule(scale: Scale) -> Lazy:
    return Lazy(
        "Computed from the committed targets: the improvement over the baseline in the desired "
        "direction, relative to the most ambitious valid proposal. The most ambitious scores "
        "%(max)s, the others pro rata; no improvement, a worsening or no target scores %(min)s.",
        min=scale.minimum,
        max=scale.maximum,
    )


def formula_scores(
    indicator: FormulaIndicator,
    scale: Scale,
    targets: Mapping[str, Number | None],
    excluded: Collection[str] = (),
) -> FormulaResult:
    """Each valid proposal's score on one formula criterion, with the sum that gave it."""
    if indicator.baseline is None:
        raise ValueError("the indicator has no baseline, so no ambition can be computed")
    ambitions = {
        proposal: ambition(indicator, target)
        for proposal, target in targets.items()
        if proposal not in excluded and target is not None
    }
    best = max((value for value in ambitions.values() if value > 0), default=None)
    unit = f" {indicator.unit}" if indicator.unit else ""
    lowest = Figure(Decimal(scale.minimum))
    scores: dict[str, FormulaScore] = {}
    for proposal in sorted(targets):
        if proposal in excluded:
            continue
        target = targets[proposal]
        value = ambitions.get(proposal)
        if value is None:
            score = Fraction(scale.minimum)
            explanation = Lazy("No committed target: the lowest score, %(score)s.", score=lowest)
        elif best is None:
            score = Fraction(scale.minimum)
            explanation = Lazy(
                "No valid proposal commits an improvement over the baseline: "
                "every proposal scores the lowest score, %(score)s.",
                score=lowest,
            )
        elif value <= 0:
            score = Fraction(scale.minimum)
            explanation = Lazy(
                "The target %(target)s%(unit)s is no improvement over the baseline "
                "%(baseline)s%(unit)s: the lowest score, %(score)s.",
                target=Figure(as_decimal(exact(target))),
                baseline=Figure(as_decimal(exact(indicator.baseline))),
                unit=unit,
                score=lowest,
            )
        else:
            score = scale.minimum + scale.span * value / best
            explanation = Lazy(
                "Improvement %(ambition)s%(unit)s over the baseline %(baseline)s%(unit)s, against "
                "%(best)s%(unit)s for the most ambitious valid proposal: "
                "%(min)s + (%(max)s − %(min)s) × %(ambition)s / %(best)s = %(score)s.",
                ambition=Figure(as_decimal(value)),
                baseline=Figure(as_decimal(exact(indicator.baseline))),
                best=Figure(as_decimal(best)),
                unit=unit,
                min=scale.minimum,
                max=scale.maximum,
                score=Figure(rounded(score)),
            )
        scores[proposal] = FormulaScore(
            proposal=proposal,
            target=None if target is None else as_decimal(exact(target)),
            ambition=None if value is None else as_decimal(value),
            score=rounded(score),
            explanation=explanation,
        )
    return FormulaResult(
        rule=formula_rule(scale),
        best=None if best is None else as_decimal(best),
        scores=scores,
    )
