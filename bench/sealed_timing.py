"""Response times for sealed coalitions against coalition ids that do not exist.

    .venv/bin/python bench/sealed_timing.py [--requests 300] [--database-url URL]

Both must answer the same 404 after the same work, so an outsider cannot find sealed coalitions
by timing. Builds a throwaway SQLite database with the demo data (its open challenge has
coalitions with sealed proposals) plus two outsiders: a provider of another organisation and a
policy officer of the municipality that owns the challenge. Serves Uitkomst with one uvicorn
process on a free port of 127.0.0.1; then, per outsider, sends `--requests` requests for sealed
ids and as many for random missing ids, alternating, one at a time, to the API
(`GET /api/v1/coalitions/{id}`, bearer token) and to the page (`GET /coalitions/{id}`, signed
in), and prints the median and 90th percentile of each. The figures are for reading, not for
asserting: they depend on the machine. The server and the temporary directory are removed on exit.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from challenge_list import ROOT, Server, prepare_database, running, safe_url, uitkomst_env

API = "API   GET /api/v1/coalitions/{id}"
PAGE = "page  GET /coalitions/{id}"


# --- the world ----------------------------------------------------------------------------------


async def build_world() -> dict:
    """The sealed coalitions of the demo's open challenge, and two outsiders with credentials."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    import app.models  # noqa: F401  (registers every table)
    from app.auth.passwords import hash_password
    from app.auth.service import create_api_token
    from app.challenges.models import Challenge, ChallengeStatus
    from app.clock import platform_now
    from app.coalitions.models import Coalition
    from app.config import get_settings, normalise_database_url
    from app.db import create_engine, make_sessionmaker
    from app.organisations.models import Organisation, OrganisationKind, Role, User

    engine = create_engine(normalise_database_url(get_settings().database_url))
    try:
        async with make_sessionmaker(engine)() as db:
            now = await platform_now(db, demo_mode=get_settings().demo_mode)
            rows = (
                await db.execute(
                    select(Coalition.public_id, Challenge.organisation_id)
                    .join(Challenge, Challenge.id == Coalition.challenge_id)
                    .where(
                        Challenge.status == ChallengeStatus.published,
                        Challenge.submission_deadline > now,
                    )
                )
            ).all()
            if not rows:
                raise SystemExit("the database has no coalition on a challenge that is still open")
            company = Organisation(
                name=f"Bench {secrets.token_hex(3)}", kind=OrganisationKind.company, created_at=now
            )
            db.add(company)
            await db.flush()
            password = secrets.token_urlsafe(12)
            callers = {}
            for name, role, organisation_id in (
                ("other provider", Role.provider_member, company.id),
                ("owner officer", Role.policy_officer, rows[0].organisation_id),
            ):
                user = User(
                    email=f"bench-{secrets.token_hex(4)}@example.nl",
                    name=f"Bench {name}",
                    organisation_id=organisation_id,
                    role=role,
                    password_hash=hash_password(password),
                    created_at=now,
                )
                db.add(user)
                await db.flush()
                token = await create_api_token(db, user, now, name="bench")
                callers[name] = {"email": user.email, "password": password, "token": token}
            await db.commit()
    finally:
        await engine.dispose()
    return {"sealed": [str(row.public_id) for row in rows], "callers": callers}


def make_world(env: dict[str, str]) -> dict:
    """Built in a child process, so the app reads its settings from the benchmark's environment."""
    done = subprocess.run(
        [sys.executable, __file__, "--build-world"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"building the world failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Series:
    latencies: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)

    def add(self, seconds: float, response: httpx.Response, coalition_id: str) -> None:
        self.latencies.append(seconds)
        self.statuses.add(response.status_code)
        self.bodies.add(response.text.replace(coalition_id, "{id}"))  # a page links to itself

    def ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit("no sign-in form on /login")
    form = {"email": email, "password": password, "csrf_token": token.group(1), "next": "/"}
    response = await client.post("/login", data=form)
    if response.status_code != 303:
        raise SystemExit(f"signing in as {email} failed: {response.status_code}")


async def measure(
    client: httpx.AsyncClient, prefix: str, sealed_ids: list[str], args: argparse.Namespace
) -> tuple[Series, Series]:
    """Sealed and missing alternate (and take turns going first), so noise hits both alike."""
    sealed, missing = Series(), Series()
    for n in range(args.warmup + args.requests):
        pair = [(sealed, sealed_ids[n % len(sealed_ids)]), (missing, str(uuid.uuid4()))]
        for series, coalition_id in pair if n % 2 else pair[::-1]:
            start = time.perf_counter()
            response = await client.get(f"{prefix}/coalitions/{coalition_id}")
            elapsed = time.perf_counter() - start
            if n >= args.warmup:
                series.add(elapsed, response, coalition_id)
    return sealed, missing


async def measure_all(url: str, world: dict, args: argparse.Namespace) -> list[tuple]:
    results = []
    for caller, credentials in world["callers"].items():
        print(f"measuring as {caller} ...", flush=True)
        auth = {"Authorization": f"Bearer {credentials['token']}"}
        async with httpx.AsyncClient(base_url=url, headers=auth, trust_env=False) as client:
            results.append((caller, API, *await measure(client, "/api/v1", world["sealed"], args)))
        async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
            await sign_in(client, credentials["email"], credentials["password"])
            results.append((caller, PAGE, *await measure(client, "", world["sealed"], args)))
    return results


# --- report -------------------------------------------------------------------------------------


def report(results: list[tuple], world: dict, args: argparse.Namespace, database: str) -> bool:
    """Print the table; False if any answer was not the same 404 for sealed and missing."""
    print()
    print(f"date      {date.today().isoformat()}")
    print(f"machine   {platform.machine()}, {os.cpu_count()} cores, {platform.system()}")
    print(f"software  Python {platform.python_version()}, one uvicorn worker, httpx client")
    print(f"database  {database}")
    print(
        f"load      {args.requests} sealed + {args.requests} missing ids per row, alternating, "
        f"one at a time, after {args.warmup} of each as warm-up; "
        f"{len(world['sealed'])} sealed coalitions"
    )
    print()
    print(
        f"{'caller':<15} {'request':<36} {'sealed p50':>10} {'missing p50':>11} "
        f"{'sealed p90':>10} {'missing p90':>11} {'same 404':>9}"
    )
    same_everywhere = True
    for caller, label, sealed, missing in results:
        same = sealed.statuses == missing.statuses == {404} and (
            sealed.bodies == missing.bodies and len(sealed.bodies) == 1
        )
        same_everywhere &= same
        print(
            f"{caller:<15} {label:<36} {sealed.ms(50):>10.2f} {missing.ms(50):>11.2f} "
            f"{sealed.ms(90):>10.2f} {missing.ms(90):>11.2f} {'yes' if same else 'NO':>9}"
        )
    print()
    print("Times in milliseconds, measured by the client (network on 127.0.0.1 included).")
    print(
        "same 404  every answer was a 404, and sealed and missing bodies were identical (a page's"
    )
    print("          links to itself aside). The two columns should differ only by noise; the")
    print("          test suite checks that both run the very same SQL statements.")
    return same_everywhere


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--requests", type=int, default=300, help="requests per id kind and row")
    p.add_argument("--warmup", type=int, default=20, help="warm-up requests per id kind and row")
    p.add_argument(
        "--database-url",
        help="use this database instead of a temporary SQLite one (e.g. PostgreSQL); it is "
        "migrated, gets the demo data if it is empty, and two bench users are added",
    )
    p.add_argument("--build-world", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 0 <= args.warmup <= 10_000:
        p.error("--requests must be 1..100000 and --warmup 0..10000")
    return args


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.build_world:
        print(json.dumps(asyncio.run(build_world())))
        return 0
    signal.signal(signal.SIGTERM, _interrupt)  # e.g. a CI timeout: unwind, stop the server
    workdir = Path(tempfile.mkdtemp(prefix="uitkomst-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            env = uitkomst_env(workdir, args.database_url)
            database = (
                f"{safe_url(args.database_url)} (--database-url)"
                if args.database_url
                else "temporary SQLite, demo data"
            )
            print(f"preparing the database ({database}) ...", flush=True)
            prepare_database(env, own_database=args.database_url is None)
            world = make_world(env)
            print("starting the server ...", flush=True)
            server = stack.enter_context(
                running(
                    Server("uitkomst", ["app.main:create_app", "--factory"], env, workdir, None)
                )
            )
            server.wait_ready("/healthz")
            results = asyncio.run(measure_all(server.url, world, args))
            same = report(results, world, args, database)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; server stopped, temporary files removed", file=sys.stderr)
        sys.exit(130)
