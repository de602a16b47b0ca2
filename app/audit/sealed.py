"""Events that would reveal a coalition or its proposal go to the challenge's sealed stream."""

from typing import Protocol
from uuid import UUID

from app.audit.service import sealed_stream
from app.context import Context


class InCoalition(Protocol):
    public_id: UUID
    challenge_id: int


async def audit_sealed(ctx: Context, coalition: InCoalition, action: str, **data: object) -> None:
    """Coalition and proposal events go to the challenge's sealed stream (see app/audit). Once
    that stream opens, it names the coalition by its public id: integer ids would count every
    coalition on the platform, those of challenges still sealed included."""
    await ctx.record(
        action,
        "coalition",
        None,
        coalition_id=str(coalition.public_id),
        **data,
        stream=sealed_stream(coalition.challenge_id),
    )
