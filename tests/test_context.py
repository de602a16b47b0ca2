"""Context.flush_or_conflict: a unique key taken by a request at the same moment becomes the
caller's clear 409, not a 500."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.context import Context
from app.errors import Conflict
from app.organisations.models import Organisation, OrganisationKind


async def test_a_taken_unique_key_becomes_the_callers_conflict(db, clock, make):
    first = await make.org(OrganisationKind.municipality)
    ctx = Context(db=db, user=None, now=clock.now())
    db.add(Organisation(name=first.name, kind=first.kind, created_at=clock.now()))  # unique
    refusal = Conflict("Taken at the same moment.", code="taken")
    with pytest.raises(Conflict) as raised:
        await ctx.flush_or_conflict(refusal)
    assert raised.value is refusal and raised.value.status == 409
    assert isinstance(raised.value.__cause__, IntegrityError)


async def test_a_flush_that_fits_writes(db, clock):
    ctx = Context(db=db, user=None, now=clock.now())
    db.add(Organisation(name="Nieuw", kind=OrganisationKind.municipality, created_at=clock.now()))
    await ctx.flush_or_conflict(Conflict("Not raised.", code="unused"))
    assert await db.scalar(select(func.count()).where(Organisation.name == "Nieuw")) == 1
