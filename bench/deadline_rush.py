"""Coalitions rush to submit around the deadline while the municipality asks for the opening.

    .venv/bin/python bench/deadline_rush.py [--database-url URL] [--coalitions 80]
                                            [--submits 400] [--window 1.0] [--runs 1]

Builds a world in a database of its own (a temporary SQLite file, or the PostgreSQL database
given with --database-url, which must be empty: it is migrated and then filled), moves the
challenge's deadline to a moment just ahead, and sends `--submits` submissions, spread over
`--window` seconds either side of the deadline across the coalitions, through the app in this
process (httpx over ASGI, the real clock). Meanwhile the policy officer asks for the opening record
every few milliseconds. Afterwards it compares every receipt handed out with the opening record.

Prints: submitted, accepted, refused, lost (accepted but not in the opening, or the opening lists
a version that is not the coalition's last accepted one), accepted late (a receipt time at or after
the deadline), server errors, and the submit latency p50/p99. The figures are for reading; the
test tests/proposals/test_concurrency.py asserts the outcome (0 lost, 0 late, 0 server errors).
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
from sqlalchemy import update

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.challenges import lifecycle  # noqa: E402
from app.challenges.models import Challenge  # noqa: E402
from app.challenges.schemas import ChallengeIn  # noqa: E402
from app.clock import Clock  # noqa: E402
from app.config import Settings, normalise_database_url  # noqa: E402
from app.context import Context  # noqa: E402
from app.db import create_engine, install_database  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.organisations.models import Role  # noqa: E402
from app.proposals import service as proposals  # noqa: E402
from tests.factories import Factory, challenge_data, coalition_of, complete_content  # noqa: E402

OPENING_EVERY = 0.05  # seconds between the officer's requests for the opening record


@dataclass
class World:
    challenge_id: int
    deadline: datetime
    officer_token: str
    coalitions: dict[UUID, str]  # coalition's public id -> its lead's API token


@dataclass
class Outcome:
    coalition_id: UUID
    status: int
    body: dict
    seconds: float


@dataclass
class Report:
    submitted: int = 0
    accepted: int = 0
    refused: int = 0
    lost: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    server_errors: int = 0
    other: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    opening_reads: Counter = field(default_factory=Counter)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def lines(self) -> list[str]:
        return [
            f"submitted        {self.submitted}",
            f"accepted         {self.accepted}",
            f"refused          {self.refused}",
            f"lost             {len(self.lost)}",
            f"accepted late    {len(self.late)}",
            f"server errors    {self.server_errors}",
            f"other answers    {dict(self.other) or 0}",
            f"submit p50       {self.percentile(0.5) * 1000:.0f} ms",
            f"submit p99       {self.percentile(0.99) * 1000:.0f} ms",
            f"opening reads    {dict(self.opening_reads)}",
        ]


async def build_world(sessions, clock: Clock, coalitions: int, lead_seconds: float) -> World:
    """An open challenge with `coalitions` complete drafts; its deadline `lead_seconds` ahead."""
    async with sessions() as db:
        make = Factory(db, clock)
        officer = await make.user(Role.policy_officer)
        now = clock.now()
        data = challenge_data(
            now,
            question_deadline=now + timedelta(seconds=1),
            submission_deadline=now + timedelta(hours=1),
        )
        ctx = Context(db=db, user=officer, now=now)
        challenge = await lifecycle.create_draft(ctx, ChallengeIn.model_validate(data))
        await lifecycle.publish(ctx, challenge.id)
        challenge = await lifecycle.get_challenge(ctx, challenge.id)
        tokens = {}
        for _ in range(coalitions):
            lead = await make.user(Role.provider_member)
            partner = await make.user(Role.provider_member)
            coalition = await coalition_of(make, challenge, lead, partner)
            await proposals.save_draft(
                make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
            )
            tokens[coalition.public_id] = await make.token(lead)
        officer_token = await make.token(officer)
        # However long the set-up took, the deadline is now a moment ahead.
        deadline = clock.now() + timedelta(seconds=lead_seconds)
        await db.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(submission_deadline=deadline)
        )
        await db.commit()
        return World(challenge.id, deadline, officer_token, tokens)


async def rush(
    client: httpx.AsyncClient, world: World, clock: Clock, submits: int, window: float
) -> tuple[list[Outcome], Counter]:
    """`submits` submissions spread evenly over [deadline - window, deadline + window]."""
    ids = list(world.coalitions)
    start = world.deadline - timedelta(seconds=window)
    step = 2 * window / max(1, submits - 1)

    async def one(index: int) -> Outcome:
        coalition_id = ids[index % len(ids)]
        at = start + timedelta(seconds=index * step)
        await asyncio.sleep(max(0.0, (at - clock.now()).total_seconds()))
        began = time.perf_counter()
        response = await client.post(
            f"/api/v1/coalitions/{coalition_id}/proposal/submit",
            headers={"Authorization": f"Bearer {world.coalitions[coalition_id]}"},
        )
        seconds = time.perf_counter() - began
        try:
            body = response.json()
        except ValueError:
            body = {"text": response.text[:200]}
        return Outcome(coalition_id, response.status_code, body, seconds)

    reads: Counter = Counter()
    stop = asyncio.Event()

    async def officer() -> None:
        """Asks for the opening from just before the deadline on, as an eager reader would."""
        await asyncio.sleep(max(0.0, (start - clock.now()).total_seconds()))
        while not stop.is_set():
            response = await client.get(
                f"/api/v1/challenges/{world.challenge_id}/opening",
                headers={"Authorization": f"Bearer {world.officer_token}"},
            )
            reads[response.status_code] += 1
            await asyncio.sleep(OPENING_EVERY)

    reader = asyncio.create_task(officer())
    try:
        outcomes = await asyncio.gather(*(one(i) for i in range(submits)))
    finally:
        stop.set()
        await reader
    return list(outcomes), reads


async def tally(
    client: httpx.AsyncClient, world: World, outcomes: list[Outcome], reads: Counter
) -> Report:
    """Compare what the coalitions were told with what the opening record says."""
    report = Report(submitted=len(outcomes), opening_reads=reads)
    last_accepted: dict[UUID, dict] = {}
    for outcome in outcomes:
        report.latencies.append(outcome.seconds)
        if outcome.status >= 500:
            report.server_errors += 1
        elif outcome.status == 201:
            report.accepted += 1
            body = outcome.body
            if datetime.fromisoformat(body["submitted_at"]) >= world.deadline:
                report.late.append(body["receipt_number"])
            mine = last_accepted.get(outcome.coalition_id)
            if mine is None or body["version"] > mine["version"]:
                last_accepted[outcome.coalition_id] = body
        elif outcome.status == 409 and outcome.body.get("code") == "deadline_passed":
            report.refused += 1
        else:
            report.other[(outcome.status, outcome.body.get("code"))] += 1
    headers = {"Authorization": f"Bearer {world.officer_token}"}
    opening = await client.get(f"/api/v1/challenges/{world.challenge_id}/opening", headers=headers)
    opening.raise_for_status()
    listed = {e["receipt_number"] for e in opening.json()["proposals"]}
    expected = {body["receipt_number"] for body in last_accepted.values()}
    report.lost = sorted(expected - listed) + sorted(listed - expected)
    if datetime.fromisoformat(opening.json()["opened_at"]) != world.deadline:
        report.lost.append("the opening record does not carry the deadline")
    full = await client.get(f"/api/v1/challenges/{world.challenge_id}/proposals", headers=headers)
    if full.status_code != 200 or len(full.json()) != len(listed):
        report.lost.append(f"opened proposals unreadable: {full.status_code}")
    return report


async def run(database_url: str, documents: Path, args: argparse.Namespace) -> Report:
    engine = create_engine(normalise_database_url(database_url), pool_size=20, max_overflow=20)
    clock = Clock()
    try:
        settings = Settings(environment="test", database_url=database_url, documents_dir=documents)
        app = create_app(settings, clock=clock)
        install_database(app.state, engine)
        world = await build_world(
            app.state.sessionmaker, clock, args.coalitions, lead_seconds=args.window + 0.5
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rush") as client:
            outcomes, reads = await rush(client, world, clock, args.submits, args.window)
            return await tally(client, world, outcomes, reads)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--coalitions", type=int, default=80)
    parser.add_argument("--submits", type=int, default=400)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.runs > 1 and args.database_url:
        parser.error("--runs needs a fresh database per run: use SQLite or run again")
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="uitkomst-rush-") as folder:
            url = args.database_url or f"sqlite:///{Path(folder) / 'rush.db'}"
            upgrade(url)
            report = asyncio.run(run(url, Path(folder) / "documents", args))
        backend = url.split(":", 1)[0]
        print(f"run {number} on {backend}: {args.coalitions} coalitions, ±{args.window}s")
        for line in report.lines():
            print("  " + line)
        if report.lost or report.late:
            print("  lost:", report.lost[:10], "late:", report.late[:10])
        print(f"  mean latency {statistics.mean(report.latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
