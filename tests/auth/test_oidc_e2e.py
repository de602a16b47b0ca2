"""End to end: sign in through a real, independent OpenID Connect provider on 127.0.0.1.

node runs the certified `oidc-provider` package (installed by `make test` into .venv/oidc) with
tests/auth/oidc_provider.mjs. Uitkomst runs in-process; Authlib inside it talks to the provider
over real HTTP. The test plays the browser: it carries each redirect from one to the other, fills
in the provider's login and consent pages, and ends signed in to Uitkomst. Without node or the
package the test is skipped, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import html
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import select

from app.auth import oidc
from app.auth.models import OidcIdentity
from app.config import ROOT
from app.organisations.models import User
from tests.conftest import post_form

NODE_MODULES = ROOT / ".venv" / "oidc" / "node_modules"
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "uitkomst-e2e"
CLIENT_SECRET = "e2e-client-secret"
BASE_URL = "http://127.0.0.1:8000"  # the test settings' BASE_URL; only ever a string here
STARTUP_SECONDS = 30


def missing(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def _wait_for_issuer(process: subprocess.Popen, stdout: Path, stderr: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        first = stdout.read_text().partition("\n")[0]
        if first.startswith("{"):
            issuer = json.loads(first)["issuer"]
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    return issuer
            except httpx.HTTPError:
                pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"oidc-provider did not start:\n{stderr.read_text()}")


@pytest.fixture(scope="module")
def provider_issuer(tmp_path_factory) -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        missing("node not found")
    if not (NODE_MODULES / "oidc-provider" / "package.json").is_file():
        missing("oidc-provider not installed; run make test")
    folder = tmp_path_factory.mktemp("oidc-provider")
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    env = {
        **os.environ,
        "OIDC_NODE_MODULES": str(NODE_MODULES),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{BASE_URL}/auth/oidc/e2e/callback",
        "OIDC_POST_LOGOUT_URI": f"{BASE_URL}/",
    }
    env.pop("NODE_ENV", None)
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen([node, str(SCRIPT)], stdout=out, stderr=err, env=env)
    try:
        yield _wait_for_issuer(process, stdout, stderr)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
async def e2e(app, make, provider_issuer, client) -> str:
    await make.org(name="Gemeente Eindstad")
    settings = oidc.OidcProvider(
        name="e2e",
        issuer=provider_issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        label="Inloggen met Eindstad-ID",
        organisation="Gemeente Eindstad",
    )
    oidc.configure(app, {"e2e": settings})  # no transport given: real HTTP to the provider
    client.cookies.set("uk_lang", "en")
    return provider_issuer


async def at_the_provider(browser: httpx.AsyncClient, url: str, issuer: str, login: str) -> str:
    """What a person does at the provider: sign in, consent; returns where it sends them back."""
    for _ in range(12):
        if not url.startswith(issuer + "/"):
            return url
        response = await browser.get(url)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            continue
        assert response.status_code == 200, response.text
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text).group(1)
        form = {"prompt": prompt}
        if prompt == "login":
            form |= {"login": login, "password": "any password works on the dev login page"}
        response = await browser.post(urljoin(url, action), data=form)
        assert response.is_redirect, response.text
        url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider did not send the browser back")


async def sign_in_at(client, browser, issuer: str, login: str) -> httpx.Response:
    page = await client.get("/login")
    assert 'href="/auth/oidc/e2e/login?next=/"' in page.text
    assert "Inloggen met Eindstad-ID" in page.text
    start = await client.get("/auth/oidc/e2e/login", params={"next": "/challenges"})
    assert start.status_code == 302, start.text
    back = await at_the_provider(browser, start.headers["location"], issuer, login)
    parts = urlsplit(back)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE_URL}/auth/oidc/e2e/callback"
    assert {"code", "state"} <= dict(parse_qsl(parts.query)).keys()
    return await client.get(f"{parts.path}?{parts.query}")


async def test_sign_in_through_a_real_provider(client, e2e, db):
    async with httpx.AsyncClient() as browser:
        response = await sign_in_at(client, browser, e2e, "e2e-user")
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/challenges"
        assert "Eva Eindhoven" in (await client.get("/challenges")).text

        user = await db.scalar(select(User).where(User.email == "eva@e2e.example"))
        assert user.name == "Eva Eindhoven" and user.role is None
        link = await db.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
        assert (link.provider, link.issuer, link.subject) == ("e2e", e2e, "e2e-user")

        # Signing out ends the session here, then at the provider (its end-session endpoint).
        out = await post_form(client, "/logout", {})
        assert out.status_code == 303
        end_session = out.headers["location"]
        assert end_session.startswith(f"{e2e}/session/end?")
        assert dict(parse_qsl(urlsplit(end_session).query))["post_logout_redirect_uri"] == (
            f"{BASE_URL}/"
        )
        assert (await browser.get(end_session)).status_code == 200  # the provider accepts it
        assert "Eva Eindhoven" not in (await client.get("/challenges")).text


async def test_a_real_provider_with_an_unverified_email(client, e2e, db):
    async with httpx.AsyncClient() as browser:
        response = await sign_in_at(client, browser, e2e, "unverified-user")
    assert response.status_code == 403
    assert "has not verified your email address ugo@e2e.example" in response.text
    assert "uk_session" not in client.cookies
    assert await db.scalar(select(User).where(User.email == "ugo@e2e.example")) is None
