"""The embedded default under concurrent writers: they wait their turn, none gets a 500.

Runs on an SQLite file of its own in both passes of the suite, with the engine and sessions the
app makes for itself (`install_database`), not the test transaction of tests/conftest.py."""

import asyncio
from collections import Counter

import httpx
import pytest

from app.clock import Clock
from app.config import Settings, normalise_database_url
from app.db import create_engine, install_database
from app.main import create_app
from app.migrate import upgrade
from bench.deadline_rush import build_world
from tests.conftest import CSRF_RE


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def app(database, tmp_path):
    url = database
    engine = create_engine(normalise_database_url(url))
    application = create_app(
        Settings(environment="test", database_url=url, documents_dir=tmp_path / "documents"),
        clock=Clock(),
    )
    install_database(application.state, engine)
    yield application
    await engine.dispose()


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://writers") as c:
        yield c


async def test_thirty_coalitions_submit_at_once(app, client):
    world = await build_world(app.state.sessionmaker, Clock(), 30, lead_seconds=3600)

    async def submit(coalition_id: int, token: str) -> int:
        response = await client.post(
            f"/api/v1/coalitions/{coalition_id}/proposal/submit",
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code

    statuses = await asyncio.gather(*(submit(c, t) for c, t in world.coalitions.items()))
    assert Counter(statuses) == {201: 30}


async def test_sixty_wrong_passwords_at_once(client):
    page = await client.get("/login")
    token = CSRF_RE.search(page.text).group(1)

    async def guess(n: int) -> int:
        response = await client.post(
            "/login",
            data={"email": f"nobody{n % 3}@example.nl", "password": "wrong", "csrf_token": token},
        )
        return response.status_code

    statuses = Counter(await asyncio.gather(*(guess(n) for n in range(60))))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] > 0


async def test_readers_are_not_held_up_by_writers(app, client):
    """A page that only reads runs in a deferred transaction beside a writer."""
    world = await build_world(app.state.sessionmaker, Clock(), 3, lead_seconds=3600)
    (coalition_id, token), *_ = world.coalitions.items()
    async with app.state.sessionmaker() as writer:
        await writer.connection()  # BEGIN IMMEDIATE: holds SQLite's write lock
        listing = await client.get("/api/v1/challenges")
        assert listing.status_code == 200
        await writer.rollback()
    response = await client.post(
        f"/api/v1/coalitions/{coalition_id}/proposal/submit",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201


async def test_a_writer_that_waits_too_long_is_told_to_come_back(app, client):
    """Past busy_timeout the answer is 503 with Retry-After and nothing saved, never a 500."""
    from sqlalchemy import event

    @event.listens_for(app.state.engine.sync_engine, "connect")
    def impatient(dbapi_connection, _record):
        dbapi_connection.cursor().execute("PRAGMA busy_timeout=50")

    await app.state.engine.dispose()  # new connections, with the short timeout
    world = await build_world(app.state.sessionmaker, Clock(), 1, lead_seconds=3600)
    (coalition_id, token), *_ = world.coalitions.items()
    async with app.state.sessionmaker() as writer:
        await writer.connection()  # holds the write lock past the other's patience
        response = await client.post(
            f"/api/v1/coalitions/{coalition_id}/proposal/submit",
            headers={"Authorization": f"Bearer {token}"},
        )
        await writer.rollback()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["code"] == "busy"
