"""A challenge past its deadline with three opened proposals and a committee ready to form."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEvent
from app.challenges.models import Challenge
from app.context import Context
from app.evaluation import committee, declarations, scoring
from app.evaluation.schemas import (
    CommitteeIn,
    DeclarationIn,
    DeclarationsIn,
    ScoreIn,
    ScoresIn,
)
from app.organisations.models import OrganisationKind, Role, User
from app.proposals import service as proposals
from tests.factories import Factory, coalition_of, complete_content

AFTER = 31  # days after the factory's "now": the deadline (30 days) has passed


@dataclass
class EvalWorld:
    make: Factory
    challenge: Challenge
    users: dict[str, User]
    proposals: list  # the coalitions, in the order they submitted

    def ctx(self, who: str | None, days: float = AFTER) -> Context:
        return self.make.ctx(self.users[who] if who else None, days=days)

    def pid(self, index: int):
        return self.proposals[index].public_id

    async def form(self, who: str = "officer", days: float = AFTER, reason: str | None = None):
        return await committee.set_committee(
            self.ctx(who, days),
            self.challenge.id,
            CommitteeIn(
                chair_user_id=self.users["chair"].id,
                evaluator_user_ids=[self.users["eva"].id, self.users["expert"].id],
                reason=reason,
            ),
        )

    async def all_submitted(self, score: int = 7) -> None:
        """Every member declares no conflict, scores every proposal and submits."""
        quality = [c for c in self.challenge.criteria if c.kind == "quality"]
        for who in ("chair", "eva", "expert"):
            ctx = self.ctx(who)
            none = [DeclarationIn(proposal_id=p.public_id, conflict=False) for p in self.proposals]
            await declarations.declare(ctx, self.challenge.id, DeclarationsIn(declarations=none))
            for proposal in self.proposals:
                given = [ScoreIn(criterion_id=c.id, score=score, rationale="Goed") for c in quality]
                await scoring.save_scores(
                    ctx, self.challenge.id, proposal.public_id, ScoresIn(scores=given)
                )
            await scoring.submit(ctx, self.challenge.id)

    async def actions(self) -> list[str]:
        return list(await self.make.db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


async def build(make: Factory, *, proposals_count: int = 3, step: int = 10) -> EvalWorld:
    """Proposal n commits 40 + step × n on every indicator (step 0: all alike)."""
    municipality = await make.org(OrganisationKind.municipality)
    expert_org = await make.org(OrganisationKind.company)
    users = {
        "officer": await make.user(Role.policy_officer, org=municipality),
        "colleague": await make.user(Role.policy_officer, org=municipality),
        "chair": await make.user(Role.evaluator, org=municipality),
        "eva": await make.user(Role.evaluator, org=municipality),
        "expert": await make.user(Role.evaluator, org=expert_org),
        "spare": await make.user(Role.evaluator, org=expert_org),
        "auditor": await make.user(Role.auditor, org=municipality),
        "admin": await make.user(Role.admin, org=municipality),
        "other_officer": await make.user(Role.policy_officer),
        "other_auditor": await make.user(Role.auditor),
        "provider": await make.user(Role.provider_member),
    }
    challenge = await make.challenge(users["officer"], publish=True)
    challenge = await make.db.scalar(
        select(Challenge)
        .options(
            selectinload(Challenge.indicators),
            selectinload(Challenge.requirements),
            selectinload(Challenge.criteria),
        )
        .where(Challenge.id == challenge.id)
        .execution_options(populate_existing=True)
    )
    coalitions = []
    for n in range(proposals_count):
        lead = users["provider"] if n == 0 else await make.user(Role.provider_member)
        partner = await make.user(Role.provider_member)
        coalition = await coalition_of(make, challenge, lead, partner)
        ctx = make.ctx(lead, days=n * 0.01)
        targets = [{"indicator_id": i.id, "value": 40 + step * n} for i in challenge.indicators]
        await proposals.save_draft(
            ctx, coalition.public_id, complete_content(challenge, coalition, targets=targets)
        )
        await proposals.submit(ctx, coalition.public_id)
        coalitions.append(coalition)
    await make.db.flush()
    return EvalWorld(make, challenge, users, coalitions)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent while inside: not the test's own savepoints, nor the platform
    clock's offset (read now and then, a cache with a lifetime, whatever the page)."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        savepoint = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))
        if not savepoint and "clock_offset" not in statement:
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


def later(days: float) -> timedelta:
    return timedelta(days=days)
