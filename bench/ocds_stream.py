"""Releases per second through the OCDS bulk downloads (GET /api/v1/ocds/releases.jsonl and
/api/v1/ocds/releases.zip), and the server's peak memory.

    .venv/bin/python bench/ocds_stream.py [--contracts 10000] [--formats jsonl zip]

Builds a scratch SQLite database (migrated, then N published challenges, each with an
indicator, two criteria, an answered question and a contract with two parties, its quarterly
reporting periods, REPORTS accepted result reports and PAYMENTS payments, inserted in bulk:
1 + 1 + 1 + REPORTS + PAYMENTS releases per contract). For each format it starts Uitkomst
afresh (one uvicorn process on a free port of 127.0.0.1), streams the whole download once
with httpx, and prints the releases per second and the server's peak resident memory (VmHWM
from /proc), so each format's peak is its own. The zip is checked afterwards (zipfile, and
`unzip -t` where it is installed) and its releases counted. All traffic stays on 127.0.0.1;
the servers and the temporary directory are removed on exit. The issue's targets: at least
5,000 releases per second, under 150 MB. The figures are for reading, not for asserting.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
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
    ReportingPeriod,
)
from app.contracts.periods import reporting_periods  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.organisations.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from app.results.models import (  # noqa: E402
    ContractPayment,
    ReportStatus,
    ReportValue,
    ResultReport,
)
from bench.challenge_list import Server, running, uitkomst_env  # noqa: E402

START = datetime(2025, 1, 1, 9, tzinfo=UTC)
PROVIDERS = 50
CHUNK = 2_000
REPORTS = 4  # accepted result reports per contract (quarters 1 to 4 of 8)
PAYMENTS = 3  # payments per contract (quarters 1 to 3)
CONTRACT_START, CONTRACT_END = date(2026, 1, 1), date(2027, 12, 31)
QUARTERS = reporting_periods(CONTRACT_START, CONTRACT_END, "quarterly")


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MB; None off Linux."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """The CPU time the process has used (user + system), in seconds; None off Linux. On a
    machine shared with other work this says more than the wall-clock time does."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        periods, reports, values, payments = [], [], [], []
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
                    "period_start": CONTRACT_START,
                    "period_end": CONTRACT_END,
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
                    "id": n,
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
            for quarter in QUARTERS:
                periods.append(
                    {
                        "contract_indicator_id": n,
                        "number": quarter.number,
                        "start": quarter.start,
                        "end": quarter.end,
                        "due": quarter.due,
                    }
                )
            for quarter in QUARTERS[:REPORTS]:
                report_id = (n - 1) * REPORTS + quarter.number
                accepted = datetime.combine(quarter.end, datetime.min.time(), UTC)
                reports.append(
                    {
                        "id": report_id,
                        "contract_id": n,
                        "period": quarter.number,
                        "version": 1,
                        "status": ReportStatus.accepted,
                        "narrative": "Het gaat goed.",
                        "late": False,
                        "submitted_at": accepted + timedelta(days=10),
                        "submitted_by_id": 1,
                        "decided_at": accepted + timedelta(days=20),
                        "decided_by_id": 1,
                    }
                )
                values.append(
                    {
                        "report_id": report_id,
                        "contract_indicator_id": n,
                        "position": 0,
                        "value": 40.0 + 5 * quarter.number,
                        "people": (n + quarter.number) % 30,  # a few below five: "<5"
                    }
                )
            for quarter in QUARTERS[:PAYMENTS]:
                paid = quarter.end + timedelta(days=25)
                payments.append(
                    {
                        "id": (n - 1) * PAYMENTS + quarter.number,
                        "contract_id": n,
                        "period": quarter.number,
                        "amount_cents": 12_500_00 + n,
                        "paid_on": paid,
                        "recorded_at": datetime.combine(paid, datetime.min.time(), UTC),
                        "recorded_by_id": 1,
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
            (ReportingPeriod, periods),
            (ResultReport, reports),
            (ReportValue, values),
            (ContractPayment, payments),
        ):
            rows_in_chunks(table, rows, connection)
    engine.dispose()


def stream_jsonl(client: httpx.Client, workdir: Path) -> tuple[int, int]:
    """The releases and bytes of the JSON Lines download, each line parsed as it comes."""
    count, size = 0, 0
    with client.stream("GET", "/api/v1/ocds/releases.jsonl") as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line:
                json.loads(line)
                count += 1
                size += len(line) + 1
    return count, size


def stream_zip(client: httpx.Client, workdir: Path) -> tuple[int, int]:
    """The zip's bytes, written to a file as they come; its releases are counted afterwards."""
    path = workdir / "releases.zip"
    size = 0
    with client.stream("GET", "/api/v1/ocds/releases.zip") as response, path.open("wb") as out:
        response.raise_for_status()
        for piece in response.iter_raw():
            out.write(piece)
            size += len(piece)
    return -1, size


def check_zip(path: Path) -> int:
    """The releases in the downloaded zip, after zipfile (and unzip -t) found it sound."""
    with zipfile.ZipFile(path) as archive:
        if archive.testzip() is not None:
            raise SystemExit("the zip is damaged")
        with archive.open("releases.json") as member:
            count = len(json.load(member)["releases"])
    if shutil.which("unzip"):
        done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
        print(f"  unzip -t:         {done.stdout.strip() or done.stderr.strip()}")
    return count


STREAMS = {"jsonl": stream_jsonl, "zip": stream_zip}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--formats", nargs="+", choices=list(STREAMS), default=list(STREAMS))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="uitkomst-ocds-bench-"))
    try:
        env = uitkomst_env(workdir, None)
        started = time.perf_counter()
        build(env["DATABASE_URL"], args.contracts)
        print(
            f"built {args.contracts:,} contracts ({REPORTS} accepted reports and {PAYMENTS} "
            f"payments each) in {time.perf_counter() - started:.1f} s"
        )
        for name in args.formats:
            server = Server("uitkomst", ["app.main:create_app", "--factory"], env, workdir, None)
            with running(server):
                server.wait_ready("/healthz")
                idle = peak_rss_mb(server.process.pid)
                cpu = cpu_seconds(server.process.pid)
                started = time.perf_counter()
                with httpx.Client(base_url=server.url, timeout=120, trust_env=False) as client:
                    count, size = STREAMS[name](client, workdir)
                seconds = time.perf_counter() - started
                peak = peak_rss_mb(server.process.pid)
                used = cpu_seconds(server.process.pid)
            print(f"{name}:")
            if name == "zip":
                count = check_zip(workdir / "releases.zip")
            print(f"  releases:         {count:,} ({size / 1e6:.1f} MB sent)")
            print(f"  time:             {seconds:.2f} s")
            print(f"  releases/second:  {count / seconds:,.0f}")
            if cpu is not None and used is not None and used > cpu:
                busy = used - cpu
                print(f"  server CPU:       {busy:.2f} s ({count / busy:,.0f} releases/CPU-second)")
            if peak is not None:
                print(f"  server peak RSS:  {peak:.0f} MB (after start-up: {idle:.0f} MB)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
