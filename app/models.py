"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from app.api_clients.models import ApiClient, ClientToken
from app.audit.models import AuditEvent
from app.auth.models import ApiToken, LoginFailure, OidcIdentity, WebSession
from app.awards.models import AwardDecision, Objection
from app.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    Criterion,
    Indicator,
    MinimumRequirement,
    Question,
)
from app.clock import ClockOffset
from app.coalitions.models import Coalition, CoalitionMember
from app.contracts.models import Contract, ContractIndicator, ContractParty, ReportingPeriod
from app.documents.models import Document
from app.evaluation.models import (
    CommitteeChange,
    CommitteeMember,
    ConsensusScore,
    Declaration,
    LotSeed,
    RequirementVerdict,
    Score,
    ScoringSubmission,
)
from app.organisations.models import Organisation, User
from app.proposals.models import (
    ProposalAttachment,
    ProposalDraft,
    ProposalOpening,
    ProposalSubmission,
)
from app.results.models import (
    ContractPayment,
    ReportEvidence,
    ReportQuery,
    ReportSignal,
    ReportValue,
    ResultReport,
)
from app.scenarios.models import CutScenarioRecord

__all__ = [
    "ApiClient",
    "ClientToken",
    "AwardDecision",
    "Objection",
    "Amendment",
    "ApiToken",
    "AuditEvent",
    "Challenge",
    "ChallengeAttachment",
    "ClockOffset",
    "CommitteeChange",
    "CommitteeMember",
    "ConsensusScore",
    "Coalition",
    "CoalitionMember",
    "Contract",
    "ContractIndicator",
    "ContractParty",
    "ContractPayment",
    "Criterion",
    "CutScenarioRecord",
    "Declaration",
    "Document",
    "Indicator",
    "LoginFailure",
    "LotSeed",
    "MinimumRequirement",
    "OidcIdentity",
    "Organisation",
    "ProposalAttachment",
    "ProposalDraft",
    "ProposalOpening",
    "ProposalSubmission",
    "Question",
    "ReportEvidence",
    "ReportQuery",
    "ReportSignal",
    "ReportValue",
    "ReportingPeriod",
    "RequirementVerdict",
    "ResultReport",
    "Score",
    "ScoringSubmission",
    "User",
    "WebSession",
]
