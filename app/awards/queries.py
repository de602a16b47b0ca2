"""What other domains ask of the award, importing only models: is a decision in force?"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.awards.models import AwardDecision, DecisionStatus


async def decision_in_force(db: AsyncSession, challenge_id: int) -> AwardDecision | None:
    """The decision that stands (in its standstill, or contracted); the evaluation is closed
    while there is one, and opens again only when it is withdrawn."""
    return await db.scalar(
        select(AwardDecision).where(
            AwardDecision.challenge_id == challenge_id,
            AwardDecision.status != DecisionStatus.withdrawn,
        )
    )
