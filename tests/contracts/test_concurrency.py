"""Two officers make the contract of one challenge at the same moment, each in a transaction of
its own that commits: one contract is made, the other call gets a clear 409, never a 500."""

import asyncio

import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.config import normalise_database_url
from app.context import Context
from app.contracts.models import Contract
from app.contracts.service import make_contract
from app.db import create_engine, make_sessionmaker
from app.errors import Conflict
from app.migrate import upgrade
from app.organisations.models import OrganisationKind, Role
from app.proposals.opening import opening
from tests.conftest import NOW, scratch_database
from tests.contracts.world import closed_challenge, past_the_deadline, submitted
from tests.factories import Factory

ROUNDS = 3


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with scratch_database("contracts", tmp_path_factory.mktemp("contracts")) as url:
        upgrade(url)
        yield url


async def test_one_of_two_simultaneous_calls_makes_the_contract(database):
    engine = create_engine(normalise_database_url(database))
    sessions = make_sessionmaker(engine)
    clock = FrozenClock(NOW)
    try:
        async with sessions() as db:
            make = Factory(db, clock)
            municipality = await make.org(OrganisationKind.municipality)
            officers = [await make.user(Role.policy_officer, org=municipality) for _ in range(2)]
            rounds = []
            for _ in range(ROUNDS):
                challenge = await closed_challenge(make, officers[0])
                bidders = [
                    await submitted(make, challenge, await make.user(Role.provider_member))
                    for _ in range(2)
                ]
                rounds.append((challenge, bidders))
            past_the_deadline(make, rounds[-1][0])
            # The first round also races to make the opening record (which serialises the two
            # calls); in the others it exists, so both pass every check before either writes
            # and the unique constraint decides.
            for challenge, _bidders in rounds[1:]:
                await opening(make.ctx(officers[0]), challenge.id)
            await db.commit()

        async def attempt(officer, challenge_id, coalition_id) -> str:
            async with sessions() as db:
                ctx = Context(db=db, user=officer, now=clock.now())
                try:
                    await make_contract(ctx, challenge_id, coalition_id)
                    await db.commit()
                    return "made"
                except Conflict as refused:
                    await db.rollback()
                    return refused.code

        for challenge, bidders in rounds:
            outcomes = await asyncio.gather(
                *(
                    attempt(officer, challenge.id, bidder.public_id)
                    for officer, bidder in zip(officers, bidders, strict=True)
                )
            )
            assert sorted(outcomes) == ["contract_exists", "made"], outcomes
        async with sessions() as db:
            assert await db.scalar(select(func.count()).select_from(Contract)) == ROUNDS
    finally:
        await engine.dispose()
