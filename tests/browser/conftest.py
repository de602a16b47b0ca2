"""Real Chromium against a real server: uvicorn in a subprocess with its own migrated demo database.

Chromium is Debian's (no Playwright browser downloads); axe-core comes from npm via `make test`.
Without them the tests are skipped, unless REQUIRE_BROWSER=1 (CI), where that is a failure.

The sync Playwright API marks its own event loop as running in this thread for as long as it is
started, so pytest-asyncio could not run async tests or fixtures meanwhile. That is why the tests
here are plain `def` tests and Playwright lives for this package only (scope="package"): it is
stopped before pytest moves on to the async tests in other packages.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.config import ROOT

DEBIAN_CHROMIUM = "/usr/bin/chromium"
AXE_FILE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "demo-uitkomst"
OFFICER = "jeugd@voorbeeldstad.nl"
PROVIDER = "anna@welzijnvoorbeeldstad.nl"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
STARTUP_SECONDS = 60


def missing(reason: str) -> None:
    """Skip, or fail when the run promised a browser (REQUIRE_BROWSER=1, as in CI)."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not path:
        missing("Chromium not found")
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_FILE.is_file():
        missing("axe-core not found; run make test")
    return AXE_FILE.read_text(encoding="utf-8")


# --- the server -------------------------------------------------------------------------------


def _run_async(work) -> None:
    """Run a coroutine function in a thread of its own, away from pytest-asyncio's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work()).result()


def _postgres_database(url: str, action: str) -> None:
    """CREATE or DROP the database named in url, connected to "postgres" on the same server."""
    import asyncpg

    parts = make_url(url)
    name = parts.database or ""
    if not name.isidentifier():
        raise ValueError(f"unexpected database name {name!r}")

    async def work() -> None:
        conn = await asyncpg.connect(
            user=parts.username,
            password=parts.password,
            host=parts.host or "127.0.0.1",
            port=parts.port or 5432,
            database="postgres",
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if action == "create":
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run_async(work)


def _browser_database(tmp: Path, name: str) -> tuple[str, bool]:
    """(DATABASE_URL for the server, whether it is a PostgreSQL database we made)."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith(("postgresql", "postgres://")):
        parts = make_url(test_url)
        url = parts.set(
            drivername="postgresql", database=f"{parts.database or 'postgres'}_{name}"
        ).render_as_string(hide_password=False)
        return url, True
    return f"sqlite:///{tmp / f'{name}.db'}", False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("uitkomst")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class LiveServer:
    url: str
    database_url: str
    log: Path
    env: dict[str, str]


def cli(server: LiveServer, *args: str) -> str:
    """Run `uitkomst ARGS` against the server's database (e.g. the demo clock); its output."""
    done = subprocess.run(
        [*_cli(), *args], cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"uitkomst {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@contextmanager
def serve(tmp: Path, name: str = "browser") -> Iterator[LiveServer]:
    """uvicorn on a free port, on a freshly migrated database of its own holding the demo
    data; stopped (and a PostgreSQL database dropped) afterwards."""
    database_url, on_postgres = _browser_database(tmp, name)
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "DOCUMENTS_DIR": str(tmp / "documents"),
    }
    if on_postgres:
        _postgres_database(database_url, "create")
    process = None
    log = tmp / "server.log"
    try:
        for command in ("migrate", "demo-data"):
            done = subprocess.run(
                [*_cli(), command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            if done.returncode != 0:
                pytest.fail(
                    f"`uitkomst {command}` failed ({done.returncode}):\n{done.stdout}{done.stderr}",
                    pytrace=False,
                )
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=output,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the server did not start (exit code {process.poll()}); its output:\n"
                    + log.read_text(errors="replace"),
                    pytrace=False,
                )
            time.sleep(0.1)
        yield LiveServer(url=url, database_url=database_url, log=log, env=env)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if on_postgres:
            _postgres_database(database_url, "drop")


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """The server most browser tests share; they leave the demo as they found it."""
    with serve(tmp_path_factory.mktemp("browser-server")) as server:
        yield server


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser(chromium_path: str, live_server: LiveServer):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


# Init scripts run outside the page's Content-Security-Policy, so this listener always works.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


def is_csp_violation(text: str) -> bool:
    """Chromium's own console report, or the listener's above."""
    return text.startswith("CSP violation") or "Content Security Policy" in text


class Pages:
    """Opens pages in fresh browser contexts (own cookies), signed in or not; closes them all.

    JavaScript errors and Content-Security-Policy violations on any page land in `errors`."""

    def __init__(self, browser, live_server: LiveServer) -> None:
        self.browser = browser
        self.server = live_server
        self.contexts = []
        self.errors: list[str] = []

    def new(self, viewport: dict | None = None, user: str | None = None):
        context = self.browser.new_context(
            base_url=self.server.url,
            viewport=viewport or DESKTOP,
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and is_csp_violation(message.text)
                else None
            ),
        )
        if user:
            sign_in(page, user)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server: LiveServer) -> Iterator[Pages]:
    opened = Pages(browser, live_server)
    yield opened
    opened.close()


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Through the sign-in form, as a person would; ends on the page the form sends us to."""
    page.goto("/login?next=/challenges")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click('form[action="/login"] button[type=submit]')
    assert page.locator('form[action="/logout"]').count() == 1, f"{email} is not signed in"
