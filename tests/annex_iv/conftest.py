"""One tender for the Annex IV proofs: a municipality's open challenge, two coalitions that have
submitted, and every kind of person who might try to look: the municipality's own officer, admin
and auditor, another municipality's officer and auditor, another provider, an evaluator, the
public. Directive 2014/24/EU, Annex IV, points (a) to (g), one module each."""

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from app.challenges import lifecycle
from app.challenges.models import Challenge
from app.coalitions.models import Coalition
from app.organisations.models import OrganisationKind, Role, User
from app.proposals import service as proposals
from app.proposals.models import ProposalSubmission
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content

SECRET = "Geheime-aanpak-7f3a"
MUNICIPALITY = ("officer", "admin", "auditor")
OTHER_MUNICIPALITY = ("other_officer", "other_auditor")
OUTSIDERS = ("other_provider", "evaluator", "public")
EVERYONE_ELSE = MUNICIPALITY + OTHER_MUNICIPALITY + OUTSIDERS


@dataclass
class Tender:
    challenge: Challenge
    coalition: Coalition
    rival: Coalition
    submission: ProposalSubmission
    attachment_sha256: str
    users: dict[str, User]
    tokens: dict[str, str | None] = field(default_factory=dict)

    @property
    def deadline(self) -> datetime:
        return self.challenge.submission_deadline

    def headers(self, who: str) -> dict[str, str]:
        token = self.tokens[who]
        return {"Authorization": f"Bearer {token}"} if token else {}


def ref(coalition: Coalition) -> str:
    """How a coalition is named in a URL."""
    return str(coalition.public_id)


def missing_ref() -> str:
    """A coalition that does not exist, named as a URL would."""
    return str(uuid4())


def proposal_urls(tender: Tender) -> list[str]:
    """Every API address through which the coalition's proposal could be read."""
    c, version = ref(tender.coalition), tender.submission.version
    return [
        f"/api/v1/coalitions/{c}",
        f"/api/v1/coalitions/{c}/proposal",
        f"/api/v1/coalitions/{c}/submissions",
        f"/api/v1/coalitions/{c}/submissions/{version}",
        f"/api/v1/coalitions/{c}/submissions/{version}/attachments/{tender.attachment_sha256}",
        f"/api/v1/challenges/{tender.challenge.id}/opening",
        f"/api/v1/challenges/{tender.challenge.id}/proposals",
    ]


def past_the_deadline(tender: Tender, app, clock, by: timedelta = timedelta(minutes=1)) -> None:
    clock.at = tender.deadline + by
    app.state.clock_offset_cache = None


@pytest.fixture
async def tender(make, app) -> Tender:
    municipality = await make.org(OrganisationKind.municipality, name="Gemeente Annex")
    other = await make.org(OrganisationKind.municipality, name="Gemeente Elders")
    users = {
        "officer": await make.user(Role.policy_officer, org=municipality),
        "admin": await make.user(Role.admin, org=municipality),
        "auditor": await make.user(Role.auditor, org=municipality),
        "other_officer": await make.user(Role.policy_officer, org=other),
        "other_auditor": await make.user(Role.auditor, org=other),
        "lead": await make.user(Role.provider_member),
        "partner": await make.user(Role.provider_member),
        "other_provider": await make.user(Role.provider_member),
        "evaluator": await make.user(Role.evaluator),
    }
    challenge = await make.challenge(users["officer"], publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(users["officer"]), challenge.id)
    coalition = await coalition_of(make, challenge, users["lead"], users["partner"])
    lead = make.ctx(users["lead"])
    await proposals.save_draft(
        lead, coalition.public_id, complete_content(challenge, coalition, approach=SECRET)
    )
    attachment = await proposals.add_attachment(
        lead,
        app.state.documents,
        coalition.public_id,
        f"{SECRET}.pdf",
        io.BytesIO(make_pdf(SECRET)),
        10**6,
    )
    submission = await proposals.submit(lead, coalition.public_id)
    rival = await coalition_of(make, challenge, users["other_provider"])
    rival_ctx = make.ctx(users["other_provider"])
    await proposals.save_draft(rival_ctx, rival.public_id, complete_content(challenge, rival))
    await proposals.submit(rival_ctx, rival.public_id)
    tokens = {name: await make.token(user) for name, user in users.items()}
    tokens["public"] = None
    return Tender(
        challenge, coalition, rival, submission, attachment.document.sha256, users, tokens
    )
