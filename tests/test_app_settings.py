"""The Settings given to create_app are the ones its requests use, not the process's defaults."""

import hashlib
import hmac
from datetime import timedelta

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.requests import Request

from app.auth.deps import platform_clock
from app.clock import ClockOffset
from app.config import Settings, get_settings
from app.main import create_app
from app.sealing import _key, seal, unseal
from app.web import csrf_token

OTHER_SECRET = "a-secret-only-this-app-knows-" + "x" * 20


@pytest.fixture
def own_settings(settings: Settings) -> Settings:
    assert get_settings().secret_key != OTHER_SECRET
    return settings.model_copy(update={"secret_key": OTHER_SECRET, "demo_mode": False})


def _request(app) -> Request:
    return Request({"type": "http", "app": app, "csrf_nonce": "nonce", "headers": []})


def test_csrf_tokens_are_signed_with_the_apps_secret(own_settings):
    app = create_app(own_settings)
    expected = hmac.new(OTHER_SECRET.encode(), b"nonce", hashlib.sha256).hexdigest()
    assert csrf_token(_request(app)) == expected


async def test_demo_mode_off_in_the_apps_settings_keeps_the_clock_still(own_settings, clock, db):
    assert get_settings().demo_mode  # the test process runs in demo mode
    db.add(ClockOffset(id=1, seconds=int(timedelta(days=3).total_seconds())))
    await db.flush()
    still = create_app(own_settings, clock=clock)
    assert (await platform_clock(_request(still), db))() == clock.now()
    moving = create_app(own_settings.model_copy(update={"demo_mode": True}), clock=clock)
    assert (await platform_clock(_request(moving), db))() == clock.now() + timedelta(days=3)


async def test_requests_seal_with_the_apps_key(own_settings):
    app = create_app(own_settings)

    @app.get("/sealed-probe")
    async def probe() -> dict[str, str]:
        return {"sealed": seal(b"inside", "probe").hex()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        sealed = bytes.fromhex((await client.get("/sealed-probe")).json()["sealed"])
    own = AESGCM(_key(None, OTHER_SECRET))
    assert own.decrypt(sealed[:12], sealed[12:], b"probe") == b"inside"
    with pytest.raises(InvalidTag):
        unseal(sealed, "probe")  # outside a request: the process's key, which is not the app's
