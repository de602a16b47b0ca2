"""Login throttling that stops guessing without shutting the owner out, per real client address."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from app import cli
from app.auth.devices import DEVICE_COOKIE
from app.auth.models import LoginFailure
from app.config import get_settings
from app.organisations.models import Role
from tests.conftest import csrf, post_form, sign_in

ATTACKER = ("203.0.113.9", 40000)
OWNER = ("198.51.100.20", 50000)


@asynccontextmanager
async def browser(app, address=OWNER) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own (cookies, client address) on the same app."""
    transport = httpx.ASGITransport(app=app, client=address)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.cookies.set("uk_lang", "en")
        yield client


async def login(client, email, password, headers=None):
    token = await csrf(client)
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        headers=headers,
    )


async def lock(app, email, address=ATTACKER):
    """Someone else's five wrong passwords."""
    async with browser(app, address) as attacker:
        for _ in range(5):
            assert (await login(attacker, email, "guess")).status_code == 401


@pytest.fixture
async def owner(make):
    return await make.user(Role.policy_officer, email="eigenaar@gemeente.nl")


async def signed_in_before(client) -> None:
    """The owner signs in once and out again: the browser keeps its known-device cookie."""
    await sign_in(client, "eigenaar@gemeente.nl")
    await post_form(client, "/logout", {})
    assert DEVICE_COOKIE in client.cookies and "uk_session" not in client.cookies


async def test_a_locked_account_still_signs_in_from_the_owners_browser(app, owner):
    async with browser(app) as mine:
        await signed_in_before(mine)
        await lock(app, owner.email)
        async with browser(app, ("192.0.2.1", 1)) as stranger:  # no cookie: held by the lock
            refused = await login(stranger, owner.email, "secret-pass")
            assert refused.status_code == 429
            assert "This account is locked" in refused.text
            assert "a browser where you signed in before" in refused.text
            assert "identity provider" in refused.text
        assert (await login(mine, owner.email, "secret-pass")).status_code == 303
        assert owner.name in (await mine.get("/challenges")).text
        async with browser(app, ATTACKER) as attacker:  # the owner's sign-in forgave no guesses
            assert (await login(attacker, owner.email, "secret-pass")).status_code == 429


async def test_a_known_device_has_a_failure_limit_of_its_own(app, owner, settings):
    settings.login_max_device_failures = 3  # (10 by default) few, as each check costs argon2
    async with browser(app) as mine:
        await signed_in_before(mine)
        await lock(app, owner.email)
        for _ in range(settings.login_max_device_failures):
            assert (await login(mine, owner.email, "typo")).status_code == 401
        held = await login(mine, owner.email, "secret-pass")
        assert held.status_code == 429
        assert "Too many failed sign-in attempts" in held.text
        # A copy of the cookie (stolen) is the same device, with the same spent limit.
        async with browser(app, ("192.0.2.50", 1)) as thief:
            thief.cookies.set(DEVICE_COOKIE, mine.cookies[DEVICE_COOKIE])
            stolen = await login(thief, owner.email, "guess")
            assert stolen.status_code == 429 and "Too many failed" in stolen.text


async def test_the_cookie_is_bound_to_its_account_and_cannot_be_forged(app, owner, make):
    other = await make.user(Role.policy_officer, email="ander@gemeente.nl")
    async with browser(app) as mine:
        await signed_in_before(mine)
        await lock(app, other.email)
        assert (await login(mine, other.email, "secret-pass")).status_code == 429
        await lock(app, owner.email)
        genuine = mine.cookies[DEVICE_COOKIE]
        payload, _, signature = genuine.rpartition(".")
        forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
        mine.cookies.clear()
        mine.cookies.set(DEVICE_COOKIE, forged)
        assert (await login(mine, owner.email, "secret-pass")).status_code == 429
        mine.cookies.clear()
        mine.cookies.set(DEVICE_COOKIE, genuine)
        assert (await login(mine, owner.email, "secret-pass")).status_code == 303


async def test_a_known_device_is_forgotten_after_its_lifetime(app, owner, clock, settings):
    async with browser(app) as mine:
        await signed_in_before(mine)
        clock.advance(timedelta(days=settings.known_device_days + 1))
        await lock(app, owner.email)
        assert (await login(mine, owner.email, "secret-pass")).status_code == 429


async def test_the_device_cookie_is_long_lived_http_only_and_lax(app, owner, settings):
    settings.secure_cookies = True
    async with browser(app) as client:
        response = await login(client, owner.email, "secret-pass")
    assert response.status_code == 303
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(DEVICE_COOKIE)]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert f"max-age={settings.known_device_days * 86400}" in cookie.lower()


async def test_a_failed_attempt_sets_no_device_cookie(app, owner):
    async with browser(app) as client:
        response = await login(client, owner.email, "wrong")
        assert response.status_code == 401
        assert DEVICE_COOKIE not in client.cookies


# --- the client address ------------------------------------------------------------------------


async def test_x_forwarded_for_does_not_reset_the_per_address_limit(app, db, settings):
    """Through the app as uitkomst serves it without proxies: the peer address is what counts."""
    limit = settings.login_max_failures * 4
    async with browser(app, ATTACKER) as attacker:
        for n in range(limit):
            forged = {"X-Forwarded-For": f"10.0.{n}.1", "X-Real-IP": f"10.1.{n}.1"}
            response = await login(attacker, f"gok{n}@gemeente.nl", "guess", headers=forged)
            assert response.status_code == 401
        response = await login(
            attacker, "nog-een@gemeente.nl", "guess", headers={"X-Forwarded-For": "10.9.9.9"}
        )
        assert response.status_code == 429
    addresses = set(await db.scalars(select(LoginFailure.client_ip)))
    assert addresses == {ATTACKER[0]}


async def _client_seen_by_the_app(monkeypatch, peer: str, forwarded_for: str) -> str:
    """Run `uitkomst serve` (uvicorn.run captured), load uvicorn's config with its options
    around a probe app, and send it one request from `peer` with an X-Forwarded-For."""
    options = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: options.update(kwargs))
    get_settings.cache_clear()
    try:
        assert cli.main(["serve"]) == 0
    finally:
        get_settings.cache_clear()
    seen = {}

    async def probe(scope, receive, send):
        seen["client"] = scope["client"][0]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    options.pop("factory", None)
    config = uvicorn.Config(probe, **{**options, "log_config": None})
    config.load()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"uitkomst"), (b"x-forwarded-for", forwarded_for.encode())],
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message):
        return None

    await config.loaded_app(scope, receive, send)
    return seen["client"]


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "203.0.113.9"])
async def test_serve_trusts_no_proxy_by_default(monkeypatch, peer):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert await _client_seen_by_the_app(monkeypatch, peer, "10.0.0.99") == peer


async def test_serve_trusts_x_forwarded_for_only_from_configured_proxies(monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "192.0.2.10")
    assert await _client_seen_by_the_app(monkeypatch, "192.0.2.10", "10.0.0.99") == "10.0.0.99"
    assert await _client_seen_by_the_app(monkeypatch, "192.0.2.11", "10.0.0.99") == "192.0.2.11"
