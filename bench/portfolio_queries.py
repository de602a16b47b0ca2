"""The portfolio over many contracts: SQL statements and time per request, page and API.

    .venv/bin/python bench/portfolio_queries.py [--contracts 1000] [--runs 5] [--database-url URL]

Builds, in a scratch SQLite database (or the scratch database given, which must be empty and
is migrated), one municipality with N contracts inserted in bulk (tests/results/portfolio_world.py:
two indicators each, one valued by the municipality every other contract, quarterly periods,
accepted reports for four contracts in five, payments for one in three), then asks, as its policy
officer, through the app in this process (httpx over ASGI): the page `GET /portfolio`, the same
page's results block as htmx asks for it, `GET /api/v1/portfolio` and its CSV. For each it counts
the SQL statements the database received for one request (reading the session or token
included, and on SQLite the BEGIN that every request's transaction starts with; not the demo
clock's cached offset, read every few seconds whatever the page) and prints the median, min and
max wall-clock time and the median CPU time of this process (client included, a small part)
over `--runs` requests after one warm-up. The issue's target: at most 10
statements over 1,000 contracts. Times depend on the machine: read them, do not assert them.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import async_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.auth.passwords import hash_password  # noqa: E402
from app.auth.service import create_api_token  # noqa: E402
from app.challenges.models import Challenge, ChallengeStatus  # noqa: E402
from app.clock import FrozenClock  # noqa: E402
from app.coalitions.models import Coalition  # noqa: E402
from app.config import Settings, normalise_database_url  # noqa: E402
from app.db import create_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.organisations.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from app.proposals.models import ProposalSubmission, SubmissionStatus  # noqa: E402
from tests.results.portfolio_world import add_contracts  # noqa: E402

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
EMAIL, PASSWORD = "portefeuille@benchstad.nl", "bench-portfolio"


async def build(maker, contracts: int) -> tuple[User, str]:
    """The municipality, its officer, a provider's coalition and N contracts; the officer's
    API token."""
    async with maker() as db:
        moment = datetime(2025, 1, 1, 9, tzinfo=UTC)
        town = Organisation(
            name="Gemeente Benchstad", kind=OrganisationKind.municipality, created_at=moment
        )
        provider = Organisation(
            name="Aanbieder Bench",
            kind=OrganisationKind.company,
            kvk_number="99999999",
            created_at=moment,
        )
        db.add_all([town, provider])
        await db.flush()
        officer = User(
            email=EMAIL,
            name="Beleidsmedewerker Bench",
            organisation_id=town.id,
            role=Role.policy_officer,
            password_hash=hash_password(PASSWORD),
            created_at=moment,
        )
        db.add(officer)
        await db.flush()
        first = Challenge(
            organisation_id=town.id,
            status=ChallengeStatus.published,
            title="De opgave van de coalitie",
            created_by_id=officer.id,
            created_at=moment,
            updated_at=moment,
            published_at=moment,
        )
        db.add(first)
        await db.flush()
        coalition = Coalition(
            challenge_id=first.id,
            name="Coalitie Bench",
            lead_organisation_id=provider.id,
            created_by_id=officer.id,
            created_at=moment,
        )
        db.add(coalition)
        await db.flush()
        submission = await db.scalar(
            insert(ProposalSubmission)
            .values(
                challenge_id=first.id,
                coalition_id=coalition.id,
                version=1,
                receipt_number="BENCH-1",
                submitted_at=moment,
                submitted_by_id=officer.id,
                content_hash="0" * 64,
                sealed_content=b"",
                status=SubmissionStatus.current,
            )
            .returning(ProposalSubmission.id)
        )
        started = time.perf_counter()
        await add_contracts(
            db,
            contracts,
            organisation_id=town.id,
            user_id=officer.id,
            coalition_id=coalition.id,
            submission_id=submission,
            today=NOW.date(),
        )
        token = await create_api_token(db, officer, NOW)
        await db.commit()
        print(f"built {contracts:,} contracts in {time.perf_counter() - started:.1f} s")
        return officer, token


async def measure(database_url: str, contracts: int, runs: int, documents: Path) -> list[tuple]:
    engine = create_engine(database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    _officer, token = await build(maker, contracts)
    clock = FrozenClock(NOW)
    settings = Settings(environment="test", database_url=database_url, documents_dir=documents)
    app = create_app(settings, clock=clock)
    app.state.sessionmaker = maker
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "clock_offset" not in statement:
            statements.append(statement)

    requests = [
        ("page /portfolio", "/portfolio", {}),
        (
            "htmx block, sorted by cost",
            "/portfolio?sort=cost",
            {"HX-Request": "true", "HX-Target": "results"},
        ),
        ("API /api/v1/portfolio", "/api/v1/portfolio", {"Authorization": f"Bearer {token}"}),
        ("API, CSV", "/api/v1/portfolio?format=csv", {"Authorization": f"Bearer {token}"}),
    ]
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.get("/login")
        csrf = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        await client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf, "next": "/"}
        )
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        for name, path, headers in requests:
            response = await client.get(path, headers=headers)  # warm
            assert response.status_code == 200, (name, response.status_code, response.text[:300])
            times, cpu, counts = [], [], set()
            for _ in range(runs):
                statements.clear()
                started, used = time.perf_counter(), time.process_time()
                response = await client.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
                counts.add(len(statements))
            rows.append(
                (
                    name,
                    contracts,
                    response.status_code,
                    "/".join(map(str, sorted(counts))),
                    statistics.median(times),
                    min(times),
                    max(times),
                    statistics.median(cpu),
                    len(response.content),
                )
            )
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    await engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="an empty scratch database (default: SQLite)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="uitkomst-bench-") as tmp:
        for size in args.contracts:
            url = normalise_database_url(
                args.database_url or f"sqlite:///{Path(tmp) / f'portfolio-{size}.db'}"
            )
            upgrade(url)
            results.extend(asyncio.run(measure(url, size, args.runs, Path(tmp) / "documents")))
            if args.database_url:
                break  # one portfolio per scratch database
    print(
        f"{'request':<28} {'contracts':>9} {'status':>6} {'statements':>10} "
        f"{'median ms':>9} {'min ms':>8} {'max ms':>8} {'CPU ms':>8} {'bytes':>9}"
    )
    for name, size, status, counted, median, low, high, used, size_bytes in results:
        print(
            f"{name:<28} {size:>9} {status:>6} {counted:>10} {median:>9.1f} {low:>8.1f} "
            f"{high:>8.1f} {used:>8.1f} {size_bytes:>9,}"
        )


if __name__ == "__main__":
    main()
