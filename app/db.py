"""Database: declarative Base with naming convention, engine, sessions, one commit per request."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so savepoints and rollbacks behave."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer takes SQLite's write lock when its transaction begins, so concurrent writers
        # queue on busy_timeout. A deferred transaction that later tries to write fails at once
        # with "database is locked" when another writer got there first.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


SQLITE_BEGIN = "uitkomst_sqlite_begin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose transactions write (on SQLite: take the write lock at BEGIN)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: on SQLite they never wait for a writer (WAL)."""
    reader = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    return async_sessionmaker(reader, expire_on_commit=False, autoflush=False)


def install_database(state: Any, engine: AsyncEngine) -> None:
    """Give the app its engine and the two kinds of session."""
    state.engine = engine
    state.sessionmaker = make_sessionmaker(engine)
    state.read_sessionmaker = make_read_sessionmaker(engine)


def writes_on_read(endpoint: Any) -> Any:
    """Marks a GET endpoint that may write (e.g. makes the opening record on first read)."""
    endpoint.writes_on_read = True
    return endpoint


def _reads_only(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return request.method in SAFE_METHODS and not getattr(endpoint, "writes_on_read", False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; CommittingRoute commits it once the endpoint returns."""
    state = request.app.state
    maker = state.sessionmaker
    if _reads_only(request) and getattr(state, "read_sessionmaker", None) is not None:
        maker = state.read_sessionmaker
    session: AsyncSession = maker()
    request.state.db = session
    try:
        yield session
    finally:
        await session.close()


DbSession = Annotated[AsyncSession, Depends(get_session)]
# The largest value an INTEGER column holds on every backend; bounds ids and counters in input.
MAX_INT = 2_147_483_647
# A record id in a URL: anything outside the integer column's range is simply not found.
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
