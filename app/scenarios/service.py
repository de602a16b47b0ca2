"""Saving cut scenarios, reading them back and listing a municipality's own.

A scenario is computed by `app.results.cuts.cut_scenario` on the portfolio's contracts as they
stand when it is saved; their figures are frozen with it, so it reads back exactly the same
cuts whatever results come in later. Saved scenarios never change: a new one is saved instead.
The owning municipality's policy officers save them; its officers, auditors and admins read
them; to anyone else a scenario does not exist (404).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.permissions import Action, assert_can, assert_signed_in, can
from app.challenges.search import Page
from app.context import Context
from app.errors import Conflict, NotFound, ValidationFailed
from app.evaluation.scores import exact
from app.i18n import Lazy
from app.results.amounts import Euros
from app.results.cuts import BadScenario, CutContract, Saving, Scenario, cut_scenario
from app.scenarios.models import CutScenarioRecord
from app.scenarios.schemas import ScenarioIn
from app.validation import checked, problems

# What the portfolio's expected results are counted in (app/results/portfolio_service.py).
UNIT = Lazy("euros of results")


@dataclass
class SavedScenario:
    """A saved scenario with both cuts computed again from its frozen inputs."""

    record: CutScenarioRecord
    scenario: Scenario

    @property
    def public_id(self) -> UUID:
        return self.record.public_id

    @property
    def author(self) -> str:
        return self.record.created_by.name

    @property
    def organisation(self) -> str:
        return self.record.organisation.name

    @property
    def percentage(self) -> Decimal | None:
        given = self.record.saving_percentage
        return Decimal(given) if given is not None else None


def freeze(contracts: Sequence[CutContract]) -> list[dict[str, Any]]:
    """The contract inputs as stored with the scenario: exact, in the order of their ids."""
    return [
        {
            "id": c.id,
            "name": c.name,
            "budget_cents": c.budget_cents,
            "expected_results": str(Fraction(exact(c.expected_results))),
            "estimated": c.estimated,
            "target_groups": sorted(set(c.target_groups)),
        }
        for c in sorted(contracts, key=lambda c: c.id)
    ]


def thaw(record: CutScenarioRecord) -> list[CutContract]:
    """The frozen inputs as the cuts take them, with the scenario's protections and floors."""
    protected = set(record.protected_contracts)
    return [
        CutContract(
            id=c["id"],
            budget_cents=c["budget_cents"],
            expected_results=Fraction(c["expected_results"]),
            target_groups=tuple(c["target_groups"]),
            protected=c["id"] in protected,
            floor_cents=record.floors.get(c["id"], 0),
            estimated=c["estimated"],
            name=c["name"],
        )
        for c in record.contracts
    ]


def saving_of(record: CutScenarioRecord) -> Saving:
    if record.saving_percentage is not None:
        return Saving.of_percentage(Decimal(record.saving_percentage))
    return Saving.of_amount(record.saving_amount_cents or 0)


def compute(record: CutScenarioRecord) -> Scenario:
    return cut_scenario(
        thaw(record),
        saving_of(record),
        record.protected_groups,
        unit=UNIT,  # type: ignore[arg-type]
    )


def _contract_key(contract_id: int) -> str:
    """A contract as the portfolio's cut inputs name it."""
    return str(contract_id)


def check_input(data: ScenarioIn, contracts: Sequence[CutContract]) -> dict[str, Lazy]:
    """Every mistake in the input at once, each under its field; empty when it computes."""
    errors: dict[str, Lazy] = {}
    total = sum(c.budget_cents for c in contracts)
    amount, percentage = data.saving_amount_cents, data.saving_percentage
    if (amount is None) == (percentage is None):
        errors["saving"] = Lazy(
            "Give the saving as an amount or as a percentage: one of the two, not both."
        )
    elif amount is not None and amount < 0:
        errors["saving_amount_cents"] = Lazy("A saving cannot be negative.")
    elif amount is not None and amount > total:
        errors["saving_amount_cents"] = Lazy(
            "The saving of %(saving)s is larger than the total budget of %(total)s.",
            saving=Euros(amount),
            total=Euros(total),
        )
    elif percentage is not None and not 0 <= percentage <= 100:
        errors["saving_percentage"] = Lazy("A percentage lies between 0 and 100.")
    by_id = {c.id: c for c in contracts}
    unknown = [str(i) for i in data.protected_contracts if _contract_key(i) not in by_id]
    if unknown:
        errors["protected_contracts"] = Lazy(
            "This portfolio has no contract %(ids)s.", ids=", ".join(unknown)
        )
    served = {group for c in contracts for group in c.target_groups}
    strange = [g for g in data.protected_target_groups if g not in served]
    if strange:
        errors["protected_target_groups"] = Lazy(
            "No contract in this portfolio serves %(groups)s.",
            groups=", ".join(f"“{g}”" for g in strange),
        )
    seen: set[int] = set()
    for index, floor in enumerate(data.floors):
        contract = by_id.get(_contract_key(floor.contract_id))
        if contract is None:
            errors[f"floors.{index}.contract_id"] = Lazy(
                "This portfolio has no contract %(ids)s.", ids=str(floor.contract_id)
            )
        elif floor.contract_id in seen:
            errors[f"floors.{index}.contract_id"] = Lazy("This contract has a floor already.")
        elif not 0 <= floor.floor_cents <= contract.budget_cents:
            errors[f"floors.{index}.floor_cents"] = Lazy(
                "The floor of %(contract)s must lie between 0 and its budget of %(budget)s.",
                contract=contract.label,
                budget=Euros(contract.budget_cents),
            )
        seen.add(floor.contract_id)
    return errors


def _lenient(data: ScenarioIn | dict[str, Any]) -> ScenarioIn | None:
    """The input read with a stand-in name, so that the saving, protections and floors are
    checked too when only the name is missing (every mistake is named at once)."""
    if isinstance(data, ScenarioIn):
        return data
    try:
        return ScenarioIn.model_validate({**data, "name": "-"})
    except ValidationError:
        return None


def problems_in(data: dict[str, Any], contracts: Sequence[CutContract]) -> dict[str, Lazy]:
    """What is wrong with `data` as a scenario on `contracts`, without saving anything."""
    found = problems(ScenarioIn, data)
    lenient = _lenient(data)
    return {**check_input(lenient, contracts), **found} if lenient else found


async def portfolio_contracts(
    ctx: Context, theme: str | None, target_group: str | None
) -> list[CutContract]:
    """The municipality's contracts as a scenario takes them, from the portfolio."""
    from app.results.portfolio_service import load_portfolio

    portfolio = await load_portfolio(ctx, theme=theme, target_group=target_group)
    return list(portfolio.cut_contracts())


async def create_scenario(
    ctx: Context, data: ScenarioIn | dict, contracts: Sequence[CutContract] | None = None
) -> SavedScenario:
    """Compute both cuts of the saving on the portfolio as it stands (or on `contracts`, as
    given) and save the scenario with its inputs frozen; refused with every mistake at once."""
    user = assert_signed_in(ctx.user)
    assert_can(user, Action.scenario_create)
    lenient = _lenient(data)
    if lenient is None:
        data = checked(ScenarioIn, data)  # raises, naming every field that is wrong
    theme = lenient.theme.value if lenient.theme else None
    target_group = lenient.target_group or None
    if contracts is None:
        contracts = await portfolio_contracts(ctx, theme, target_group)
    if not contracts:
        raise Conflict(
            "There are no contracts to cut: the portfolio (with these filters) is empty.",
            code="no_contracts",
        )
    errors = {**check_input(lenient, contracts), **problems(ScenarioIn, data)}
    if errors:
        raise ValidationFailed(errors)
    data = checked(ScenarioIn, data)
    record = CutScenarioRecord(
        organisation_id=user.organisation_id,
        name=data.name,
        created_by_id=user.id,
        created_at=ctx.now,
        saving_amount_cents=data.saving_amount_cents,
        saving_percentage=(
            format(data.saving_percentage.normalize(), "f")
            if data.saving_percentage is not None
            else None
        ),
        protected_contracts=sorted({_contract_key(i) for i in data.protected_contracts}),
        protected_groups=sorted(set(data.protected_target_groups)),
        floors={_contract_key(f.contract_id): f.floor_cents for f in data.floors},
        filters={"theme": theme, "target_group": target_group},
        contracts=freeze(contracts),
    )
    try:
        scenario = compute(record)
    except BadScenario as error:  # what check_input did not foresee: still the user's input
        raise ValidationFailed({"saving": error.args[0]}) from error
    record.saving_cents = scenario.saving_cents
    record.total_budget_cents = scenario.total_budget_cents
    record.short_cents = scenario.flat.short_cents
    record.flat_results_lost = str(scenario.flat.results_lost_shown)
    record.results_results_lost = str(scenario.results.results_lost_shown)
    ctx.db.add(record)
    await ctx.db.flush()
    await ctx.record(
        "scenario.saved",
        "cut_scenario",
        record.id,
        scenario=str(record.public_id),
        name=record.name,
        saving_amount_cents=record.saving_amount_cents,
        saving_percentage=record.saving_percentage,
        saving_cents=record.saving_cents,
        protected_contracts=record.protected_contracts,
        protected_target_groups=record.protected_groups,
        floors=record.floors,
        filters=record.filters,
        contracts=len(record.contracts),
        short_cents=record.short_cents,
        flat_results_lost=record.flat_results_lost,
        results_based_results_lost=record.results_results_lost,
    )
    record.created_by = user
    record.organisation = user.organisation
    return SavedScenario(record, scenario)


def _loaded():
    return (
        selectinload(CutScenarioRecord.created_by),
        selectinload(CutScenarioRecord.organisation),
    )


async def get_scenario(ctx: Context, public_id: UUID) -> SavedScenario:
    """A saved scenario of the caller's own municipality; to anyone else it does not exist."""
    user = assert_signed_in(ctx.user)
    record = await ctx.db.scalar(
        select(CutScenarioRecord)
        .where(CutScenarioRecord.public_id == public_id)
        .options(*_loaded())
    )
    if record is None or not can(user, Action.scenario_read, record):
        raise NotFound("This scenario does not exist.")
    return SavedScenario(record, compute(record))


async def list_scenarios(ctx: Context, page: int = 1, per_page: int = 20) -> Page:
    """The municipality's saved scenarios, newest first (the records; nothing recomputed)."""
    user = assert_signed_in(ctx.user)
    assert_can(user, Action.scenario_read)
    query = select(CutScenarioRecord).where(
        CutScenarioRecord.organisation_id == user.organisation_id
    )
    total = await ctx.db.scalar(select(func.count()).select_from(query.subquery()))
    items = (
        await ctx.db.scalars(
            query.options(selectinload(CutScenarioRecord.created_by))
            .order_by(CutScenarioRecord.created_at.desc(), CutScenarioRecord.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ).all()
    return Page(items=list(items), total=total or 0, page=page, per_page=per_page)
