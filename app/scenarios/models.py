"""A saved cut scenario: what the officer asked and the contract figures it was computed on.

Saved scenarios never change; a new one is saved instead. The contract inputs are frozen with it
(budget, expected results as an exact fraction, whether they were estimated, name and target
groups), so the scenario computes to exactly the same cuts later, whatever results come in since.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime


class CutScenarioRecord(Base):
    """One saved scenario of a municipality, named in URLs by a random public id."""

    __tablename__ = "cut_scenarios"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, so a scenario's address counts nothing (how many scenarios others saved).
    public_id: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The saving as asked: an amount in cents or a percentage (an exact decimal, as text).
    saving_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    saving_percentage: Mapped[str | None] = mapped_column(String(40))
    protected_contracts: Mapped[list[str]] = mapped_column(JSON)
    protected_groups: Mapped[list[str]] = mapped_column(JSON)
    floors: Mapped[dict[str, int]] = mapped_column(JSON)  # contract id -> floor in cents
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)  # the portfolio's theme, target group
    # The frozen inputs: [{id, name, budget_cents, expected_results ("a/b"), estimated,
    # target_groups}], in the order of their ids.
    contracts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Its outcome, for lists: the saving in cents, the total budget, what falls short, and the
    # results lost by each cut (rounded to two decimals, as text).
    saving_cents: Mapped[int] = mapped_column(BigInteger)
    total_budget_cents: Mapped[int] = mapped_column(BigInteger)
    short_cents: Mapped[int] = mapped_column(BigInteger)
    flat_results_lost: Mapped[str] = mapped_column(String(60))
    results_results_lost: Mapped[str] = mapped_column(String(60))

    organisation = relationship("Organisation", lazy="raise")
    created_by = relationship("User", lazy="raise")
