"""Events that would reveal a coalition or its proposal go to the challenge's sealed stream."""

from typing import Protocol
from uuid import UUID

from app.audit.service import record, sealed_stream
from app.context import Context


class InCoalition(Protocol):
    public_id: UUID
    challenge_id: int


async def audit_sealed(ctx: Context, coalition: InCoalition, action: str, **data: object) -> None:
    """Coalition and proposal events go to the challenge's sealed stream (see app/audit). Once
    that stream opens, it names the coalition by its public id: integer ids would count every
    coalition on the platform, those of challenges still sealed included."""
    await record(
        ctx.db,
        now=ctx.now,
        actor_id=ctx.user_id,
        action=action,
        entity_type="coalition",
        entity_id=None,
        data={"coalition_id": str(coalition.public_id), **data},
        stream=sealed_stream(coalition.challenge_id),
    )
