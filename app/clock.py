"""The one source of "now": real UTC time plus the demo offset kept in the database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock:
    """Wall clock shifted by an offset; the offset only moves in demo/training mode."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FrozenClock(Clock):
    """A clock that stands still until told to move; for tests."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        self.at = at

    def now(self) -> datetime:
        return self.at + self.offset

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def parse_duration(text: str) -> timedelta:
    """Read '30d', '12h', '90m', '2w' or combinations like '1d12h'."""
    units = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    text = text.strip().lower()
    if not text:
        raise ValueError("empty duration")
    total = timedelta(0)
    number = ""
    for char in text:
        if char.isdigit():
            number += char
        elif char in units and number:
            total += timedelta(**{units[char]: int(number)})
            number = ""
        else:
            raise ValueError(f"cannot read duration {text!r}; use e.g. 30d, 12h, 2w")
    if number:
        raise ValueError(f"duration {text!r} lacks a unit (w, d, h, m, s)")
    return total


def to_local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(AMSTERDAM) if moment else None


class ClockOffset(Base):
    """How far demo/training mode has moved the platform clock; one row."""

    __tablename__ = "clock_offset"

    id: Mapped[int] = mapped_column(primary_key=True)
    seconds: Mapped[int] = mapped_column(BigInteger, default=0)


async def stored_offset(db: AsyncSession) -> timedelta:
    seconds = await db.scalar(select(ClockOffset.seconds).where(ClockOffset.id == 1))
    return timedelta(seconds=seconds or 0)


async def platform_now(
    db: AsyncSession, *, demo_mode: bool, clock: Clock | None = None
) -> datetime:
    """Now as the platform sees it (the demo offset applies only in demo/training mode)."""
    now = (clock or Clock()).now()
    return now + await stored_offset(db) if demo_mode else now
