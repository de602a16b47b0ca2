"""Small factories: organisations, users, challenges ready to publish."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password
from app.auth.service import create_api_token
from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.challenges.schemas import ChallengeIn
from app.clock import FrozenClock
from app.context import Context
from app.organisations.models import Organisation, OrganisationKind, Role, User

_PASSWORD_HASH = hash_password("secret-pass")


def challenge_data(now, **overrides: Any) -> dict[str, Any]:
    """A complete, publishable challenge relative to `now`."""
    data = {
        "title": "Thuiszitters terug naar school",
        "summary": "Leerlingen die thuiszitten gaan weer naar school.",
        "desired_result": "60 % van de thuiszitters is binnen een jaar terug op school.",
        "target_group": "Leerlingen van 6 tot 18 jaar die langer dan vier weken thuiszitten.",
        "target_group_size": 85,
        "context": "Eén kind, één plan.",
        "theme": "education",
        "budget_cents": 650_000_00,
        "period_start": date(2026, 9, 1),
        "period_end": date(2029, 8, 31),
        "question_deadline": now + timedelta(days=14),
        "submission_deadline": now + timedelta(days=30),
        "expected_award_date": (now + timedelta(days=60)).date(),
        "indicators": [
            {
                "name": "Terug op school",
                "definition": "Aandeel thuiszitters dat weer volledig naar school gaat.",
                "unit": "%",
                "baseline_value": 22,
                "baseline_date": date(2025, 9, 1),
                "direction": "increase",
                "target_value": 60,
                "measurement_method": "Leerplichtadministratie.",
                "reporting_frequency": "quarterly",
            }
        ],
        "criteria": [
            {"name": "Aanpak", "weight": 60},
            {"name": "Onderbouwing", "weight": 25},
            {"name": "Ambitie", "weight": 15, "kind": "formula", "indicator_position": 0},
        ],
        "requirements": ["De coalitie houdt zich aan de AVG."],
    }
    data.update(overrides)
    return data


class Factory:
    def __init__(self, db: AsyncSession, clock: FrozenClock) -> None:
        self.db = db
        self.clock = clock
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    async def org(
        self, kind: OrganisationKind = OrganisationKind.municipality, name: str | None = None
    ) -> Organisation:
        n = self._next()
        org = Organisation(
            name=name or f"Organisatie {n}",
            kind=kind,
            kvk_number=f"{10000000 + n}",
            created_at=self.clock.now(),
        )
        self.db.add(org)
        await self.db.flush()
        return org

    async def user(
        self, role: Role | None, org: Organisation | None = None, email: str | None = None
    ) -> User:
        if org is None:
            kind = (
                OrganisationKind.municipality
                if role in (Role.policy_officer, Role.admin, Role.auditor)
                else (OrganisationKind.welfare_organisation)
            )
            org = await self.org(kind)
        n = self._next()
        user = User(
            email=email or f"user{n}@example.nl",
            name=f"Gebruiker {n}",
            organisation_id=org.id,
            role=role,
            password_hash=_PASSWORD_HASH,
            created_at=self.clock.now(),
        )
        user.organisation = org
        self.db.add(user)
        await self.db.flush()
        return user

    async def token(self, user: User) -> str:
        return await create_api_token(self.db, user, self.clock.now())

    def ctx(self, user: User | None, days: float = 0) -> Context:
        return Context(db=self.db, user=user, now=self.clock.now() + timedelta(days=days))

    async def challenge(
        self, officer: User, *, publish: bool = False, **overrides: Any
    ) -> Challenge:
        ctx = self.ctx(officer)
        challenge = await lifecycle.create_draft(
            ctx, ChallengeIn.model_validate(challenge_data(self.clock.now(), **overrides))
        )
        if publish:
            await lifecycle.publish(ctx, challenge.id)
        await self.db.flush()
        return challenge


async def coalition_of(
    make: "Factory", challenge: Challenge, lead: User, *members: User, accept: bool = True
):
    """A coalition led by `lead`'s organisation with `members` invited (and accepted)."""
    from app.coalitions import service as coalitions
    from app.coalitions.schemas import CoalitionIn, ResponseIn

    coalition = await coalitions.start_coalition(
        make.ctx(lead),
        challenge.id,
        CoalitionIn(name=f"Coalitie {make._next()}", role="penvoerder"),
    )
    for member in members:
        await coalitions.invite(make.ctx(lead), coalition.public_id, member.organisation_id)
        if accept:
            await coalitions.respond(make.ctx(member), coalition.public_id, ResponseIn(accept=True))
    return await coalitions.load_coalition(make.ctx(lead), coalition.id)


def complete_content(challenge: Challenge, coalition, **overrides: Any):
    """A proposal that may be submitted: every target, share and requirement answered."""
    from app.coalitions.models import MemberStatus
    from app.proposals.schemas import ProposalContent

    accepted = [m for m in coalition.members if m.status == MemberStatus.accepted]
    data = {
        "approach": "Eén plan per leerling met school en jeugdhulp.",
        "theory_of_change": "Samen zien we eerder wat werkt.",
        "targets": [{"indicator_id": i.id, "value": 65} for i in challenge.indicators],
        "budget": [
            {"organisation_id": m.organisation_id, "amount_cents": 100_000_00} for m in accepted
        ],
        "requirement_answers": [
            {"requirement_id": r.id, "met": True, "explanation": "Ja."}
            for r in challenge.requirements
        ],
    }
    data.update(overrides)
    return ProposalContent.model_validate(data)
