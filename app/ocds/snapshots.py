"""What the OCDS mapping (app/ocds/releases.py) reads: plain, frozen snapshots of one
challenge's facts as its reader may see them, made by app/ocds/service.py or by hand in tests.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Publisher:
    """Who publishes, under which licence and ocid prefix (from Settings)."""

    name: str
    uri: str
    ocid_prefix: str
    license: str
    publication_policy: str = ""

    def ocid(self, challenge_id: int) -> str:
        return f"{self.ocid_prefix}-{challenge_id}"


@dataclass(frozen=True)
class Party:
    """An organisation as the public sees it."""

    organisation_id: int
    name: str
    kvk_number: str | None = None

    @property
    def party_id(self) -> str:
        # org-id.guide's scheme for the Dutch Chamber of Commerce, else the platform's own id.
        if self.kvk_number:
            return f"NL-KVK-{self.kvk_number}"
        return f"uitkomst-organisation-{self.organisation_id}"


@dataclass(frozen=True)
class IndicatorSnapshot:
    position: int
    name: str
    unit: str = ""
    definition: str = ""
    direction: str = "increase"
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None


@dataclass(frozen=True)
class CriterionSnapshot:
    position: int
    name: str
    weight: int
    kind: str = "quality"  # quality or formula
    description: str = ""


@dataclass(frozen=True)
class AmendmentSnapshot:
    number: int
    date: datetime
    reason: str
    # ChallengeIn field -> {"old": ..., "new": ...}, as app/challenges/lifecycle.diff stores it
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class EnquirySnapshot:
    """An answered question; the asker is never part of it."""

    number: int
    asked_at: datetime
    question: str
    answer: str
    answered_at: datetime


@dataclass(frozen=True)
class BidSnapshot:
    """An opened proposal: its coalition's members, the lead among them."""

    bid_id: str
    submitted_at: datetime
    members: tuple[Party, ...]
    lead_organisation_id: int


@dataclass(frozen=True)
class AwardSnapshot:
    decision_id: int
    decided_at: datetime
    status: str  # standstill, withdrawn or contracted (app/awards/models.DecisionStatus)
    suppliers: tuple[Party, ...]
    lead_organisation_id: int
    standstill_ends_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdraw_reason: str | None = None


@dataclass(frozen=True)
class ContractIndicatorSnapshot:
    position: int
    name: str
    unit: str = ""
    baseline_value: float | None = None
    baseline_date: date | None = None
    committed_target: float = 0.0


@dataclass(frozen=True)
class ContractSnapshot:
    contract_id: int
    reference: str
    decision_id: int | None
    created_at: datetime
    value_cents: int
    period_start: date
    period_end: date
    status: str  # running or completed
    parties: tuple[Party, ...]
    lead_organisation_id: int
    indicators: tuple[ContractIndicatorSnapshot, ...] = ()


@dataclass(frozen=True)
class ObservedValue:
    """An accepted value of one contract indicator for one of the indicator's own periods."""

    indicator_position: int
    period: int  # the indicator's own period number (app/contracts/periods.py)
    start: date
    end: date
    # The accepted value, and the number of people as the public sees them: below five the
    # count reads "<5" and the value, a figure about so small a group, is not there (None).
    value: float | None
    people: str


@dataclass(frozen=True)
class AcceptedReport:
    """The accepted version of the report on one of the contract's reporting periods."""

    report_id: int
    period: int  # the contract's reporting period number
    accepted_at: datetime
    values: tuple[ObservedValue, ...]


@dataclass(frozen=True)
class PaymentSnapshot:
    """A payment recorded on the contract, for one of its payment periods."""

    payment_id: int
    period: int
    amount_cents: int
    paid_on: date
    recorded_at: datetime


@dataclass(frozen=True)
class ImplementationEvent:
    """One implementation release with these `contracts[].implementation` fields (`metrics`,
    `transactions`), made by app/ocds/implementation.py from an accepted report or a payment."""

    key: str  # unique within the process, part of the release id
    date: datetime
    implementation: dict[str, Any]
    # Who receives this event's transactions: declared among the parties with the role
    # `payee`, and the buyer `payer` from then on.
    payee: Party | None = None


@dataclass(frozen=True)
class ProcessSnapshot:
    """One published challenge with everything its reader may see of it."""

    challenge_id: int
    title: str
    summary: str
    desired_result: str
    buyer: Party
    status: str  # published, cancelled or unsuccessful
    published_at: datetime
    budget_cents: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    question_deadline: datetime | None = None
    submission_deadline: datetime | None = None
    indicators: tuple[IndicatorSnapshot, ...] = ()
    criteria: tuple[CriterionSnapshot, ...] = ()
    amendments: tuple[AmendmentSnapshot, ...] = ()
    enquiries: tuple[EnquirySnapshot, ...] = ()
    # None: not published (sealed, or not for this reader); nothing of the bids, not a count.
    bids: tuple[BidSnapshot, ...] | None = None
    awards: tuple[AwardSnapshot, ...] = ()
    contract: ContractSnapshot | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    unsuccessful_at: datetime | None = None
    unsuccessful_reason: str | None = None
    implementation: tuple[ImplementationEvent, ...] = ()
