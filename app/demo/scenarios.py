"""The demo's saved cut scenario: Voorbeeldstad must save 10 % on its running contracts in 2027
and protects the households with problems on three or more fronts ("Eén gezin, één coach"),
so a new user sees at once what the flat cut (kaasschaaf) would cost in results and what the
results-based cut keeps."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.context import Context
from app.organisations.models import User
from app.results.portfolio_service import load_portfolio
from app.scenarios import service

OFFICER = "werk@voorbeeldstad.nl"
NAME = "Bezuiniging 2027: 10%"
PROTECTED_COALITION = "Eén gezin, één coach"


async def load_scenario(db: AsyncSession, users: dict[str, User], now: datetime) -> None:
    """Saved yesterday by the officer for work and income, through the scenarios service."""
    ctx = Context(db=db, user=users[OFFICER], now=now - timedelta(days=1))
    portfolio = await load_portfolio(ctx)
    protected = sorted(
        {row.target_group for row in portfolio.rows if row.coalition_name == PROTECTED_COALITION}
    )
    await service.create_scenario(
        ctx,
        {"name": NAME, "saving_percentage": "10", "protected_target_groups": protected},
    )
