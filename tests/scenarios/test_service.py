"""Saving cut scenarios: the worked example saved and read back exactly, who may save and read,
every bad input refused with a clear message and nothing saved, a shortfall saved all the same."""

import random
from decimal import Decimal
from fractions import Fraction
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from app.organisations.models import OrganisationKind, Role
from app.results.cuts import CutContract, Saving, cut_scenario
from app.scenarios import service
from app.scenarios.models import CutScenarioRecord

# The worked example of app/results/cuts.py, with the portfolio's numeric ids: A is 1, B 2,
# C 3 (floor € 60,000 given with the scenario) and D 4 (protected with the scenario).
CONTRACTS = [
    CutContract("1", 100_000_00, 50, ("Jongeren",), name="Jongerenwerk"),
    CutContract("2", 200_000_00, 400, ("Schulden",), name="Schuldhulp", estimated=True),
    CutContract("3", 100_000_00, 20, ("Schulden",), name="Budgetcoaching"),
    CutContract("4", 50_000_00, 100, ("Wonen",), name="Thuis wonen"),
]
EXAMPLE = {
    "name": "Bezuiniging 2027",
    "saving_amount_cents": 60_000_00,
    "protected_contracts": [4],
    "floors": [{"contract_id": 3, "floor_cents": 60_000_00}],
}


@pytest.fixture
async def people(make):
    home = await make.org(OrganisationKind.municipality, name="Gemeente Thuis")
    elsewhere = await make.org(OrganisationKind.municipality, name="Gemeente Elders")
    provider = await make.org(OrganisationKind.welfare_organisation)
    return {
        "officer": await make.user(Role.policy_officer, org=home),
        "colleague": await make.user(Role.policy_officer, org=home),
        "auditor": await make.user(Role.auditor, org=home),
        "admin": await make.user(Role.admin, org=home),
        "other_officer": await make.user(Role.policy_officer, org=elsewhere),
        "other_auditor": await make.user(Role.auditor, org=elsewhere),
        "provider": await make.user(Role.provider_member, org=provider),
        "provider_admin": await make.user(Role.admin, org=provider),
        "evaluator": await make.user(Role.evaluator, org=home),
        "no_role": await make.user(None, org=home),
    }


async def _saved_count(db) -> int:
    return await db.scalar(select(func.count()).select_from(CutScenarioRecord))


async def _events(db) -> list[str]:
    return list((await db.scalars(select(AuditEvent.action))).all())


async def test_the_worked_example_is_saved_and_reads_back_the_same(make, people):
    """€ 60,000: the flat cut takes 15 % of 1, 2 and 3 (70.5 results lost); the results-based
    cut takes € 40,000 from 3 down to its floor and € 20,000 from 1 (18 lost)."""
    saved = await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)
    s = saved.scenario
    assert s.flat.percentage == Decimal("15.00")
    assert s.flat.results_lost == Fraction(141, 2) and s.results.results_lost == 18
    assert [c.cut_cents for c in s.results.contracts] == [20_000_00, 0, 40_000_00, 0]
    record = saved.record
    assert record.organisation_id == people["officer"].organisation_id
    assert record.created_by_id == people["officer"].id and record.created_at == make.clock.now()
    assert (record.saving_cents, record.total_budget_cents, record.short_cents) == (
        60_000_00,
        450_000_00,
        0,
    )
    assert (record.flat_results_lost, record.results_results_lost) == ("70.50", "18.00")
    assert record.protected_contracts == ["4"] and record.floors == {"3": 60_000_00}
    assert record.contracts[1] == {
        "id": "2",
        "name": "Schuldhulp",
        "budget_cents": 200_000_00,
        "expected_results": "400",
        "estimated": True,
        "target_groups": ["Schulden"],
    }
    assert await _events(make.db) == ["scenario.saved"]

    again = await service.get_scenario(make.ctx(people["colleague"]), record.public_id)
    assert again.scenario == s
    assert again.author == people["officer"].name


async def test_a_saved_scenario_does_not_ask_the_portfolio_again(make, people, monkeypatch):
    """The inputs are frozen with it: reading it back never loads the contracts."""
    saved = await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)

    async def changed(*_args, **_kwargs):
        raise AssertionError("a saved scenario read the portfolio")

    monkeypatch.setattr(service, "portfolio_contracts", changed)
    again = await service.get_scenario(make.ctx(people["auditor"]), saved.public_id)
    assert again.scenario.results.results_lost == 18


async def test_public_ids_are_random(make, people):
    ids = [
        (await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)).public_id
        for _ in range(3)
    ]
    assert len(set(ids)) == 3 and all(i.version == 4 for i in ids)


@pytest.mark.parametrize("who", ["officer", "colleague", "auditor", "admin"])
async def test_the_municipality_reads_its_own_scenarios(make, people, who):
    saved = await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)
    found = await service.get_scenario(make.ctx(people[who]), saved.public_id)
    assert found.record.id == saved.record.id
    listed = await service.list_scenarios(make.ctx(people[who]))
    assert [r.id for r in listed.items] == [saved.record.id]


@pytest.mark.parametrize(
    "who", ["other_officer", "other_auditor", "provider", "provider_admin", "evaluator", "no_role"]
)
async def test_to_anyone_else_a_scenario_does_not_exist(make, people, who):
    saved = await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)
    with pytest.raises(NotFound):
        await service.get_scenario(make.ctx(people[who]), saved.public_id)


async def test_an_unknown_id_is_not_found_and_anonymous_callers_sign_in(make, people):
    with pytest.raises(NotFound):
        await service.get_scenario(make.ctx(people["officer"]), uuid4())
    with pytest.raises(Unauthenticated):
        await service.get_scenario(make.ctx(None), uuid4())
    with pytest.raises(Unauthenticated):
        await service.create_scenario(make.ctx(None), EXAMPLE, CONTRACTS)


async def test_another_municipality_lists_only_its_own(make, people):
    await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, CONTRACTS)
    assert (await service.list_scenarios(make.ctx(people["other_officer"]))).total == 0


@pytest.mark.parametrize(
    "who", ["auditor", "admin", "provider", "provider_admin", "evaluator", "no_role"]
)
async def test_only_policy_officers_save_scenarios(make, people, who):
    with pytest.raises(Forbidden):
        await service.create_scenario(make.ctx(people[who]), EXAMPLE, CONTRACTS)
    assert await _saved_count(make.db) == 0


@pytest.mark.parametrize("who", ["provider", "provider_admin", "evaluator", "no_role"])
async def test_only_the_municipality_lists_scenarios(make, people, who):
    with pytest.raises(Forbidden):
        await service.list_scenarios(make.ctx(people[who]))


async def test_the_list_is_newest_first_and_paged(make, people):
    names = []
    for n in range(5):
        ctx = make.ctx(people["officer"], days=n)
        names.append(
            (
                await service.create_scenario(ctx, {**EXAMPLE, "name": f"S{n}"}, CONTRACTS)
            ).record.name
        )
    page = await service.list_scenarios(make.ctx(people["auditor"]), page=2, per_page=2)
    assert [r.name for r in page.items] == ["S2", "S1"]
    assert (page.total, page.pages) == (5, 3)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"saving_amount_cents": -1}, "saving_amount_cents", "niet negatief"),
        (
            {"saving_amount_cents": 450_000_01},
            "saving_amount_cents",
            "groter dan het totale budget",
        ),
        ({"saving_amount_cents": None}, "saving", "bedrag of als percentage"),
        ({"saving_percentage": "10"}, "saving", "niet allebei"),
        (
            {"saving_amount_cents": None, "saving_percentage": "100.5"},
            "saving_percentage",
            "0 en 100",
        ),
        ({"saving_amount_cents": None, "saving_percentage": "-1"}, "saving_percentage", "0 en 100"),
        ({"protected_contracts": [4, 99]}, "protected_contracts", "geen contract 99"),
        ({"protected_target_groups": ["Ouderen"]}, "protected_target_groups", "“Ouderen”"),
        (
            {"floors": [{"contract_id": 98, "floor_cents": 1}]},
            "floors.0.contract_id",
            "geen contract 98",
        ),
        (
            {"floors": [{"contract_id": 3, "floor_cents": 100_000_01}]},
            "floors.0.floor_cents",
            "tussen 0 en zijn budget",
        ),
        (
            {"floors": [{"contract_id": 3, "floor_cents": -5}]},
            "floors.0.floor_cents",
            "tussen 0 en zijn budget",
        ),
        (
            {
                "floors": [
                    {"contract_id": 3, "floor_cents": 1},
                    {"contract_id": 3, "floor_cents": 2},
                ]
            },
            "floors.1.contract_id",
            "al een ondergrens",
        ),
        ({"name": ""}, "name", "verplicht"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    make, people, change, field, words
):
    with pytest.raises(ValidationFailed) as refused:
        await service.create_scenario(make.ctx(people["officer"]), {**EXAMPLE, **change}, CONTRACTS)
    texts = refused.value.field_texts()
    assert field in texts, texts
    assert words in texts[field], texts[field]
    assert await _saved_count(make.db) == 0
    assert await _events(make.db) == []


async def test_every_mistake_is_named_at_once(make, people):
    data = {
        **EXAMPLE,
        "saving_amount_cents": -1,
        "protected_contracts": [99],
        "floors": [{"contract_id": 3, "floor_cents": 200_000_00}],
    }
    with pytest.raises(ValidationFailed) as refused:
        await service.create_scenario(make.ctx(people["officer"]), data, CONTRACTS)
    assert set(refused.value.errors) == {
        "saving_amount_cents",
        "protected_contracts",
        "floors.0.floor_cents",
    }


async def test_an_empty_portfolio_is_a_conflict(make, people):
    with pytest.raises(Conflict) as refused:
        await service.create_scenario(make.ctx(people["officer"]), EXAMPLE, [])
    assert refused.value.code == "no_contracts"
    assert await _saved_count(make.db) == 0


async def test_protections_that_leave_the_saving_out_of_reach_are_saved_and_say_so(make, people):
    """Only 1 may lose anything (€ 100,000): the saving of € 300,000 falls short by € 200,000."""
    data = {
        **EXAMPLE,
        "saving_amount_cents": 300_000_00,
        "protected_contracts": [2, 4],
        "floors": [{"contract_id": 3, "floor_cents": 100_000_00}],
    }
    saved = await service.create_scenario(make.ctx(people["officer"]), data, CONTRACTS)
    assert saved.record.short_cents == 200_000_00
    assert saved.scenario.results.short_cents == 200_000_00
    assert "200.000,00" in str(saved.scenario.flat.shortfall)


async def test_a_percentage_is_kept_exactly(make, people):
    data = {
        "name": "Tien procent",
        "saving_percentage": "10.0",
        "protected_target_groups": ["Wonen"],
    }
    saved = await service.create_scenario(make.ctx(people["officer"]), data, CONTRACTS)
    assert saved.record.saving_percentage == "10"
    assert saved.record.protected_groups == ["Wonen"]
    assert saved.scenario.saving_cents == 45_000_00
    assert [c.cut_cents for c in saved.scenario.flat.contracts][3] == 0


async def test_saved_scenarios_keep_their_promise_on_random_portfolios(make, people):
    """Saved and read back, the results-based cut reaches the same saving as the flat cut and
    loses no more expected results, protections and floors kept."""
    rng = random.Random(20260302)
    ctx = make.ctx(people["officer"])
    for _ in range(15):
        contracts = [
            CutContract(
                str(n),
                rng.randint(0, 10**8),
                Fraction(rng.randint(0, 10**6), rng.randint(1, 1000)),
                (rng.choice("ABC"),),
                estimated=rng.random() < 0.3,
                name=f"Contract {n}",
            )
            for n in range(1, rng.randint(1, 12) + 1)
        ]
        total = sum(c.budget_cents for c in contracts)
        protected = [n for n in range(1, len(contracts) + 1) if rng.random() < 0.2]
        floors = [
            {"contract_id": int(c.id), "floor_cents": rng.randint(0, c.budget_cents)}
            for c in contracts
            if rng.random() < 0.3
        ]
        data = {
            "name": "Willekeurig",
            "saving_amount_cents": rng.randint(0, total),
            "protected_contracts": protected,
            "protected_target_groups": ["A"] if rng.random() < 0.3 else [],
            "floors": floors,
        }
        saved = await service.create_scenario(ctx, data, contracts)
        again = (await service.get_scenario(ctx, saved.public_id)).scenario
        flat, results = again.flat, again.results
        assert results.cut_cents == flat.cut_cents and results.short_cents == flat.short_cents
        assert results.results_lost <= flat.results_lost
        for one in results.contracts:
            assert 0 <= one.cut_cents <= one.can_lose_cents
            if one.protected:
                assert one.cut_cents == 0
        floor_of = {str(f["contract_id"]): f["floor_cents"] for f in floors}
        for one in results.contracts + flat.contracts:
            assert one.after_cents >= floor_of.get(one.contract, 0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**10),
            st.fractions(min_value=0, max_value=10**6, max_denominator=10**4),
            st.booleans(),
            st.sampled_from(["A", "B", "C"]),
        ),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 100),
)
def test_frozen_inputs_compute_exactly_what_was_computed(rows, percentage):
    """Whatever the figures, freezing and thawing them changes no cut by a cent or a fraction."""
    contracts = [
        CutContract(str(n), budget, results, (group,), estimated=estimated, name=f"C{n}")
        for n, (budget, results, estimated, group) in enumerate(rows, start=1)
    ]
    record = CutScenarioRecord(
        saving_amount_cents=None,
        saving_percentage=str(percentage),
        protected_contracts=["1"],
        protected_groups=["B"],
        floors={},
        contracts=service.freeze(contracts),
    )
    protected = [CutContract(**{**c.__dict__, "protected": c.id == "1"}) for c in contracts]
    direct = cut_scenario(protected, Saving.of_percentage(percentage), ["B"], unit=service.UNIT)
    assert service.compute(record) == direct
