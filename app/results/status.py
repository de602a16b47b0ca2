"""On track, at risk or off track: the latest accepted value against the line to the target.

The rule, in plain words (STATUS_RULE says it to readers):
- progress is the improvement of the latest accepted value over the baseline, in the indicator's
  direction, as a share of the committed improvement (from baseline to committed target);
- expected is the share of the contract's reporting periods that have ended (2 of 8: 25 %):
  improvement is expected to come in a straight line;
- on track: progress at least as expected; at risk: at least three quarters of what is expected;
  off track: less than that, or a worsening;
- without a baseline, or with a target that is no improvement on the baseline, there is no line:
  the indicator is on track once a value reaches the target, at risk while periods remain, and
  off track when they are over;
- no accepted value yet: not reported (no status is guessed).
Shares are exact; figures in the explanation are rounded once, to two decimals.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from app.evaluation.scores import Figure, Number, as_decimal, exact, rounded
from app.i18n import Lazy
from app.results.payment import Direction, improvement

Status = Literal["on_track", "at_risk", "off_track", "not_reported"]
AT_RISK_SHARE = Fraction(3, 4)

STATUS_RULE = Lazy(
    "Progress is the improvement of the latest accepted value over the baseline, as a share of "
    "the committed improvement; by now the share of the reporting periods that have ended is "
    "expected. On track: at least what is expected. At risk: at least three quarters of it. Off "
    "track: less, or a worsening. Without a baseline, or with a target that is no improvement on "
    "it, an indicator is on track once it reaches its target, at risk while periods remain and "
    "off track after the last one."
)
LABELS: dict[Status, Lazy] = {
    "on_track": Lazy("on track"),
    "at_risk": Lazy("at risk"),
    "off_track": Lazy("off track"),
    "not_reported": Lazy("not yet reported"),
}


@dataclass(frozen=True)
class IndicatorStatus:
    status: Status
    explanation: Lazy
    progress: Fraction | None  # share of the committed improvement reached (None: no line)
    expected: Fraction  # share of the periods ended

    @property
    def label(self) -> Lazy:
        return LABELS[self.status]


def _percent(share: Fraction) -> Figure:
    return Figure(rounded(share * 100))


def status_of(
    direction: Direction,
    baseline: Number | None,
    target: Number,
    periods_ended: int,
    periods_total: int,
    latest: Number | None,
) -> Status:
    """The status alone (see the rule), for lists of many indicators."""
    return _decide(direction, baseline, target, periods_ended, periods_total, latest)[0]


def _decide(
    direction: Direction,
    baseline: Number | None,
    target: Number,
    periods_ended: int,
    periods_total: int,
    latest: Number | None,
) -> tuple[Status, Fraction | None, Fraction]:
    """The status, the progress on the line (None: no line) and what is expected by now."""
    if periods_total < 1 or not 0 <= periods_ended <= periods_total:
        raise ValueError(f"{periods_ended} of {periods_total} periods ended is not possible")
    expected = Fraction(periods_ended, periods_total)
    if latest is None:
        return "not_reported", None, expected
    committed = improvement(direction, baseline, target) if baseline is not None else Fraction(0)
    if committed <= 0:
        reached = improvement(direction, target, latest) >= 0
        status: Status = (
            "on_track" if reached else "off_track" if periods_ended == periods_total else "at_risk"
        )
        return status, None, expected
    progress = improvement(direction, baseline, latest) / committed
    if progress >= expected and progress >= 0:
        status = "on_track"
    elif progress >= AT_RISK_SHARE * expected and progress >= 0:
        status = "at_risk"
    else:
        status = "off_track"
    return status, progress, expected


def indicator_status(
    direction: Direction,
    baseline: Number | None,
    target: Number,
    periods_ended: int,
    periods_total: int,
    latest: Number | None,
) -> IndicatorStatus:
    """The status of one indicator and why, in words a page can show next to it."""
    status, progress, expected = _decide(
        direction, baseline, target, periods_ended, periods_total, latest
    )
    if latest is None:
        return IndicatorStatus(status, Lazy("No value has been accepted yet."), None, expected)
    if progress is None:
        explanation = Lazy(
            "The latest accepted value is %(value)s; the target is %(target)s.",
            value=Figure(as_decimal(exact(latest))),
            target=Figure(as_decimal(exact(target))),
        )
        return IndicatorStatus(status, explanation, None, expected)
    explanation = Lazy(
        "%(progress)s%% of the committed improvement is reached; %(expected)s%% is expected "
        "after %(ended)s of %(total)s periods.",
        progress=_percent(progress),
        expected=_percent(expected),
        ended=periods_ended,
        total=periods_total,
    )
    return IndicatorStatus(status, explanation, progress, expected)
