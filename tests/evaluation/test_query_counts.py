"""The evaluation's pages and API run as many SQL statements for five proposals as for two: no
statement per proposal (bench/evaluation_queries.py prints the figures)."""

from datetime import timedelta

from tests.conftest import sign_in
from tests.evaluation.world import AFTER, build, counting


async def statements_per_page(client, engine, make, world, paths) -> dict[str, int]:
    found = {}
    with counting(engine) as counted:
        for name, who, path in paths(world):
            client.cookies.clear()
            headers = {}
            if path.startswith("/api/"):
                headers["Authorization"] = f"Bearer {await make.token(world.users[who])}"
            else:
                await sign_in(client, world.users[who].email)
            counted.clear()
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, (name, response.text)
            found[name] = len(counted)
    return found


def pages(world) -> list[tuple[str, str, str]]:
    base = f"/challenges/{world.challenge.id}"
    first = world.proposals[0].public_id
    return [
        ("tasks", "eva", f"{base}/evaluation"),
        ("score", "eva", f"{base}/evaluation/proposals/{first}"),
        ("consensus", "chair", f"{base}/evaluation/proposals/{first}/consensus"),
        ("award", "officer", f"{base}/award"),
        ("report (API)", "officer", f"/api/v1{base}/evaluation/report"),
        ("tasks (API)", "eva", f"/api/v1{base}/evaluation"),
    ]


async def test_no_statement_per_proposal(make, client, clock, engine):
    small = await build(make, proposals_count=2)
    large = await build(make, proposals_count=5)
    for world in (small, large):
        await world.form()
    clock.at = clock.at + timedelta(days=AFTER)
    for world in (small, large):
        await world.all_submitted()
    few = await statements_per_page(client, engine, make, small, pages)
    many = await statements_per_page(client, engine, make, large, pages)
    assert few == many
