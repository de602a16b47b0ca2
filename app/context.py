"""What every use case needs: the database session, the caller and the time."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.service import PLATFORM, record
from app.errors import Conflict
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

    async def flush_or_conflict(self, refusal: Conflict) -> None:
        """Flush in a savepoint: a unique key that a request at the same moment took first
        becomes `refusal` (a clear 409 instead of a 500)."""
        try:
            async with self.db.begin_nested():
                await self.db.flush()
        except IntegrityError as error:
            raise refusal from error

    async def record(
        self,
        action: str,
        entity_type: str,
        entity_id: int | None,
        /,
        *,
        stream: str = PLATFORM,
        **data: object,
    ) -> AuditEvent:
        """An audit event by the caller, at the request's moment."""
        return await record(
            self.db,
            now=self.now,
            actor_id=self.user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data,
            stream=stream,
        )
