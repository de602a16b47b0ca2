"""What a cut scenario takes and gives through the API (the pages fill the same input)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.challenges.models import Theme
from app.contracts.schemas import MAX_CENTS
from app.db import MAX_INT
from app.validation import NAME_MAX, TEXT_MAX, Input

MAX_CONTRACTS = 5_000  # protections and floors named in one scenario
MAX_GROUPS = 500
ContractId = Annotated[int, Field(ge=1, le=MAX_INT)]
GroupName = Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


class FloorIn(Input):
    """The least a contract keeps, whatever the cut."""

    contract_id: ContractId
    floor_cents: Annotated[int, Field(ge=-MAX_CENTS, le=MAX_CENTS)]


class ScenarioIn(Input):
    """A saving to make on the municipality's running contracts: an amount in cents or a
    percentage of their total budget (one of the two), with the contracts and target groups to
    protect and a floor per contract where wanted. `theme` and `target_group` narrow the
    portfolio the scenario works on."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    saving_amount_cents: Annotated[int, Field(ge=-MAX_CENTS, le=MAX_CENTS)] | None = None
    saving_percentage: (
        Annotated[Decimal, Field(ge=-1_000_000, le=1_000_000, max_digits=14, decimal_places=6)]
        | None
    ) = None
    protected_contracts: Annotated[list[ContractId], Field(max_length=MAX_CONTRACTS)] = []
    protected_target_groups: Annotated[list[GroupName], Field(max_length=MAX_GROUPS)] = []
    floors: Annotated[list[FloorIn], Field(max_length=MAX_CONTRACTS)] = []
    theme: Theme | None = None
    target_group: Annotated[str, Field(max_length=TEXT_MAX)] | None = None

    model_config = {
        **Input.model_config,
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Bezuiniging 2027: 10%",
                    "saving_percentage": "10",
                    "protected_target_groups": ["Gezinnen met meervoudige problemen"],
                },
                {
                    "name": "Kaasschaaf of resultaat: € 150.000",
                    "saving_amount_cents": 15_000_000,
                    "protected_contracts": [3],
                    "floors": [{"contract_id": 4, "floor_cents": 20_000_000}],
                },
            ]
        },
    }


class CutFigures(BaseModel):
    """One cut's effect on a contract or a target group."""

    cut_cents: int
    after_cents: int
    results_lost: str  # rounded to two decimals


class ContractCutOut(BaseModel):
    contract_id: int
    name: str
    target_groups: list[str]
    protected: bool
    protected_by_groups: list[str]
    floor_cents: int
    estimated: bool  # expected results estimated from the committed targets
    budget_cents: int
    expected_results: str
    results_per_euro: str
    flat: CutFigures
    results_based: CutFigures


class GroupCutOut(BaseModel):
    target_group: str
    protected: bool
    budget_cents: int
    expected_results: str
    flat: CutFigures
    results_based: CutFigures


class CutOut(BaseModel):
    """The totals of one way to take the saving, with its rule in words."""

    cut_cents: int
    short_cents: int
    results_lost: str
    percentage: str | None  # the flat cut's common percentage
    rule: str


class ScenarioSummaryOut(BaseModel):
    id: UUID
    name: str
    created_at: datetime
    created_by: str
    saving_cents: int
    total_budget_cents: int
    short_cents: int
    flat_results_lost: str
    results_based_results_lost: str


class ScenarioOut(ScenarioSummaryOut):
    """A saved scenario: what was asked, both cuts per contract and per target group, the
    totals, any shortfall and every assumption in words. It never changes once saved."""

    organisation: str
    saving_amount_cents: int | None
    saving_percentage: str | None
    protected_contracts: list[int]
    protected_target_groups: list[str]
    floors: list[FloorIn]
    theme: str | None
    target_group: str | None
    unit: str
    results_before: str
    results_kept: str  # how many more expected results the results-based cut keeps
    shortfall: str | None  # in words, when protections and floors leave the saving out of reach
    flat: CutOut
    results_based: CutOut
    contracts: list[ContractCutOut]
    target_groups: list[GroupCutOut]
    assumptions: list[str]


class ScenarioPage(BaseModel):
    items: list[ScenarioSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int
