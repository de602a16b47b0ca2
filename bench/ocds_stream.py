"""Releases per second through GET /api/v1/ocds/releases.jsonl, and the server's peak memory.

    .venv/bin/python bench/ocds_stream.py [--contracts 10000]

Builds a scratch SQLite database (migrated, then N published challenges, each with an
indicator, two criteria, an answered question and a contract with two parties, inserted in
bulk), serves Uitkomst with one uvicorn process on a free port of 127.0.0.1, streams the whole
JSON Lines download once with httpx, and prints the releases per second and the server's peak
resident memory (VmHWM from /proc). All traffic stays on 127.0.0.1; the server and the
temporary directory are removed on exit. The issue's targets: at least 5,000 releases per
second, under 150 MB. The figures are for reading, not for asserting.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.challenges.models import (  # noqa: E402
    Challenge,
    ChallengeStatus,
    Criterion,
    CriterionKind,
    Direction,
    Frequency,
    Indicator,
    Question,
)
from app.contracts.models import (  # noqa: E402
    Contract,
    ContractIndicator,
    ContractParty,
    ContractStatus,
)
from app.migrate import upgrade  # noqa: E402
from app.organisations.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from bench.challenge_list import Server, running, uitkomst_env  # noqa: E402

START = datetime(2025, 1, 1, 9, tzinfo=UTC)
PROVIDERS = 50
CHUNK = 2_000


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MB; None off Linux."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rows_in_chunks(table, rows, connection) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start : start + CHUNK])


def build(database_url: str, contracts: int) -> None:
    """N published challenges with a contract each, in bulk (no services: speed only)."""
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        organisations = [
            {
                "id": 1,
                "name": "Gemeente Benchstad",
                "kind": OrganisationKind.municipality,
                "kvk_number": None,
                "created_at": START,
            }
        ] + [
            {
                "id": 2 + n,
                "name": f"Aanbieder {n}",
                "kind": OrganisationKind.company,
                "kvk_number": f"{10_000_000 + n}",
                "created_at": START,
            }
            for n in range(PROVIDERS)
        ]
        connection.execute(insert(Organisation), organisations)
        connection.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "email": "bench@benchstad.nl",
                    "name": "Bench",
                    "organisation_id": 1,
                    "role": Role.policy_officer,
                    "password_hash": None,
                    "created_at": START,
                }
            ],
        )
        challenges, indicators, criteria, questions = [], [], [], []
        deals, parties, promised = [], [], []
        for n in range(1, contracts + 1):
            published = START + timedelta(minutes=n)
            deadline = published + timedelta(days=30)
            challenges.append(
                {
                    "id": n,
                    "organisation_id": 1,
                    "status": ChallengeStatus.published,
                    "theme": None,
                    "title": f"Uitdaging {n}",
                    "summary": "Meer jongeren aan het werk.",
                    "desired_result": "Jongeren werken na een jaar nog.",
                    "budget_cents": 100_000_00 + n,
                    "period_start": date(2026, 1, 1),
                    "period_end": date(2027, 12, 31),
                    "question_deadline": published + timedelta(days=10),
                    "submission_deadline": deadline,
                    "created_by_id": 1,
                    "created_at": published,
                    "updated_at": published,
                    "published_at": published,
                }
            )
            indicators.append(
                {
                    "id": n,
                    "challenge_id": n,
                    "position": 0,
                    "name": "Jongeren aan het werk",
                    "unit": "jongeren",
                    "baseline_value": 40.0,
                    "baseline_date": date(2024, 12, 31),
                    "direction": Direction.increase,
                    "target_value": 100.0,
                    "reporting_frequency": Frequency.quarterly,
                }
            )
            for position, (name, weight) in enumerate((("Aanpak", 60), ("Resultaat", 40))):
                criteria.append(
                    {
                        "challenge_id": n,
                        "position": position,
                        "kind": CriterionKind.quality,
                        "name": name,
                        "weight": weight,
                    }
                )
            questions.append(
                {
                    "challenge_id": n,
                    "number": 1,
                    "text": "Mag een coalitie groter zijn?",
                    "asked_by_id": 1,
                    "asked_at": published + timedelta(days=2),
                    "answer": "Ja.",
                    "answered_by_id": 1,
                    "answered_at": published + timedelta(days=3),
                }
            )
            deals.append(
                {
                    "id": n,
                    "reference": f"BENCH-{n:06d}",
                    "challenge_id": n,
                    "coalition_id": 1,
                    "submission_id": 1,
                    "coalition_name": f"Coalitie {n}",
                    "version": 1,
                    "receipt_number": f"R-{n:06d}",
                    "content_hash": "0" * 64,
                    "value_cents": 100_000_00 + n,
                    "period_start": date(2026, 1, 1),
                    "period_end": date(2027, 12, 31),
                    "status": ContractStatus.running,
                    "fixed_share_bp": 8000,
                    "results_cap_cents": 20_000_00,
                    "payment_frequency": Frequency.quarterly,
                    "created_at": deadline + timedelta(days=40),
                    "created_by_id": 1,
                }
            )
            for position in range(2):
                organisation = 2 + (n + position) % PROVIDERS
                parties.append(
                    {
                        "contract_id": n,
                        "position": position,
                        "organisation_id": organisation,
                        "name": f"Aanbieder {organisation - 2}",
                        "kvk_number": f"{10_000_000 + organisation - 2}",
                        "lead": position == 0,
                        "role": "",
                        "budget_cents": 50_000_00,
                    }
                )
            promised.append(
                {
                    "contract_id": n,
                    "indicator_id": n,
                    "position": 0,
                    "name": "Jongeren aan het werk",
                    "unit": "jongeren",
                    "direction": Direction.increase,
                    "baseline_value": 40.0,
                    "baseline_date": date(2024, 12, 31),
                    "committed_target": 120.0,
                    "reporting_frequency": Frequency.quarterly,
                }
            )
        for table, rows in (
            (Challenge, challenges),
            (Indicator, indicators),
            (Criterion, criteria),
            (Question, questions),
            (Contract, deals),
            (ContractParty, parties),
            (ContractIndicator, promised),
        ):
            rows_in_chunks(table, rows, connection)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="uitkomst-ocds-bench-"))
    try:
        env = uitkomst_env(workdir, None)
        started = time.perf_counter()
        build(env["DATABASE_URL"], args.contracts)
        print(f"built {args.contracts:,} contracts in {time.perf_counter() - started:.1f} s")
        server = Server("uitkomst", ["app.main:create_app", "--factory"], env, workdir, None)
        with running(server):
            server.wait_ready("/healthz")
            idle = peak_rss_mb(server.process.pid)
            count, size = 0, 0
            started = time.perf_counter()
            with (
                httpx.Client(base_url=server.url, timeout=120, trust_env=False) as client,
                client.stream("GET", "/api/v1/ocds/releases.jsonl") as response,
            ):
                response.raise_for_status()
                for line in response.iter_lines():
                    if line:
                        json.loads(line)
                        count += 1
                        size += len(line) + 1
            seconds = time.perf_counter() - started
            peak = peak_rss_mb(server.process.pid)
        print(f"releases:          {count:,} ({size / 1e6:.1f} MB of JSON Lines)")
        print(f"time:              {seconds:.2f} s")
        print(f"releases / second: {count / seconds:,.0f}")
        if peak is not None:
            print(f"server peak RSS:   {peak:.0f} MB (after start-up: {idle:.0f} MB)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
