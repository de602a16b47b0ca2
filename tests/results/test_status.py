"""The status of an indicator against the straight line from baseline to target."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import set_locale
from app.results.status import STATUS_RULE, indicator_status, status_of

BOUNDED = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (50, "on_track"),  # 10 of 20 more people: 50 %, as expected after 2 of 4 periods
        (60, "on_track"),  # the target already
        (48, "at_risk"),  # 40 %: at least 3/4 of 50 % (37.5 %)
        (47, "off_track"),  # 35 %
        (39, "off_track"),  # worse than the baseline
    ],
)
def test_more_people_in_work_halfway(latest, status):
    """Baseline 40, committed 60 (20 more), 2 of 4 periods ended: 50 % expected."""
    assert indicator_status("increase", 40, 60, 2, 4, latest).status == status


def test_a_decrease_counts_downwards():
    """Days to a debt plan from 120 to 80, 1 of 4 periods: 10 days fewer expected. 112 days
    (8 fewer, 20 % of 40) is at least 3/4 of the 25 % expected; 113 is not."""
    assert indicator_status("decrease", 120, 80, 1, 4, 110).status == "on_track"
    assert indicator_status("decrease", 120, 80, 1, 4, 112).status == "at_risk"
    assert indicator_status("decrease", 120, 80, 1, 4, 113).status == "off_track"
    assert indicator_status("decrease", 120, 80, 1, 4, 121).status == "off_track"


def test_the_explanation_gives_the_figures_in_the_readers_language():
    result = indicator_status("increase", 40, 60, 1, 3, 45)
    assert result.progress == Fraction(1, 4) and result.expected == Fraction(1, 3)
    set_locale("en")
    try:
        assert str(result.explanation) == (
            "25% of the committed improvement is reached; 33.33% is expected after 1 of 3 periods."
        )
        assert str(result.label) == "at risk"
    finally:
        set_locale("nl")
    assert "33,33%" in str(result.explanation)
    assert str(result.label) == "risico"


def test_nothing_accepted_yet_is_not_reported():
    result = indicator_status("increase", 40, 60, 3, 4, None)
    assert result.status == "not_reported" and result.progress is None


def test_without_a_baseline_only_the_target_counts():
    assert indicator_status("increase", None, 60, 1, 4, 60).status == "on_track"
    assert indicator_status("increase", None, 60, 1, 4, 59.5).status == "at_risk"
    assert indicator_status("increase", None, 60, 4, 4, 59.5).status == "off_track"
    assert "59,5" in str(indicator_status("increase", None, 60, 4, 4, 59.5).explanation)


def test_nothing_expected_before_the_first_period_ends():
    assert indicator_status("increase", 40, 60, 0, 4, 40).status == "on_track"
    assert indicator_status("increase", 40, 60, 0, 4, 39).status == "off_track"


def test_impossible_periods_are_refused():
    with pytest.raises(ValueError, match="5 of 4"):
        indicator_status("increase", 40, 60, 5, 4, 50)


def test_the_rule_is_written_for_readers():
    assert "three quarters" in str.__str__(STATUS_RULE)


@BOUNDED
@given(
    st.sampled_from(["increase", "decrease"]),
    st.integers(-100, 100),
    st.integers(1, 100),
    st.integers(1, 12),
    st.data(),
)
def test_a_better_value_never_gets_a_worse_status(direction, baseline, gain, total, data):
    target = baseline + gain if direction == "increase" else baseline - gain
    ended = data.draw(st.integers(0, total))
    value = data.draw(st.integers(-300, 300))
    better = value + 1 if direction == "increase" else value - 1
    order = {"off_track": 0, "at_risk": 1, "on_track": 2}
    before = indicator_status(direction, baseline, target, ended, total, value).status
    after = indicator_status(direction, baseline, target, ended, total, better).status
    assert order[after] >= order[before]
    # Reaching the target is always on track.
    assert indicator_status(direction, baseline, target, ended, total, target).status == (
        "on_track"
    )


@BOUNDED
@given(
    st.sampled_from(["increase", "decrease"]),
    st.one_of(st.none(), st.integers(-100, 100)),
    st.integers(-100, 100),
    st.integers(1, 12),
    st.one_of(st.none(), st.integers(-300, 300)),
    st.data(),
)
def test_the_status_alone_is_the_status_with_its_reasons(
    direction, baseline, target, total, value, data
):
    """status_of (for lists of many indicators) decides exactly as indicator_status does."""
    ended = data.draw(st.integers(0, total))
    assert status_of(direction, baseline, target, ended, total, value) == (
        indicator_status(direction, baseline, target, ended, total, value).status
    )
