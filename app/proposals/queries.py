"""Proposal queries that other domains need; models only, so coalitions can import it."""

from sqlalchemy import select

from app.coalitions.models import Coalition
from app.context import Context
from app.proposals.models import ProposalSubmission, SubmissionStatus


async def current_submission(ctx: Context, coalition: Coalition) -> ProposalSubmission | None:
    """The coalition's submitted version that stands now (not replaced, not withdrawn)."""
    return await ctx.db.scalar(
        select(ProposalSubmission).where(
            ProposalSubmission.coalition_id == coalition.id,
            ProposalSubmission.status == SubmissionStatus.current,
        )
    )
