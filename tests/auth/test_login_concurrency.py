"""Concurrent wrong passwords on PostgreSQL: the throttle counts atomically, so no burst of
guesses gets past the limit, for one account or from one address."""

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from app.clock import Clock
from app.config import Settings
from app.db import create_engine, make_sessionmaker
from app.main import create_app
from app.migrate import upgrade
from app.organisations.models import Role, User
from tests.conftest import DATABASE_URL, csrf, scratch_database
from tests.factories import Factory

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL (runs in the PostgreSQL pass of make test); on SQLite the write "
    "lock taken at BEGIN serialises sign-in attempts",
)
GUESSES = 30
EMAIL = "doelwit@gemeente.nl"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("logins", tmp_path_factory.mktemp("logins")) as url:
        upgrade(url)
        yield url


@pytest.fixture
async def app(database, tmp_path):
    """The app on a real pool: every request its own session and transaction, committed."""
    engine = create_engine(database, pool_size=15, max_overflow=GUESSES)
    sessions = make_sessionmaker(engine)
    clock = Clock()
    async with sessions() as db:
        if await db.scalar(select(User.id).where(User.email == EMAIL)) is None:
            await Factory(db, clock).user(Role.policy_officer, email=EMAIL)
            await db.commit()
    settings = Settings(
        environment="test", database_url=database, documents_dir=tmp_path / "documents"
    )
    application = create_app(settings, clock=clock)
    application.state.sessionmaker = sessions
    yield application
    await engine.dispose()


async def burst(app, address: str, emails: list[str]) -> Counter:
    """One wrong password per email, all at once from one client address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://race") as client:
        client.cookies.set("uk_lang", "en")
        token = await csrf(client)

        async def guess(email: str) -> str:
            form = {"email": email, "password": "geraden", "csrf_token": token}
            response = await client.post("/login", data=form)
            assert response.status_code in (401, 429), response.text
            return "wrong password" if response.status_code == 401 else "too many attempts"

        return Counter(await asyncio.gather(*(guess(email) for email in emails)))


async def test_concurrent_guesses_for_one_account_get_at_most_the_limit(app):
    outcomes = await burst(app, "203.0.113.1", [EMAIL] * GUESSES)
    print(dict(outcomes))
    assert outcomes["wrong password"] == app.state.settings.login_max_failures
    assert outcomes["too many attempts"] == GUESSES - app.state.settings.login_max_failures


async def test_concurrent_guesses_from_one_address_get_at_most_its_limit(app):
    emails = [f"gok{n}@gemeente.nl" for n in range(GUESSES)]
    outcomes = await burst(app, "203.0.113.2", emails)
    print(dict(outcomes))
    limit = app.state.settings.login_max_failures * 4
    assert outcomes["wrong password"] == limit
    assert outcomes["too many attempts"] == GUESSES - limit
