"""Migrations keep what is already stored: run them over a database that holds data."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.coalitions.service import get_coalition
from app.config import normalise_database_url
from app.context import Context
from app.db import UTCDateTime, create_engine, make_sessionmaker
from app.migrate import downgrade, upgrade
from app.organisations.models import User
from tests.conftest import scratch_database

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=30)
TEXT, INT, WHEN = sa.String(), sa.Integer(), UTCDateTime()


def _table(table: str, /, **columns: sa.types.TypeEngine) -> sa.TableClause:
    return sa.table(table, *(sa.column(column, kind) for column, kind in columns.items()))


ORGANISATIONS = _table("organisations", id=INT, name=TEXT, kind=TEXT, created_at=WHEN)
USERS = _table(
    "users",
    id=INT,
    email=TEXT,
    name=TEXT,
    organisation_id=INT,
    role=TEXT,
    is_active=sa.Boolean(),
    created_at=WHEN,
)
CHALLENGES = _table(
    "challenges",
    **dict.fromkeys(("id", "organisation_id", "scale_min", "scale_max", "created_by_id"), INT),
    **dict.fromkeys(
        ("status", "title", "summary", "desired_result", "target_group", "context"), TEXT
    ),
    **dict.fromkeys(("created_at", "updated_at", "submission_deadline"), WHEN),
)
COALITIONS = _table(
    "coalitions",
    **dict.fromkeys(("id", "challenge_id", "lead_organisation_id", "created_by_id"), INT),
    name=TEXT,
    created_at=WHEN,
)
MEMBERS = _table(
    "coalition_members",
    **dict.fromkeys(("id", "coalition_id", "organisation_id"), INT),
    **dict.fromkeys(("status", "role", "contribution"), TEXT),
    invited_at=WHEN,
)
DOCUMENTS = _table(
    "documents",
    **dict.fromkeys(("id", "size", "uploaded_by_id"), INT),
    **dict.fromkeys(("storage_key", "sha256", "content_type"), TEXT),
    uploaded_at=WHEN,
)
ATTACHMENTS = _table(
    "proposal_attachments",
    **dict.fromkeys(("id", "coalition_id", "document_id"), INT),
    sealed_filename=sa.LargeBinary(),
    added_at=WHEN,
)
SUBMISSIONS = _table(
    "proposal_submissions",
    **dict.fromkeys(("id", "challenge_id", "coalition_id", "version", "submitted_by_id"), INT),
    **dict.fromkeys(("receipt_number", "content_hash", "status"), TEXT),
    sealed_content=sa.LargeBinary(),
    submitted_at=WHEN,
)
OPENINGS = _table(
    "proposal_openings",
    id=INT,
    challenge_id=INT,
    opened_at=WHEN,
    deadline=WHEN,
    entries=sa.JSON(),
)
PUBLIC = {
    name: _table(name, id=INT, public_id=sa.Uuid())
    for name in ("coalitions", "proposal_attachments")
}


async def _world_at_0003(conn: AsyncConnection) -> None:
    """Two coalitions with members, a document, a submission and its opening record."""
    await conn.execute(
        ORGANISATIONS.insert(),
        [
            {"id": 1, "name": "Gemeente", "kind": "municipality", "created_at": NOW},
            {"id": 2, "name": "Welzijn", "kind": "welfare_organisation", "created_at": NOW},
        ],
    )
    await conn.execute(
        USERS.insert(),
        [
            {"id": n, "email": f"u{n}@example.nl", "name": "U", "organisation_id": n}
            | {"role": role, "is_active": True, "created_at": NOW}
            for n, role in ((1, "policy_officer"), (2, "provider_member"))
        ],
    )
    texts = ("title", "summary", "desired_result", "target_group", "context")
    await conn.execute(
        CHALLENGES.insert(),
        {"id": 1, "organisation_id": 1, "status": "published", "scale_min": 1, "scale_max": 5}
        | dict.fromkeys(texts, "x")
        | {"created_by_id": 1, "created_at": NOW, "updated_at": NOW}
        | {"submission_deadline": DEADLINE},
    )
    await conn.execute(
        COALITIONS.insert(),
        [
            {"id": n, "challenge_id": 1, "lead_organisation_id": 2, "created_by_id": 2}
            | {"name": f"Coalitie {n}", "created_at": NOW}
            for n in (1, 2)
        ],
    )
    await conn.execute(
        MEMBERS.insert(),
        [
            {"id": n, "coalition_id": n, "organisation_id": 2, "status": "accepted"}
            | {"role": "", "contribution": "", "invited_at": NOW}
            for n in (1, 2)
        ],
    )
    await conn.execute(
        DOCUMENTS.insert(),
        {"id": 1, "size": 1, "uploaded_by_id": 2, "storage_key": "k", "sha256": "0" * 64}
        | {"content_type": "application/pdf", "uploaded_at": NOW},
    )
    await conn.execute(
        ATTACHMENTS.insert(),
        {"id": 1, "coalition_id": 1, "document_id": 1, "sealed_filename": b"-", "added_at": NOW},
    )
    await conn.execute(
        SUBMISSIONS.insert(),
        {"id": 1, "challenge_id": 1, "coalition_id": 2, "version": 1, "submitted_by_id": 2}
        | {"receipt_number": "UK-1-A", "content_hash": "0" * 64, "status": "current"}
        | {"sealed_content": b"-", "submitted_at": NOW},
    )
    entry = {"receipt_number": "UK-1-A", "coalition": "Coalitie 2", "coalition_id": 2}
    await conn.execute(
        OPENINGS.insert(),
        {"id": 1, "challenge_id": 1, "opened_at": DEADLINE, "deadline": DEADLINE}
        | {"entries": [entry | {"version": 1}]},
    )


async def _public_ids(conn: AsyncConnection, name: str) -> dict[int, UUID]:
    table = PUBLIC[name]
    return dict((await conn.execute(sa.select(table.c.id, table.c.public_id))).all())


async def _count(conn: AsyncConnection, table: sa.TableClause) -> int:
    return await conn.scalar(sa.select(sa.func.count()).select_from(table))


async def _entries(conn: AsyncConnection) -> list[dict]:
    return await conn.scalar(sa.select(OPENINGS.c.entries))


@pytest.fixture
def url(tmp_path):
    """A database of its own (made outside the event loop: on PostgreSQL it is created anew)."""
    with scratch_database("public_ids", tmp_path) as url:
        yield url


async def test_public_ids_are_given_to_what_exists_and_nothing_is_lost(url):
    await asyncio.to_thread(upgrade, url, "0003")
    engine = create_engine(normalise_database_url(url))
    try:
        async with engine.begin() as conn:
            await _world_at_0003(conn)

        await asyncio.to_thread(upgrade, url, "0004")
        async with engine.connect() as conn:
            coalitions = await _public_ids(conn, "coalitions")
            attachments = await _public_ids(conn, "proposal_attachments")
            assert sorted(coalitions) == [1, 2] and sorted(attachments) == [1]
            given = [*coalitions.values(), *attachments.values()]
            assert all(isinstance(u, UUID) and u.version == 4 for u in given)
            assert len(set(given)) == 3
            # Nothing that hangs off a coalition went with the rebuilt table.
            assert await _count(conn, MEMBERS) == 2
            assert await _count(conn, ATTACHMENTS) == 1
            assert await _count(conn, SUBMISSIONS) == 1
            entries = await _entries(conn)
            assert [e["coalition_id"] for e in entries] == [str(coalitions[2])]

        await asyncio.to_thread(downgrade, url, "0003")
        async with engine.connect() as conn:
            assert [e["coalition_id"] for e in await _entries(conn)] == [2]
            assert await _count(conn, MEMBERS) == 2

        await asyncio.to_thread(upgrade, url)
        async with make_sessionmaker(engine)() as db:
            coalitions = await _public_ids(await db.connection(), "coalitions")
            member = await db.get(User, 2)
            found = await get_coalition(Context(db=db, user=member, now=NOW), coalitions[1])
            assert found.id == 1 and [m.organisation_id for m in found.members] == [2]
    finally:
        await engine.dispose()
