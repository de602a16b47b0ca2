"""Two requests changing the same thing at once: one wins, the other is told so; never a 500.

Runs against a database of its own (SQLite file or a PostgreSQL scratch database) with the
engine the app makes for itself, so the requests really run side by side."""

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.config import Settings, normalise_database_url
from app.db import create_engine, install_database
from app.evaluation import declarations
from app.evaluation.models import CommitteeChange, Score
from app.evaluation.schemas import DeclarationsIn
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import NOW, scratch_database
from tests.evaluation.world import AFTER, build
from tests.factories import Factory


@pytest.fixture
def database(tmp_path):
    with scratch_database("evaluation_race", tmp_path) as url:
        upgrade(url)
        yield url


@pytest.fixture
async def race(database, tmp_path):
    url = database
    engine = create_engine(normalise_database_url(url))
    clock = FrozenClock(NOW)
    app = create_app(
        Settings(environment="test", database_url=url, documents_dir=tmp_path / "documents"),
        clock=clock,
    )
    install_database(app.state, engine)
    try:
        async with app.state.sessionmaker() as db:
            make = Factory(db, clock)
            world = await build(make, proposals_count=1)
            tokens = {who: await make.token(user) for who, user in world.users.items()}
            await db.commit()
        clock.advance(timedelta(days=AFTER))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://race") as client:
            yield app, world, tokens, client
    finally:
        await engine.dispose()


async def _count(app, model) -> int:
    async with app.state.sessionmaker() as db:
        return await db.scalar(select(func.count()).select_from(model))


async def test_two_first_committees_at_once(race):
    app, world, tokens, client = race
    users = world.users
    body = {
        "chair_user_id": users["chair"].id,
        "evaluator_user_ids": [users["eva"].id, users["expert"].id],
    }
    url = f"/api/v1/challenges/{world.challenge.id}/committee"
    headers = [{"Authorization": f"Bearer {tokens[who]}"} for who in ("officer", "colleague")]
    responses = await asyncio.gather(*(client.put(url, json=body, headers=h) for h in headers))
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 409, 503} and statuses[200] >= 1, statuses
    assert await _count(app, CommitteeChange) == 1  # the same composition is stored once


async def test_two_saves_of_the_same_score_at_once(race):
    app, world, tokens, client = race
    async with app.state.sessionmaker() as db:
        make = Factory(db, app.state.clock)
        world.make = make
        await world.form(days=0)
        data = DeclarationsIn.model_validate(
            {"declarations": [{"proposal_id": str(world.pid(0)), "conflict": False}]}
        )
        await declarations.declare(world.ctx("eva", days=0), world.challenge.id, data)
        await db.commit()
    quality = next(c for c in world.challenge.criteria if c.kind == "quality")
    url = f"/api/v1/challenges/{world.challenge.id}/evaluation/proposals/{world.pid(0)}/scores"
    headers = {"Authorization": f"Bearer {tokens['eva']}"}

    async def put(score: int) -> httpx.Response:
        body = {"scores": [{"criterion_id": quality.id, "score": score, "rationale": "Gelijk."}]}
        return await client.put(url, json=body, headers=headers)

    responses = await asyncio.gather(put(6), put(8))
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 409, 503} and statuses[200] >= 1, statuses
    assert all(r.json().get("code") != "internal_error" for r in responses)
    assert await _count(app, Score) == 1
