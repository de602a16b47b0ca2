"""What every use case needs: the database session, the caller and the time."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.organisations.models import User


@dataclass
class Context:
    db: AsyncSession
    user: User | None
    now: datetime
    # The platform clock itself, for the moments that must be read late (a receipt's time is
    # read once the submission holds its locks, not when the request arrived).
    clock: Callable[[], datetime] | None = None

    def read_clock(self) -> datetime:
        """Now, read again; `now` stays the moment the request began."""
        return self.clock() if self.clock else self.now

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None
