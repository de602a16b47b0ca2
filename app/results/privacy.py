"""Small counts of people are not shown to the public: fewer than 5 reads "<5".

The rule: the public sees a count of people below SMALL_COUNT as "<5", so nobody in a small group
can be picked out; the municipality, the coalition and auditors see every count exactly. Zero is
below five too: "nobody" is also something to keep from the public about a small group.
A figure derived from a suppressed count (a percentage of it) must not be shown either; pages
ask `suppressed` for that.
"""

from typing import Literal

Reader = Literal["public", "municipality", "coalition", "auditor"]
READERS: tuple[Reader, ...] = ("public", "municipality", "coalition", "auditor")
SMALL_COUNT = 5
SMALL = f"<{SMALL_COUNT}"


def suppressed(count: int, reader: Reader) -> bool:
    """Whether this reader sees the count as "<5" rather than the number."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"a count of people is a whole number, not {count!r}")
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}")
    return reader == "public" and count < SMALL_COUNT


def shown_count(count: int | None, reader: Reader) -> str:
    """The count as this reader may see it; no count at all shows as a dash."""
    if count is None:
        return "–"
    return SMALL if suppressed(count, reader) else str(count)
