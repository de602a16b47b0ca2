"""Making a contract from the winning opened proposal: what it holds, who may, what is refused."""

from datetime import date
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEvent
from app.contracts import service
from app.contracts.models import Contract, ContractIndicator, ContractStatus
from app.contracts.schemas import ContractTerms
from app.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from app.organisations.models import Role
from app.proposals import service as proposals
from tests.contracts.world import closed_challenge, past_the_deadline, submitted


@pytest.fixture
async def world(make):
    officer = await make.user(Role.policy_officer)
    users = {
        "officer": officer,
        "lead": await make.user(Role.provider_member),
        "partner": await make.user(Role.provider_member),
        "rival": await make.user(Role.provider_member),
        "auditor": await make.user(Role.auditor, org=officer.organisation),
        "admin": await make.user(Role.admin, org=officer.organisation),
        "other_officer": await make.user(Role.policy_officer),
        "evaluator": await make.user(Role.evaluator),
    }
    challenge = await closed_challenge(make, officer)
    winner = await submitted(make, challenge, users["lead"], users["partner"], versions=2)
    rival = await submitted(make, challenge, users["rival"])
    return users, challenge, winner, rival


async def _loaded(db, contract_id: int) -> Contract:
    return await db.scalar(
        select(Contract)
        .options(
            selectinload(Contract.parties),
            selectinload(Contract.indicators).selectinload(ContractIndicator.periods),
        )
        .where(Contract.id == contract_id)
        .execution_options(populate_existing=True)
    )


async def _count(db) -> int:
    return await db.scalar(select(func.count()).select_from(Contract))


async def test_the_contract_holds_the_opened_version_of_the_winning_proposal(make, db, world):
    users, challenge, winner, _rival = world
    past_the_deadline(make, challenge)
    made = await service.make_contract(make.ctx(users["officer"]), challenge.id, winner.public_id)
    contract = await _loaded(db, made.id)

    assert contract.status == ContractStatus.running
    assert contract.reference.endswith(f"-C{challenge.id:04d}")
    assert contract.coalition_id == winner.id and contract.version == 2
    # Parties: every accepted member, the lead first and marked, each with its share.
    lead_org, partner_org = users["lead"].organisation_id, users["partner"].organisation_id
    assert [(p.organisation_id, p.lead, p.budget_cents) for p in contract.parties] == [
        (lead_org, True, 100_000_00),
        (partner_org, False, 100_000_00),
    ]
    assert contract.value_cents == 200_000_00
    assert (contract.period_start, contract.period_end) == (date(2026, 9, 1), date(2029, 8, 31))
    # The committed target is version 2's (61 was version 1's), and the periods are quarterly.
    (indicator,) = contract.indicators
    assert indicator.committed_target == 62
    assert indicator.baseline_value == 22 and indicator.name == "Terug op school"
    assert len(indicator.periods) == 12
    assert (indicator.periods[0].start, indicator.periods[0].end) == (
        date(2026, 9, 1),
        date(2026, 11, 30),
    )
    assert indicator.periods[-1].end == date(2029, 8, 31)
    # The payment model's defaults: 70 % fixed, the rest the cap on results payments.
    assert contract.fixed_share_bp == 7_000
    assert contract.fixed_cents == 140_000_00
    assert contract.results_cap_cents == 60_000_00
    schedule = contract.fixed_schedule()
    assert len(schedule) == 12 and sum(p.amount_cents for p in schedule) == 140_000_00

    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "contract.made"))
    assert event.entity_id == contract.id
    assert event.data["value_cents"] == 200_000_00
    assert event.data["content_hash"] == contract.content_hash


async def test_terms_given_at_award_set_the_period_and_the_payment_model(make, db, world):
    users, challenge, winner, _rival = world
    past_the_deadline(make, challenge)
    terms = ContractTerms(
        fixed_share_bp=8_000,
        results_cap_cents=25_000_00,
        payment_frequency="half_yearly",
        period_start=date(2027, 1, 1),
        period_end=date(2028, 12, 31),
    )
    made = await service.make_contract(
        make.ctx(users["officer"]), challenge.id, winner.public_id, terms
    )
    contract = await _loaded(db, made.id)
    assert (contract.period_start, contract.period_end) == (date(2027, 1, 1), date(2028, 12, 31))
    assert len(contract.indicators[0].periods) == 8
    assert contract.fixed_cents == 160_000_00 and contract.results_cap_cents == 25_000_00
    # Half-years of 181, 184, 182 (2028 is a leap year) and 184 days out of 731: € 160,000 ×
    # 181/731 = 39,616.963…, × 184/731 = 40,273.597…, × 182/731 = 39,835.841…; the two cents
    # left over go to the two largest remainders (.597…, both 184-day halves).
    assert [p.amount_cents for p in contract.fixed_schedule()] == [
        39_616_96,
        40_273_60,
        39_835_84,
        40_273_60,
    ]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("other_officer", Forbidden),
        ("auditor", Forbidden),
        ("admin", Forbidden),
        ("lead", Forbidden),
        ("evaluator", Forbidden),
        (None, Unauthenticated),
    ],
)
async def test_only_the_owning_policy_officers_make_a_contract(make, db, world, who, error):
    users, challenge, winner, _rival = world
    past_the_deadline(make, challenge)
    with pytest.raises(error):
        await service.make_contract(
            make.ctx(users[who] if who else None), challenge.id, winner.public_id
        )
    assert await _count(db) == 0


async def test_before_the_deadline_the_proposals_are_still_sealed(make, db, world):
    users, challenge, winner, _rival = world
    with pytest.raises(Conflict) as refused:
        await service.make_contract(make.ctx(users["officer"]), challenge.id, winner.public_id)
    assert refused.value.code == "sealed"
    with pytest.raises(Forbidden):  # others are simply not allowed, sealed or not
        await service.make_contract(
            make.ctx(users["other_officer"]), challenge.id, winner.public_id
        )
    assert await _count(db) == 0


async def test_only_an_opened_proposal_becomes_a_contract(make, db, world):
    """A coalition that withdrew before the deadline is not in the opening record, and neither
    is one that does not exist; the challenge must exist too."""
    users, challenge, winner, _rival = world
    quitter = await make.user(Role.provider_member)
    withdrawn = await submitted(make, challenge, quitter)
    await proposals.withdraw(make.ctx(quitter), withdrawn.public_id)
    past_the_deadline(make, challenge)
    officer = make.ctx(users["officer"])
    for coalition_id in (uuid4(), withdrawn.public_id):
        with pytest.raises(NotFound):
            await service.make_contract(officer, challenge.id, coalition_id)
    with pytest.raises(NotFound):
        await service.make_contract(officer, 2_000_000_000, winner.public_id)
    assert await _count(db) == 0


async def test_a_second_contract_for_the_challenge_is_refused(make, db, world):
    users, challenge, winner, rival = world
    past_the_deadline(make, challenge)
    officer = make.ctx(users["officer"])
    await service.make_contract(officer, challenge.id, winner.public_id)
    for coalition in (winner, rival):
        with pytest.raises(Conflict) as refused:
            await service.make_contract(officer, challenge.id, coalition.public_id)
        assert refused.value.code == "contract_exists"
    assert await _count(db) == 1


async def test_two_calls_at_the_same_moment_meet_the_unique_constraint(
    make, db, world, monkeypatch
):
    """The race: both pass the check before either has written. The constraint refuses the
    second with the same 409, and the first contract stays."""
    users, challenge, winner, rival = world
    past_the_deadline(make, challenge)
    officer = make.ctx(users["officer"])
    first = await service.make_contract(officer, challenge.id, winner.public_id)

    async def not_yet(ctx, challenge):
        return None

    monkeypatch.setattr(service, "assert_no_contract", not_yet)
    with pytest.raises(Conflict) as refused:
        await service.make_contract(officer, challenge.id, rival.public_id)
    assert refused.value.code == "contract_exists"
    assert await _count(db) == 1
    assert (await db.scalar(select(Contract.coalition_id))) == first.coalition_id


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"fixed_share_bp": 7_000, "results_cap_cents": 60_000_01}, "results_cap_cents"),
        ({"fixed_share_bp": 10_000, "results_cap_cents": 1}, "results_cap_cents"),
    ],
)
async def test_a_results_cap_above_the_results_share_is_refused(make, db, world, terms, field):
    users, challenge, winner, _rival = world
    past_the_deadline(make, challenge)
    with pytest.raises(ValidationFailed) as refused:
        await service.make_contract(
            make.ctx(users["officer"]), challenge.id, winner.public_id, ContractTerms(**terms)
        )
    assert set(refused.value.errors) == {field}
    assert await _count(db) == 0


async def test_a_cancelled_challenge_gets_no_contract(make, db, world):
    from app.challenges import lifecycle

    users, challenge, winner, _rival = world
    await lifecycle.cancel(make.ctx(users["officer"]), challenge.id, "Het budget is weg.")
    past_the_deadline(make, challenge)
    with pytest.raises(Conflict) as refused:
        await service.make_contract(make.ctx(users["officer"]), challenge.id, winner.public_id)
    assert refused.value.code == "invalid_transition"
    assert await _count(db) == 0


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"fixed_share_bp": 10_001}, "fixed_share_bp"),
        ({"fixed_share_bp": -1}, "fixed_share_bp"),
        ({"results_cap_cents": -5}, "results_cap_cents"),
        ({"payment_frequency": "weekly"}, "payment_frequency"),
        ({"period_start": "2027-01-01", "period_end": "2026-12-31"}, "period_end"),
        ({"period_start": "1850-01-01"}, "period_start"),
        ({"fixed_share": 7_000}, "fixed_share"),  # unknown fields are refused, not dropped
    ],
)
def test_bad_terms_are_refused_naming_the_field(given, field):
    from pydantic import ValidationError

    from app.validation import field_errors

    with pytest.raises(ValidationError) as refused:
        ContractTerms.model_validate(given)
    assert set(field_errors(refused.value.errors())) == {field}
