"""Making the contract from the winning opened proposal, once and for good.

`make_contract` is what the award step calls after the standstill. Before it writes anything it
checks, in this order (each a named function the award step can reuse):
1. the challenge exists for the caller (404) and the caller may contract it: a policy officer of
   the owning municipality, after the deadline (`assert_may_contract`: 403, or 409 while sealed);
2. the proposal was opened: it is in the opening record (`opened_entry`: 404 otherwise);
3. no contract exists yet for the challenge (`assert_no_contract`: 409; the unique constraint on
   the challenge settles two calls at the same moment the same way).
The award step adds its own before calling: the award decided for this coalition, the
standstill over, no open objection.
"""

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import Action, assert_can, awaits_opening, can, unsealed_at
from app.challenges.lifecycle import get_challenge
from app.challenges.models import Challenge, ChallengeStatus
from app.clock import AMSTERDAM
from app.context import Context
from app.contracts.models import (
    Contract,
    ContractIndicator,
    ContractParty,
    ContractStatus,
    ReportingPeriod,
)
from app.contracts.payments import results_share
from app.contracts.periods import reporting_periods
from app.contracts.schemas import ContractTerms
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.i18n import Lazy
from app.proposals.opening import opening
from app.proposals.service import submission_content


async def assert_may_contract(ctx: Context, challenge: Challenge) -> None:
    """The owning municipality's policy officers, on a published challenge whose proposals are
    opened; before the deadline they hear that the proposals are still sealed."""
    if awaits_opening(challenge, ctx.now) and can(
        ctx.user, Action.contract_create, challenge, unsealed_at(challenge)
    ):
        raise Conflict(
            "A contract is made from an opened proposal; the proposals stay sealed until the "
            "submission deadline.",
            code="sealed",
        )
    assert_can(ctx.user, Action.contract_create, challenge, ctx.now)
    if challenge.status != ChallengeStatus.published:
        raise InvalidTransition("Only a published challenge gets a contract.")


async def opened_entry(ctx: Context, challenge: Challenge, coalition_id: UUID) -> dict[str, Any]:
    """The proposal's line in the opening record: only an opened proposal becomes a contract."""
    record = await opening(ctx, challenge.id)
    for entry in record.entries:
        if entry["coalition_id"] == str(coalition_id):
            return entry
    raise NotFound("This proposal was not opened for this challenge.")


async def existing_contract(ctx: Context, challenge_id: int) -> Contract | None:
    return await ctx.db.scalar(select(Contract).where(Contract.challenge_id == challenge_id))


async def assert_no_contract(ctx: Context, challenge: Challenge) -> None:
    if await existing_contract(ctx, challenge.id) is not None:
        raise Conflict("This challenge already has a contract.", code="contract_exists")


def _period(challenge: Challenge, terms: ContractTerms) -> tuple[date, date]:
    start = terms.period_start or challenge.period_start
    end = terms.period_end or challenge.period_end
    errors: dict[str, Lazy] = {}
    if start is None:
        errors["period_start"] = Lazy("This field is required.")
    if end is None:
        errors["period_end"] = Lazy("This field is required.")
    if start is not None and end is not None and end <= start:
        errors["period_end"] = Lazy("The period must end after it starts.")
    if errors:
        raise ValidationFailed(errors)
    return start, end


def _parties(content: dict[str, Any]) -> list[ContractParty]:
    """Every member listed in the opened version, the lead first, with its budget share."""
    shares = {share["organisation_id"]: share["amount_cents"] for share in content["budget"]}
    members = sorted(content["coalition"]["members"], key=lambda m: not m["lead"])
    return [
        ContractParty(
            position=position,
            organisation_id=member["organisation_id"],
            name=member["name"],
            kvk_number=member["kvk_number"],
            lead=member["lead"],
            role=member["role"] or "",
            budget_cents=shares.get(member["organisation_id"], 0),
        )
        for position, member in enumerate(members)
    ]


def _indicators(
    challenge: Challenge, content: dict[str, Any], start: date, end: date
) -> list[ContractIndicator]:
    targets = {target["indicator_id"]: target["value"] for target in content["targets"]}
    indicators = []
    for position, indicator in enumerate(challenge.indicators):
        if indicator.id not in targets:
            raise Conflict(
                "The opened proposal commits no target for “%(name)s”.",
                code="target_missing",
                name=indicator.name,
            )
        periods = reporting_periods(start, end, indicator.reporting_frequency.value)
        indicators.append(
            ContractIndicator(
                indicator_id=indicator.id,
                position=position,
                name=indicator.name,
                unit=indicator.unit,
                direction=indicator.direction,
                baseline_value=indicator.baseline_value,
                baseline_date=indicator.baseline_date,
                committed_target=targets[indicator.id],
                reporting_frequency=indicator.reporting_frequency,
                periods=[
                    ReportingPeriod(number=p.number, start=p.start, end=p.end, due=p.due)
                    for p in periods
                ],
            )
        )
    return indicators


def _value(challenge: Challenge, parties: list[ContractParty]) -> int:
    value = sum(party.budget_cents for party in parties)
    if value <= 0 or (challenge.budget_cents is not None and value > challenge.budget_cents):
        raise Conflict(
            "The proposal's budget split does not fit within the challenge's budget.",
            code="budget_mismatch",
        )
    return value


def _results_cap(value: int, terms: ContractTerms) -> int:
    room = results_share(value, terms.fixed_share_bp)
    if terms.results_cap_cents is None:
        return room
    if terms.results_cap_cents > room:
        raise ValidationFailed(
            {
                "results_cap_cents": Lazy(
                    "The results cap is at most what the fixed share leaves of the value "
                    "(%(cents)s cents).",
                    cents=room,
                )
            }
        )
    return terms.results_cap_cents


async def make_contract(
    ctx: Context, challenge_id: int, coalition_id: UUID, terms: ContractTerms | None = None
) -> Contract:
    """The contract from the coalition's opened proposal, read through the proposals package."""
    terms = terms or ContractTerms()
    challenge = await get_challenge(ctx, challenge_id)
    await assert_may_contract(ctx, challenge)
    entry = await opened_entry(ctx, challenge, coalition_id)
    await assert_no_contract(ctx, challenge)
    submission, content = await submission_content(ctx, coalition_id, entry["version"])
    start, end = _period(challenge, terms)
    parties = _parties(content)
    value = _value(challenge, parties)
    contract = Contract(
        reference=f"UK-{ctx.now.astimezone(AMSTERDAM).year}-C{challenge.id:04d}",
        challenge_id=challenge.id,
        coalition_id=submission.coalition_id,
        submission_id=submission.id,
        coalition_name=content["coalition"]["name"],
        version=submission.version,
        receipt_number=submission.receipt_number,
        content_hash=submission.content_hash,
        value_cents=value,
        period_start=start,
        period_end=end,
        status=ContractStatus.running,
        fixed_share_bp=terms.fixed_share_bp,
        results_cap_cents=_results_cap(value, terms),
        payment_frequency=terms.payment_frequency,
        created_at=ctx.now,
        created_by_id=ctx.user.id,
        parties=parties,
        indicators=_indicators(challenge, content, start, end),
    )
    try:
        async with ctx.db.begin_nested():
            ctx.db.add(contract)
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict("This challenge already has a contract.", code="contract_exists") from error
    await ctx.record(
        "contract.made",
        "contract",
        contract.id,
        reference=contract.reference,
        challenge_id=challenge.id,
        coalition=contract.coalition_name,
        receipt_number=contract.receipt_number,
        content_hash=contract.content_hash,
        value_cents=value,
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        fixed_share_bp=contract.fixed_share_bp,
        results_cap_cents=contract.results_cap_cents,
        payment_frequency=contract.payment_frequency.value,
    )
    return contract
