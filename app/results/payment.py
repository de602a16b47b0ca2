"""What a contract owes per payment period: a fixed part plus a results part, and what is open.

The rule, in plain words (PAYMENT_RULE says it to readers):
- The fixed part of a period comes from the contract's fixed schedule (app/contracts/payments.py:
  the fixed amount spread over the periods by their length in days, in whole cents).
- The results pot is the contract's results cap, never more than its results share (the value
  minus the fixed amount). It is spread over the periods the same way as the fixed amount.
- Per indicator, what a period achieved is the improvement of its accepted value over the
  baseline, in the indicator's direction (up for `increase`, down for `decrease`), as a share of
  the improvement expected by the end of that period: the committed improvement (from baseline to
  committed target) × the periods ended so far / all periods (period 2 of 4: half). The share is
  kept between 0 and 1: a worsening earns nothing, and doing better than expected earns no more
  than the full results part.
- An indicator without a baseline, or whose committed target is no improvement on its baseline,
  counts 1 when the accepted value reaches the target and 0 when it does not.
- An indicator with no accepted value for the period counts 0; the period shows it as pending,
  and its results part grows once the value is accepted.
- The period's achievement is the average over the indicators, weighted by their weights.
- The results part of a period is its share of the pot × its achievement, rounded down to a whole
  cent (the one rounding), so the results parts together never exceed the cap.
- Due = fixed part + results part, for periods that have ended; paid = the payments recorded
  against the period; open = due - paid (negative when more was paid than was due).
Which value counts for a period is the caller's choice: the latest value accepted for a reporting
period that ends on or before the payment period's end.

Worked example (tests/results/test_payment.py): € 73,000 in 2027, paid quarterly, 50 % fixed:
the fixed € 36,500 and the pot of € 36,500 each go € 9,000 / 9,100 / 9,200 / 9,200 over quarters
of 90 / 91 / 92 / 92 days. Two indicators: people in work (increase, baseline 40, target 60) and
days to a debt plan (decrease, baseline 120, target 80). Quarter 1 expects a quarter of the
improvement (5 people, 10 days); 44 people and 115 days achieve 4/5 and 1/2, on average 65 %:
a results part of € 5,850, due € 14,850.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.contracts.payments import fixed_amount, fixed_schedule, results_share, split_cents
from app.contracts.periods import Frequency
from app.evaluation.scores import Key, Number, exact, rounded
from app.i18n import Lazy

# The values of app.challenges.models.Direction (that module needs the database layer).
Direction = Literal["increase", "decrease"]

PAYMENT_RULE = Lazy(
    "Each period pays its fixed part plus its share of the results pot × what it achieved. Per "
    "indicator, what a period achieved is the improvement of the accepted value over the "
    "baseline as a share of the improvement expected by the end of that period (the committed "
    "improvement × the share of the periods ended), between 0 and 100%; the indicators are "
    "averaged. A value not yet accepted counts as nothing until it is. Results parts are rounded "
    "down to the cent and never add up to more than the cap."
)


@dataclass(frozen=True)
class PaymentModel:
    value_cents: int
    fixed_share_bp: int  # 10,000 = 100 %
    results_cap_cents: int
    start: date
    end: date  # inclusive
    frequency: Frequency = "quarterly"

    @property
    def fixed_cents(self) -> int:
        return fixed_amount(self.value_cents, self.fixed_share_bp)


@dataclass(frozen=True)
class PaidIndicator:
    """An indicator as the payment sees it: where it started and what was committed."""

    key: Key
    direction: Direction
    baseline: Number | None
    target: Number
    weight: int = 1


@dataclass(frozen=True)
class RecordedPayment:
    period: int
    amount_cents: int


@dataclass(frozen=True)
class PeriodPayment:
    number: int
    start: date
    end: date
    ended: bool
    fixed_cents: int
    pot_cents: int  # the period's share of the results pot: the most its results part can be
    achievement: Fraction  # 0..1
    achieved: Mapping[Key, Fraction]  # per indicator, 0..1
    pending: tuple[Key, ...]  # indicators without an accepted value for the period
    results_cents: int
    paid_cents: int

    @property
    def due_cents(self) -> int:
        return self.fixed_cents + self.results_cents if self.ended else 0

    @property
    def open_cents(self) -> int:
        return self.due_cents - self.paid_cents

    @property
    def achievement_percent(self) -> Decimal:
        return rounded(self.achievement * 100)


@dataclass(frozen=True)
class PaymentStatement:
    periods: tuple[PeriodPayment, ...]
    cap_cents: int

    @property
    def due_cents(self) -> int:
        return sum(period.due_cents for period in self.periods)

    @property
    def paid_cents(self) -> int:
        return sum(period.paid_cents for period in self.periods)

    @property
    def open_cents(self) -> int:
        return self.due_cents - self.paid_cents

    @property
    def results_cents(self) -> int:
        return sum(period.results_cents for period in self.periods)


def improvement(direction: Direction, start: Number, to: Number) -> Fraction:
    """How far `to` lies beyond `start` in the desired direction (negative: a worsening)."""
    if direction == "increase":
        return Fraction(exact(to) - exact(start))
    if direction == "decrease":
        return Fraction(exact(start) - exact(to))
    raise ValueError(f"unknown direction {direction!r}; use increase or decrease")


def achieved_share(
    indicator: PaidIndicator, value: Number | None, periods_ended: int, periods_total: int
) -> Fraction:
    """What an accepted value achieved of the improvement expected by then, 0..1 (see the rule)."""
    if not 0 <= periods_ended <= periods_total or periods_total < 1:
        raise ValueError(f"{periods_ended} of {periods_total} periods ended is not possible")
    if value is None:
        return Fraction(0)
    committed = (
        improvement(indicator.direction, indicator.baseline, indicator.target)
        if indicator.baseline is not None
        else Fraction(0)
    )
    if committed <= 0:
        return Fraction(int(improvement(indicator.direction, indicator.target, value) >= 0))
    expected = committed * Fraction(periods_ended, periods_total)
    if expected == 0:
        return Fraction(int(improvement(indicator.direction, indicator.baseline, value) >= 0))
    share = improvement(indicator.direction, indicator.baseline, value) / expected
    return min(max(share, Fraction(0)), Fraction(1))


def payment_statement(
    model: PaymentModel,
    indicators: Sequence[PaidIndicator],
    accepted: Mapping[int, Mapping[Key, Number]],
    payments: Sequence[RecordedPayment] = (),
    *,
    periods_ended: int | None = None,
) -> PaymentStatement:
    """Per payment period: fixed part, results part, due, paid and open (see the module's rule).

    `accepted` maps a period's number to the accepted value per indicator key; `periods_ended`
    (all, when not given) is how many periods have ended: later ones owe nothing yet."""
    share = results_share(model.value_cents, model.fixed_share_bp)
    if not 0 <= model.results_cap_cents <= share:
        raise ValueError(f"the results cap lies between 0 and the results share ({share} cents)")
    keys = [indicator.key for indicator in indicators]
    if len(set(keys)) != len(keys):
        raise ValueError("two indicators have the same key")
    if any(isinstance(i.weight, bool) or not isinstance(i.weight, int) for i in indicators) or any(
        i.weight < 1 for i in indicators
    ):
        raise ValueError("an indicator's weight is a whole number of at least 1")
    if model.results_cap_cents and not indicators:
        raise ValueError("a results pot needs at least one indicator to be earned")
    schedule = fixed_schedule(model.start, model.end, model.fixed_cents, model.frequency)
    total = len(schedule)
    ended = total if periods_ended is None else periods_ended
    if not 0 <= ended <= total:
        raise ValueError(f"{ended} of {total} periods cannot have ended")
    for number, values in accepted.items():
        if not 1 <= number <= total:
            raise ValueError(f"there is no period {number}; the contract has {total}")
        if unknown := sorted(map(str, set(values) - set(keys))):
            raise ValueError(f"values for unknown indicators: {unknown}")
    paid: dict[int, int] = {}
    for payment in payments:
        if not 1 <= payment.period <= total:
            raise ValueError(f"a payment for period {payment.period}; the contract has {total}")
        paid[payment.period] = paid.get(payment.period, 0) + payment.amount_cents
    days = [(p.end - p.start).days + 1 for p in schedule]
    pots = split_cents(model.results_cap_cents, days)
    weights = sum(indicator.weight for indicator in indicators)
    periods = []
    for period, pot in zip(schedule, pots, strict=True):
        values = accepted.get(period.number, {}) if period.number <= ended else {}
        achieved = {
            i.key: achieved_share(i, values.get(i.key), period.number, total) for i in indicators
        }
        achievement = (
            sum((i.weight * achieved[i.key] for i in indicators), Fraction(0)) / weights
            if weights
            else Fraction(0)
        )
        periods.append(
            PeriodPayment(
                number=period.number,
                start=period.start,
                end=period.end,
                ended=period.number <= ended,
                fixed_cents=period.amount_cents,
                pot_cents=pot,
                achievement=achievement,
                achieved=achieved,
                pending=tuple(i.key for i in indicators if values.get(i.key) is None),
                results_cents=math.floor(pot * achievement),
                paid_cents=paid.get(period.number, 0),
            )
        )
    return PaymentStatement(tuple(periods), model.results_cap_cents)
