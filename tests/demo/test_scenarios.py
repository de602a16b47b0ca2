"""The demo's saved cut scenario: 10 % off Voorbeeldstad's running contracts with the households
of "Eén gezin, één coach" protected; the results-based cut keeps results the flat cut loses."""

from sqlalchemy import select

from app.demo.scenarios import NAME, OFFICER
from app.scenarios import service
from app.scenarios.models import CutScenarioRecord
from tests.demo.test_results import COACHES, demo  # noqa: F401 (the module's demo fixture)


async def test_a_saved_scenario_shows_the_point_of_the_product(demo):  # noqa: F811
    for email in ("controller@voorbeeldstad.nl", "jeugd@voorbeeldstad.nl"):
        await demo.db.refresh(demo.users[email], ["organisation"])  # as signing in loads it
    [record] = (await demo.db.scalars(select(CutScenarioRecord))).all()
    assert record.name == NAME and record.created_by_id == demo.users[OFFICER].id
    saved = await service.get_scenario(demo.ctx("controller@voorbeeldstad.nl"), record.public_id)
    s = saved.scenario
    assert len(s.flat.contracts) == 3 and record.saving_percentage == "10"
    assert s.saving_cents == round(s.total_budget_cents / 10) and s.flat.short_cents == 0
    [protected] = [c for c in s.results.contracts if c.protected]
    assert protected.contract == str(demo.contracts[COACHES])
    assert protected.protected_by_groups == tuple(record.protected_groups)
    assert protected.cut_cents == 0
    assert s.results.results_lost < s.flat.results_lost
    listed = await service.list_scenarios(demo.ctx("jeugd@voorbeeldstad.nl"))
    assert [r.id for r in listed.items] == [record.id]
