"""How many SQL statements each evaluation page runs, and whether that grows with the number of
proposals (it must not: target at most 10 per page, the same for 3 proposals as for 30).

    .venv/bin/python bench/evaluation_queries.py [--proposals 3 12 30] [--database-url URL]

For each size it builds, in a scratch SQLite database (or the scratch database given), a
challenge past its deadline with that many opened proposals and a committee whose members have
all declared and submitted (tests/evaluation/world.py), then asks each page as the person who uses
it, through the app in this process (httpx over ASGI), and counts the statements the database
received for that one request (the session lookup included, as on every page, and on SQLite the
BEGIN IMMEDIATE that takes the write lock; not the demo clock's cached offset, read every few
seconds whatever the page). It also prints the server time per request, which on a shared
machine is only indicative.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.clock import FrozenClock  # noqa: E402
from app.config import Settings, normalise_database_url  # noqa: E402
from app.db import create_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests.evaluation.world import AFTER, build  # noqa: E402
from tests.factories import Factory  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "secret-pass"  # the factory's accounts


async def scored_world(maker, clock, proposals: int):
    async with maker() as db:
        world = await build(Factory(db, clock), proposals_count=proposals)
        await world.form()
        await world.all_submitted()
        await db.commit()
        return world


async def measure(
    database_url: str, proposals: int, documents: Path, args_show: str | None = None
) -> list[tuple]:
    engine = create_engine(database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    clock = FrozenClock(NOW)
    world = await scored_world(maker, clock, proposals)
    clock.at = NOW + timedelta(days=AFTER)
    settings = Settings(environment="test", database_url=database_url, documents_dir=documents)
    app = create_app(settings, clock=clock)
    app.state.sessionmaker = maker
    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:
        # The demo clock's offset is read every two seconds or so, whatever the page: left out.
        if "clock_offset" not in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    base = f"/challenges/{world.challenge.id}"
    first = world.proposals[0].public_id
    pages = [
        ("member's tasks", "eva", f"{base}/evaluation"),
        ("score a proposal", "eva", f"{base}/evaluation/proposals/{first}"),
        ("chair's consensus", "chair", f"{base}/evaluation/proposals/{first}/consensus"),
        ("committee", "officer", f"{base}/committee"),
        ("evaluation report", "officer", f"{base}/evaluation/report"),
        ("award (to decide)", "officer", f"{base}/award"),
        ("API: tasks", "eva", f"/api/v1{base}/evaluation"),
        ("API: report", "officer", f"/api/v1{base}/evaluation/report"),
    ]
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for name, who, path in pages:
            client.cookies.clear()
            login = await client.get("/login")
            token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
            email = world.users[who].email
            await client.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
            )
            headers = {}
            if path.startswith("/api/"):
                async with maker() as db:
                    headers["Authorization"] = (
                        f"Bearer {await Factory(db, clock).token(world.users[who])}"
                    )
                    await db.commit()
                client.cookies.clear()
            await client.get(path, headers=headers)  # warm: templates compiled, caches filled
            statements.clear()
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            rows.append((name, proposals, response.status_code, len(statements), elapsed))
            if args_show and name == args_show:
                print("\n".join(" ".join(s.split())[:150] for s in statements))
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    await engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, nargs="+", default=[3, 12, 30])
    parser.add_argument("--database-url", help="a scratch database (default: temporary SQLite)")
    parser.add_argument("--show", metavar="PAGE", help="print the statements of this page")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="uitkomst-bench-") as tmp:
        for size in args.proposals:
            url = normalise_database_url(
                args.database_url or f"sqlite:///{Path(tmp) / f'eval-{size}.db'}"
            )
            upgrade(url)
            results.extend(asyncio.run(measure(url, size, Path(tmp) / "documents", args.show)))
            if args.database_url:
                break  # one world per scratch database
    print(f"{'page':<22} {'proposals':>9} {'status':>6} {'statements':>10} {'ms':>8}")
    for name, size, status, statements, elapsed in sorted(results, key=lambda r: (r[0], r[1])):
        print(f"{name:<22} {size:>9} {status:>6} {statements:>10} {elapsed:>8.1f}")


if __name__ == "__main__":
    main()
