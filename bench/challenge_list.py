"""Requests per second of the public challenge list, HTML and JSON, against bare Starlette.

    .venv/bin/python bench/challenge_list.py [--seconds 5] [--concurrency 16]

Builds a throwaway SQLite database with the demo data (or uses --database-url), serves Uitkomst
and a bare Starlette app (bench/raw_starlette.py) each with one uvicorn process on a free port of
127.0.0.1, and drives each endpoint in turn from this process with httpx, for a fixed time at a
fixed concurrency. All traffic stays on 127.0.0.1; the servers and the temporary directory are
removed on exit. The figures are for reading, not for asserting: they depend on the machine.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
MAX_REQUESTS = 500_000  # per endpoint and phase: a hard bound besides the time limit
CLIENT_BUSY = 0.9  # share of its cores above which the load generator is the bottleneck


@dataclass
class Target:
    name: str
    server: str  # "uitkomst" or "raw"
    path: str
    expect_type: str  # the start of the content type a correct answer has

    @property
    def label(self) -> str:
        return f"{self.name}  GET {self.path}"


TARGETS = [
    Target("raw Starlette", "raw", "/json", "application/json"),  # the baseline: first
    Target("Uitkomst HTML", "uitkomst", "/challenges", "text/html"),
    Target("Uitkomst JSON", "uitkomst", "/api/v1/challenges", "application/json"),
]


@dataclass
class Result:
    target: Target
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    body_bytes: int = 0
    client_cpu: float = 0.0
    server_cpu: float | None = None
    machine_cpu: float | None = None  # every process on the machine, ours included

    @property
    def server_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.latencies:
            return None
        return self.server_cpu * self.seconds / len(self.latencies) * 1000

    @property
    def other_cpu(self) -> float | None:
        """What the rest of the machine used meanwhile: noise from outside the benchmark."""
        if self.machine_cpu is None or self.server_cpu is None:
            return None
        return max(0.0, self.machine_cpu - self.server_cpu - self.client_cpu)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU time all cores together spent busy since boot (Linux /proc/stat); None elsewhere."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(
        self, name: str, app: list[str], env: dict[str, str], workdir: Path, cpus: set[int] | None
    ):
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = workdir / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            *app,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.name} server exited early:\n{self.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(path).status_code == 200:
                        return
                time.sleep(0.1)
        raise SystemExit(f"{self.name} server did not answer within {timeout:.0f} s")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


# --- database -----------------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def uitkomst_env(workdir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.db'}",
        ENVIRONMENT="dev",
        DOCUMENTS_DIR=str(workdir / "docs"),
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_database(env: dict[str, str], own_database: bool) -> None:
    # A fresh database gets the demo data; someone else's gets it only if it is empty.
    steps = [["migrate"], ["demo-data"] if own_database else ["demo-data", "--if-empty"]]
    for args in steps:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise SystemExit(f"uitkomst {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


# --- load ---------------------------------------------------------------------------------------


async def drive(
    clients: list[httpx.AsyncClient], target: Target, seconds: float, result: Result
) -> None:
    """One worker per client (= connection), each sending request after request until time is up.

    One client per connection rather than one shared pool: httpx's pool serialises its
    bookkeeping, which more than halves what a single client process can send.
    """
    deadline = time.perf_counter() + seconds
    sent = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < MAX_REQUESTS:
            sent += 1
            start = time.perf_counter()
            try:
                response = await client.get(target.path)
                ok = response.status_code == 200 and response.headers.get(
                    "content-type", ""
                ).startswith(target.expect_type)
                size = len(response.content)
            except httpx.HTTPError:
                ok, size = False, 0
            elapsed = time.perf_counter() - start
            if ok:
                result.latencies.append(elapsed)
                result.body_bytes = size
            else:
                result.failures += 1

    began = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for client in clients:
            group.create_task(worker(client))
    result.seconds = time.perf_counter() - began


async def measure(url: str, target: Target, args: argparse.Namespace, server_pid: int) -> Result:
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, limits=one, timeout=30.0, trust_env=False)
            )
            for _ in range(args.concurrency)
        ]
        await drive(clients, target, args.warmup, Result(target))
        result = Result(target)
        client_before, server_before = time.process_time(), cpu_seconds(server_pid)
        machine_before = machine_busy_seconds()
        await drive(clients, target, args.seconds, result)
        result.client_cpu = (time.process_time() - client_before) / result.seconds
        server_after, machine_after = cpu_seconds(server_pid), machine_busy_seconds()
        if server_before is not None and server_after is not None:
            result.server_cpu = (server_after - server_before) / result.seconds
        if machine_before is not None and machine_after is not None:
            result.machine_cpu = (machine_after - machine_before) / result.seconds
    return result


async def measure_all(
    servers: dict[str, Server], args: argparse.Namespace
) -> dict[str, list[Result]]:
    # SIGTERM cancels the run the way asyncio.run handles Ctrl-C, without stray tracebacks.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    rounds: dict[str, list[Result]] = {target.label: [] for target in TARGETS}
    for number in range(1, args.rounds + 1):
        for target in TARGETS:  # interleaved, so a noisy spell hits every endpoint
            print(f"round {number}/{args.rounds}: {target.label} ...", flush=True)
            server = servers[target.server]
            result = await measure(server.url, target, args, server.process.pid)
            rounds[target.label].append(result)
    return rounds


# --- report -------------------------------------------------------------------------------------


def check_content(url: str, target: Target) -> str:
    """One request up front, so a broken page is reported instead of benchmarked."""
    response = httpx.get(url + target.path, timeout=30.0, trust_env=False)
    kind = response.headers.get("content-type", "")
    if response.status_code != 200 or not kind.startswith(target.expect_type):
        raise SystemExit(
            f"{target.label}: got {response.status_code} {kind!r}, not 200 {target.expect_type}"
        )
    if target.path == "/api/v1/challenges":
        body = response.json()
        return f"{len(body['items'])} of {body['total']} challenges on the page"
    if target.path == "/challenges":
        links = set(re.findall(r'href="/challenges/(\d+)"', response.text))
        return f"{len(links)} challenge links on the page"
    return ""


def median_round(results: list[Result]) -> Result:
    """The round with the median requests/s (the lower middle one for an even count)."""
    return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]


def report(
    results: list[Result],
    rounds: dict[str, list[Result]],
    args: argparse.Namespace,
    pinning: str,
    database: str,
) -> None:
    cores = os.cpu_count()
    base = results[0]
    print()
    print(f"date      {date.today().isoformat()}")
    print(f"machine   {platform.machine()}, {cores} cores, {platform.system()}")
    print(f"software  Python {platform.python_version()}, one uvicorn worker per app")
    print(f"database  {database}")
    print(
        f"load      {args.concurrency} connections (httpx {httpx.__version__}), "
        f"{args.seconds:g} s per endpoint after {args.warmup:g} s warm-up"
    )
    if args.rounds > 1:
        print(f"rounds    {args.rounds}, endpoints interleaved; the median round is shown")
    print(f"cpus      {pinning}")
    print()
    spread = args.rounds > 1
    print(
        f"{'endpoint':<38} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'vs raw':>7} {'failed':>7}"
        + (f" {'req/s in all rounds':>20}" if spread else "")
    )
    for r in results:
        every = " ".join(f"{x.rps:.0f}" for x in rounds[r.target.label])
        print(
            f"{r.target.label:<38} {r.rps:>7.0f} {r.percentile(50) * 1000:>7.1f} "
            f"{r.percentile(95) * 1000:>7.1f} {_ratio(r.rps, base.rps):>7} {r.failures:>7}"
            + (f" {every:>20}" if spread else "")
        )
    print()
    print(
        f"{'where the CPU went':<38} {'server':>7} {'client':>7} {'other':>7} "
        f"{'srv ms/req':>11} {'x raw':>7} {'bytes':>7}"
    )
    for r in results:
        ms = r.server_ms_per_request
        print(
            f"{r.target.label:<38} {_pct(r.server_cpu):>7} {_pct(r.client_cpu):>7} "
            f"{_pct(r.other_cpu):>7} {'?' if ms is None else f'{ms:.2f}':>11} "
            f"{_times(ms, base.server_ms_per_request):>7} {r.body_bytes:>7}"
        )
    print()
    print("vs raw      requests/s as a share of the raw Starlette baseline (1.00 = as fast).")
    print("server, client, other  CPU used per second of the run (100% = one core busy); other")
    print("            is the rest of the machine: noise from outside this benchmark, and with")
    print("            --database-url a local database server's work.")
    print("srv ms/req  server CPU time per request, and x raw how many times the baseline's;")
    print("            this does not depend on how fast the load generator could send.")
    print()
    print(
        f"Caveat: the load generator (Python, httpx) runs on the same {cores}-core machine and\n"
        "competes with the servers for CPU; it needs several times the CPU per request that the\n"
        "bare Starlette endpoint does, so requests/s here are lower bounds, not what the server\n"
        "could serve."
    )
    if pinning.startswith("server pinned"):
        busy = [r for r in results if r.client_cpu >= CLIENT_BUSY * args.client_cores]
        who = "load generator"
    else:
        busy = [r for r in results if (r.server_cpu or 0) + r.client_cpu >= CLIENT_BUSY * cores]
        who = "machine"
    if busy:
        print(
            f"The {who} was saturated for: {', '.join(r.target.name for r in busy)}.\n"
            "Those requests/s measure the client as much as the server, so the requests/s ratio\n"
            "understates the gap; the server CPU per request ratio is the fairer comparison."
        )
    noisy = [r for r in results if (r.other_cpu or 0) >= 0.2]
    if noisy:
        print(
            f"Other processes used 20% of a core or more during: "
            f"{', '.join(r.target.name for r in noisy)}."
            + (" With --database-url, that includes the database." if args.database_url else "")
            + "\nCompare with care, or run again on a quieter machine."
        )


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value and base else "?"


def _times(value: float | None, base: float | None) -> str:
    return f"{value / base:.0f}x" if value and base else "?"


def _pct(share: float | None) -> str:
    return "?" if share is None else f"{share:.0%}"


# --- main ---------------------------------------------------------------------------------------


def split_cpus(pin: bool) -> tuple[set[int] | None, set[int] | None, str]:
    """One core for the server under test, the rest for the load generator, if we can."""
    if not pin or not hasattr(os, "sched_setaffinity"):
        return None, None, "not pinned: servers and load generator share all cores"
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None, "one core only: servers and load generator share it"
    server, client = {available[0]}, set(available[1:])
    text = f"server pinned to cpu {available[0]}, load generator to cpu {sorted(client)}"
    return server, client, text


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=5.0, help="measuring time per endpoint")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up time per endpoint")
    p.add_argument("--concurrency", type=int, default=16, help="concurrent connections")
    p.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint this many times (median)"
    )
    p.add_argument(
        "--database-url",
        help="bench against this database instead of a temporary SQLite one (e.g. PostgreSQL); "
        "it is migrated, and gets the demo data if it is empty",
    )
    p.add_argument("--no-pin", action="store_true", help="do not pin server and client to cores")
    args = p.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 <= args.warmup <= 600:
        p.error("--seconds and --warmup must be between 0 and 600")
    if not 1 <= args.concurrency <= 1000:
        p.error("--concurrency must be between 1 and 1000")
    if not 1 <= args.rounds <= 20:
        p.error("--rounds must be between 1 and 20")
    return args


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so the servers get stopped.
    signal.signal(signal.SIGTERM, _interrupt)
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

            server_cpus, client_cpus, pinning = split_cpus(not args.no_pin)
            print("starting the servers ...", flush=True)
            servers = {
                "uitkomst": stack.enter_context(
                    running(
                        Server(
                            "uitkomst",
                            ["app.main:create_app", "--factory"],
                            env,
                            workdir,
                            server_cpus,
                        )
                    )
                ),
                "raw": stack.enter_context(
                    running(
                        Server(
                            "raw",
                            ["raw_starlette:app", "--app-dir", str(BENCH_DIR)],
                            dict(os.environ),
                            workdir,
                            server_cpus,
                        )
                    )
                ),
            }
            servers["uitkomst"].wait_ready("/healthz")
            servers["raw"].wait_ready("/")
            for target in TARGETS:
                note = check_content(servers[target.server].url, target)
                print(f"  {target.label}: ok{' (' + note + ')' if note else ''}", flush=True)

            if client_cpus:
                os.sched_setaffinity(0, client_cpus)
            args.client_cores = len(client_cpus or os.sched_getaffinity(0))
            try:
                rounds = asyncio.run(measure_all(servers, args))
            except asyncio.CancelledError:
                raise KeyboardInterrupt from None
            finally:
                signal.signal(signal.SIGTERM, _interrupt)  # closing the loop reset it
            report([median_round(r) for r in rounds.values()], rounds, args, pinning, database)
            for name, server in servers.items():
                if server.process.poll() is not None:
                    print(f"\nwarning: the {name} server stopped during the run")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped, temporary files removed", file=sys.stderr)
        sys.exit(130)
