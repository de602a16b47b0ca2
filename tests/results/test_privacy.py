"""Counts below 5 people read "<5" for the public and exactly for everyone else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.results.privacy import READERS, shown_count, suppressed


@pytest.mark.parametrize(
    ("count", "public", "auditor"),
    [(0, "<5", "0"), (1, "<5", "1"), (4, "<5", "4"), (5, "5", "5"), (1234, "1234", "1234")],
)
def test_the_public_sees_small_counts_as_less_than_five(count, public, auditor):
    assert shown_count(count, "public") == public
    for reader in ("municipality", "coalition", "auditor"):
        assert shown_count(count, reader) == auditor


def test_no_count_is_a_dash():
    assert shown_count(None, "public") == "–"


@pytest.mark.parametrize(("count", "reader"), [(-1, "public"), (2.5, "public"), (3, "press")])
def test_nonsense_is_refused(count, reader):
    with pytest.raises(ValueError):
        shown_count(count, reader)


@given(st.integers(0, 10_000), st.sampled_from(READERS))
def test_only_the_public_and_only_below_five(count, reader):
    assert suppressed(count, reader) == (reader == "public" and count < 5)
    assert shown_count(count, reader) in ("<5", str(count))
