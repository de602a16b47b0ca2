"""A worked OCDS example: one challenge through publication, an amendment, a question, the
opening, an award decision in standstill, the contract, and its results and payments."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from app.ocds.implementation import implementation_events
from app.ocds.snapshots import (
    AcceptedReport,
    AmendmentSnapshot,
    AwardSnapshot,
    BidSnapshot,
    ContractIndicatorSnapshot,
    ContractSnapshot,
    CriterionSnapshot,
    EnquirySnapshot,
    IndicatorSnapshot,
    ObservedValue,
    Party,
    PaymentSnapshot,
    ProcessSnapshot,
    Publisher,
)

PUBLISHER = Publisher(
    name="Gemeente Voorbeeldstad",
    uri="https://uitkomst.example.nl",
    ocid_prefix="ocds-test01",
    license="https://creativecommons.org/publicdomain/zero/1.0/",
)

BUYER = Party(1, "Gemeente Voorbeeldstad")
LEAD = Party(10, "Stichting Perspectief", "12345678")
PARTNER = Party(11, "Sportclub Oost")
RIVAL = Party(12, "Welzijn BV", "87654321")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def process(**overrides) -> ProcessSnapshot:
    values = dict(
        challenge_id=7,
        title="Jongeren aan het werk",
        summary="Meer jongeren duurzaam aan het werk.",
        desired_result="200 jongeren werken na een jaar nog.",
        buyer=BUYER,
        status="published",
        published_at=at(1),
        budget_cents=250_000_050,
        period_start=date(2026, 6, 1),
        period_end=date(2027, 5, 31),
        question_deadline=at(10),
        submission_deadline=at(20, 12),
        indicators=(
            IndicatorSnapshot(
                0,
                "Jongeren aan het werk",
                "jongeren",
                "",
                "increase",
                40.0,
                date(2025, 12, 31),
                200,
            ),
        ),
        criteria=(
            CriterionSnapshot(0, "Aanpak", 60),
            CriterionSnapshot(1, "Resultaat", 40, "formula"),
        ),
        amendments=(
            AmendmentSnapshot(
                1,
                at(5),
                "Langere inschrijftermijn",
                {
                    "submission_deadline": {
                        "old": "2026-03-15T12:00:00+00:00",
                        "new": "2026-03-20T12:00:00+00:00",
                    }
                },
            ),
        ),
        enquiries=(EnquirySnapshot(1, at(3), "Mag een coalitie groter zijn?", "Ja.", at(4)),),
    )
    values.update(overrides)
    return ProcessSnapshot(**values)


BIDS = (
    BidSnapshot("R-0001", at(18), (LEAD, PARTNER), LEAD.organisation_id),
    BidSnapshot("R-0002", at(19), (RIVAL,), RIVAL.organisation_id),
)
AWARD = AwardSnapshot(3, at(25), "contracted", (LEAD, PARTNER), LEAD.organisation_id)
CONTRACT = ContractSnapshot(
    contract_id=5,
    reference="UK-2026-0007",
    decision_id=3,
    created_at=at(31),
    value_cents=250_000_050,
    period_start=date(2026, 6, 1),
    period_end=date(2027, 5, 31),
    status="running",
    parties=(LEAD, PARTNER),
    lead_organisation_id=LEAD.organisation_id,
    indicators=(
        ContractIndicatorSnapshot(0, "Jongeren aan het werk", "jongeren", 40.0, None, 220.0),
    ),
)


def full() -> ProcessSnapshot:
    return process(bids=BIDS, awards=(AWARD,), contract=CONTRACT)


# --- results and payments on the contract (two quarters reported, one paid) -----------------

TWO_INDICATORS = replace(
    CONTRACT,
    indicators=(
        *CONTRACT.indicators,
        ContractIndicatorSnapshot(1, "Dagen tot een plan", "", 120.0, None, 80.0),
    ),
)


def accepted(
    report_id: int, period: int, when: datetime, *values: tuple[int, float | None, str]
) -> AcceptedReport:
    """A report on quarter `period` of the contract (from 1 June 2026), with (indicator
    position, value, people as the public reads it) per value."""
    start = date(2026, 6 + 3 * (period - 1), 1)
    end = date(2026, 9 + 3 * (period - 1), 1) - timedelta(days=1)
    return AcceptedReport(
        report_id,
        period,
        when,
        tuple(ObservedValue(p, period, start, end, v, people) for p, v, people in values),
    )


def later(days: int) -> datetime:
    return at(31) + timedelta(days=days)


REPORTS = (
    accepted(17, 1, later(200), (0, 45.0, "45"), (1, None, "<5")),
    accepted(21, 2, later(290), (0, 52.0, "52"), (1, 101.5, "12")),
)
PAYMENTS = (
    PaymentSnapshot(4, 1, 31_250_01, date(2026, 10, 30), later(215)),
    PaymentSnapshot(9, 2, 31_250_00, date(2027, 1, 20), later(300)),
)


def with_results(reports=REPORTS, payments=PAYMENTS) -> ProcessSnapshot:
    events = implementation_events(BUYER, TWO_INDICATORS, reports, payments)
    return process(bids=BIDS, awards=(AWARD,), contract=TWO_INDICATORS, implementation=events)
