"""The payment model of a contract: a fixed share paid per period, a results share up to a cap.

Rule: the fixed amount is the contract value × the fixed share (in basis points, 10,000 = 100 %),
rounded down to a whole cent; the rest of the value is the results share, which is also the
highest the results cap may be. The fixed amount is spread over the payment periods in
proportion to their length in days (a cut last period gets less), in whole cents: each period
first gets its proportional share rounded down, then the cents left over go one each to the
periods with the largest remainders, the earlier period first when remainders are equal. So
the parts always add up to the fixed amount exactly, and the same input always gives the same
schedule.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.contracts.periods import Frequency, reporting_periods

BASIS_POINTS = 10_000
DEFAULT_FIXED_SHARE_BP = 7_000  # 70 % fixed, 30 % on results
DEFAULT_PAYMENT_FREQUENCY: Frequency = "quarterly"


@dataclass(frozen=True)
class Payment:
    number: int
    start: date
    end: date  # inclusive
    amount_cents: int


def fixed_amount(value_cents: int, fixed_share_bp: int) -> int:
    """The fixed part of the value, in whole cents (rounded down)."""
    if value_cents < 0:
        raise ValueError("a contract value cannot be negative")
    if not 0 <= fixed_share_bp <= BASIS_POINTS:
        raise ValueError(f"a share lies between 0 and {BASIS_POINTS} basis points")
    return value_cents * fixed_share_bp // BASIS_POINTS


def results_share(value_cents: int, fixed_share_bp: int) -> int:
    """What is left for results once the fixed part is taken: the highest the cap may be."""
    return value_cents - fixed_amount(value_cents, fixed_share_bp)


def split_cents(total_cents: int, weights: Sequence[int]) -> tuple[int, ...]:
    """`total_cents` over the weights, in proportion, in whole cents that add up exactly."""
    if total_cents < 0:
        raise ValueError("cannot split a negative amount")
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("split over at least one positive weight, none negative")
    whole = sum(weights)
    floors = [total_cents * w // whole for w in weights]
    remainders = [total_cents * w % whole for w in weights]
    left = total_cents - sum(floors)
    # The largest remainders first; on equal remainders, the earlier part.
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return tuple(floors)


def fixed_schedule(
    start: date, end: date, fixed_cents: int, frequency: Frequency = DEFAULT_PAYMENT_FREQUENCY
) -> tuple[Payment, ...]:
    """The fixed payments of a contract running from `start` to `end`, one per period."""
    periods = reporting_periods(start, end, frequency)
    days = [(p.end - p.start).days + 1 for p in periods]
    amounts = split_cents(fixed_cents, days)
    return tuple(
        Payment(p.number, p.start, p.end, amount)
        for p, amount in zip(periods, amounts, strict=True)
    )
