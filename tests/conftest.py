"""Test database built by the migrations; each test runs in a transaction that is rolled back."""

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("ENVIRONMENT", "test")

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.clock import FrozenClock
from app.config import Settings, normalise_database_url
from app.context import Context
from app.db import create_engine
from app.main import create_app
from app.migrate import upgrade
from tests.factories import Factory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DATABASE_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL")
    or f"sqlite:///{Path(tempfile.mkdtemp(prefix='uitkomst-test-')) / 'test.db'}"
)


@contextmanager
def scratch_database(suffix: str, folder: Path) -> Iterator[str]:
    """A database of its own for tests that must commit: an SQLite file, or in a PostgreSQL run
    a new database beside the test database, dropped afterwards."""
    if not DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.db'}"
        return
    base, _, name = DATABASE_URL.rpartition("/")
    scratch = f"{name}_{suffix}"
    user, _, hostport = base.removeprefix("postgresql+asyncpg://").partition("@")
    host, _, port = hostport.partition(":")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(
            user=user, host=host, port=int(port or 5432), database="postgres"
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{scratch}"'))
    try:
        yield f"{base}/{scratch}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))


def pytest_report_header() -> str:
    return f"database: {DATABASE_URL.split('@')[-1]}"


@pytest.fixture(scope="session")
def migrated() -> str:
    """Alembic is the only way the schema is made, for the tests too."""
    upgrade(DATABASE_URL)
    return DATABASE_URL


@pytest.fixture(scope="session")
async def engine(migrated: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_maker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions bound to one connection whose outer transaction is rolled back at the end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        yield async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        await outer.rollback()


@pytest.fixture
async def db(db_maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with db_maker() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=DATABASE_URL,
        documents_dir=tmp_path / "documents",
        max_upload_bytes=200_000,
    )


@pytest.fixture
def app(settings: Settings, clock: FrozenClock, db_maker):
    application = create_app(settings, clock=clock)
    application.state.sessionmaker = db_maker
    return application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make(db: AsyncSession, clock: FrozenClock) -> Factory:
    return Factory(db, clock)


def ctx_for(db: AsyncSession, user, clock: FrozenClock, days: float = 0) -> Context:
    return Context(db=db, user=user, now=clock.now() + timedelta(days=days))


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """Load a page and take the CSRF token from its form, as a browser would."""
    page = await client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = "secret-pass") -> None:
    token = await csrf(client)
    response = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text


async def post_form(client: httpx.AsyncClient, path: str, data: dict, page: str | None = None):
    token = await csrf(client, page or "/challenges")
    return await client.post(path, data={**data, "csrf_token": token})
