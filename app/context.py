"""What every use case needs: the database session, the caller and the time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.organisations.models import User


@dataclass
class Context:
    db: AsyncSession
    user: User | None
    now: datetime

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None
