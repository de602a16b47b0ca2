"""Finding contracts: published information, readable by anyone, newest first."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.permissions import readable_challenges
from app.challenges.models import Challenge
from app.challenges.search import Page
from app.context import Context
from app.contracts.models import Contract, ContractIndicator
from app.errors import NotFound
from app.organisations.models import Organisation


@dataclass
class ContractFilter:
    municipality: int | None = None
    page: int = 1
    per_page: int = 20


def _readable(ctx: Context):
    """Contracts of the challenges the caller may read (a contract's challenge is published)."""
    return (
        select(Contract)
        .join(Challenge, Challenge.id == Contract.challenge_id)
        .where(readable_challenges(ctx.user))
    )


def _summary_options():
    return (
        selectinload(Contract.challenge).selectinload(Challenge.organisation),
        selectinload(Contract.parties),
    )


async def list_contracts(ctx: Context, f: ContractFilter) -> Page:
    query = _readable(ctx)
    if f.municipality:
        query = query.where(Challenge.organisation_id == f.municipality)
    total = await ctx.db.scalar(select(func.count()).select_from(query.subquery()))
    items = (
        await ctx.db.scalars(
            query.options(*_summary_options())
            .order_by(Contract.created_at.desc(), Contract.id.desc())
            .limit(f.per_page)
            .offset((f.page - 1) * f.per_page)
        )
    ).all()
    return Page(items=list(items), total=total or 0, page=f.page, per_page=f.per_page)


async def get_contract(ctx: Context, contract_id: int) -> Contract:
    """One contract with its parties, indicators and periods; anything else is not found."""
    contract = await ctx.db.scalar(
        _readable(ctx)
        .where(Contract.id == contract_id)
        .options(
            *_summary_options(),
            selectinload(Contract.indicators).selectinload(ContractIndicator.periods),
        )
    )
    if contract is None:
        raise NotFound("This contract does not exist.")
    return contract


async def contract_of_challenge(ctx: Context, challenge: Challenge) -> Contract | None:
    """The challenge's contract, for its public page (the challenge is already readable)."""
    return await ctx.db.scalar(
        select(Contract)
        .options(selectinload(Contract.parties))
        .where(Contract.challenge_id == challenge.id)
    )


async def municipalities_with_contracts(ctx: Context) -> list[Organisation]:
    ids = _readable(ctx).with_only_columns(Challenge.organisation_id)
    return list(
        (
            await ctx.db.scalars(
                select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
            )
        ).all()
    )
