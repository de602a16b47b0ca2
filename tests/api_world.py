"""One coalition and every kind of caller, for the write tests of the coalition and proposal APIs:
who may do a thing does it through HTTP, who may not is refused and nothing changes."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEvent
from app.challenges.models import Challenge
from app.coalitions.models import Coalition, CoalitionMember
from app.organisations.models import Role, User
from app.proposals.models import ProposalAttachment, ProposalDraft, ProposalSubmission
from tests.factories import Factory, coalition_of

# Signed in but outside the coalition: before the deadline a sealed coalition is, to them, one
# that does not exist.
OUTSIDERS = ("other_provider", "officer", "admin", "auditor", "evaluator")
MISSING = "00000000-0000-4000-8000-000000000000"


@dataclass
class World:
    client: httpx.AsyncClient
    app: Any
    db: AsyncSession
    make: Factory
    challenge: Challenge
    coalition: Coalition
    users: dict[str, User]
    tokens: dict[str, str | None]
    attachment_id: str | None = None

    @property
    def url(self) -> str:
        return f"/api/v1/coalitions/{self.coalition.public_id}"

    def org(self, who: str) -> int:
        return self.users[who].organisation_id

    def headers(self, who: str) -> dict[str, str]:
        token = self.tokens[who]
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def call(self, who: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # The demo clock's offset is cached for 2 s of wall time: read the clock afresh.
        self.app.state.clock_offset_cache = None
        return await self.client.request(method, url, headers=self.headers(who), **kwargs)

    def past_the_deadline(self) -> None:
        self.app.state.clock.at = self.challenge.submission_deadline + timedelta(minutes=1)
        self.app.state.clock_offset_cache = None

    async def cancel_challenge(self) -> None:
        response = await self.call(
            "officer",
            "POST",
            f"/api/v1/challenges/{self.challenge.id}/cancel",
            json={"reason": "De gemeente trekt de opgave in."},
        )
        assert response.status_code == 200, response.text

    async def audit_actions(self) -> list[str]:
        """The actions recorded so far, oldest first, in every stream."""
        rows = await self.db.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
        return list(rows)

    async def state(self) -> tuple:
        """Everything a write on this challenge's coalitions could change, read afresh."""
        coalitions = select(Coalition.id).where(Coalition.challenge_id == self.challenge.id)
        queries = [
            select(Coalition.id, Coalition.name, Coalition.lead_organisation_id)
            .where(Coalition.challenge_id == self.challenge.id)
            .order_by(Coalition.id),
            select(
                CoalitionMember.coalition_id,
                CoalitionMember.organisation_id,
                CoalitionMember.status,
                CoalitionMember.role,
                CoalitionMember.contribution,
                CoalitionMember.exclusive_key,
                CoalitionMember.responded_at,
            )
            .where(CoalitionMember.coalition_id.in_(coalitions))
            .order_by(CoalitionMember.id),
            select(ProposalDraft.coalition_id, ProposalDraft.sealed_content)
            .where(ProposalDraft.coalition_id.in_(coalitions))
            .order_by(ProposalDraft.id),
            select(ProposalAttachment.public_id, ProposalAttachment.removed_at)
            .where(ProposalAttachment.coalition_id.in_(coalitions))
            .order_by(ProposalAttachment.id),
            select(
                ProposalSubmission.coalition_id,
                ProposalSubmission.version,
                ProposalSubmission.status,
                ProposalSubmission.withdrawn_at,
            )
            .where(ProposalSubmission.challenge_id == self.challenge.id)
            .order_by(ProposalSubmission.id),
            select(func.count()).select_from(AuditEvent),
        ]
        return tuple([[tuple(row) for row in (await self.db.execute(q)).all()] for q in queries])


async def build_world(make: Factory, client: httpx.AsyncClient, app: Any, db: AsyncSession):
    """A published challenge whose coalition has a lead, an accepted partner and an invited
    organisation that has not answered; around it every kind of outsider."""
    officer = await make.user(Role.policy_officer)
    municipality = officer.organisation
    users = {
        "lead": await make.user(Role.provider_member),
        "partner": await make.user(Role.provider_member),
        "invitee": await make.user(Role.provider_member),
        "other_provider": await make.user(Role.provider_member),
        "officer": officer,
        "admin": await make.user(Role.admin, org=municipality),
        "auditor": await make.user(Role.auditor, org=municipality),
        "evaluator": await make.user(Role.evaluator),
    }
    challenge = await make.challenge(officer, publish=True)
    challenge = await db.scalar(
        select(Challenge)
        .options(selectinload(Challenge.indicators), selectinload(Challenge.requirements))
        .where(Challenge.id == challenge.id)
        .execution_options(populate_existing=True)
    )
    coalition = await coalition_of(make, challenge, users["lead"], users["partner"])
    tokens: dict[str, str | None] = {who: await make.token(user) for who, user in users.items()}
    tokens["public"] = None
    world = World(client, app, db, make, challenge, coalition, users, tokens)
    invited = await world.call(
        "lead", "POST", f"{world.url}/invitations", json={"organisation_id": world.org("invitee")}
    )
    assert invited.status_code == 201, invited.text
    return world


def assert_refused(response: httpx.Response, status: int, code: str | None = None) -> None:
    """Refused with the status, in JSON, with a message a person can read."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    assert body["code"], body
    if code is not None:
        assert body["code"] == code, body


async def complete_body(world: World) -> dict:
    """A proposal that may be submitted, for the coalition's members as the API shows them."""
    response = await world.call("lead", "GET", world.url)
    assert response.status_code == 200, response.text
    accepted = [m for m in response.json()["members"] if m["status"] == "accepted"]
    return {
        "approach": "Eén plan per leerling met school en jeugdhulp.",
        "theory_of_change": "Samen zien we eerder wat werkt.",
        "targets": [{"indicator_id": i.id, "value": 65} for i in world.challenge.indicators],
        "budget": [
            {"organisation_id": m["organisation_id"], "amount_cents": 100_000_00} for m in accepted
        ],
        "requirement_answers": [
            {"requirement_id": r.id, "met": True, "explanation": "Ja."}
            for r in world.challenge.requirements
        ],
    }


async def submit_complete(world: World) -> dict:
    """Withdraw the open invitation, save a complete draft and submit it, as the lead; the
    receipt."""
    removed = await world.call("lead", "DELETE", f"{world.url}/members/{world.org('invitee')}")
    assert removed.status_code == 200, removed.text
    saved = await world.call(
        "lead", "PUT", f"{world.url}/proposal", json=await complete_body(world)
    )
    assert saved.status_code == 200, saved.text
    submitted = await world.call("lead", "POST", f"{world.url}/proposal/submit")
    assert submitted.status_code == 201, submitted.text
    return submitted.json()
