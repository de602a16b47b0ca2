"""A contract made from the winning opened proposal: parties, indicators, periods, payments."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.challenges.models import Direction, Frequency
from app.contracts.payments import Payment, fixed_amount, fixed_schedule, results_share
from app.db import Base, UTCDateTime
from app.enums import enum_column


class ContractStatus(StrEnum):
    running = "running"
    completed = "completed"


class Contract(Base):
    """Published information: what was agreed, copied from the opened version of the proposal."""

    __tablename__ = "contracts"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    # One contract per challenge: the unique constraint makes a second one impossible.
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), unique=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("proposal_submissions.id"))
    coalition_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    receipt_number: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    value_cents: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[ContractStatus] = mapped_column(enum_column(ContractStatus), index=True)
    fixed_share_bp: Mapped[int] = mapped_column(Integer)
    results_cap_cents: Mapped[int] = mapped_column(BigInteger)
    payment_frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    challenge = relationship("Challenge", lazy="raise")
    parties: Mapped[list["ContractParty"]] = relationship(
        lazy="raise", order_by="ContractParty.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list["ContractIndicator"]] = relationship(
        lazy="raise", order_by="ContractIndicator.position", cascade="all, delete-orphan"
    )

    @property
    def fixed_cents(self) -> int:
        return fixed_amount(self.value_cents, self.fixed_share_bp)

    @property
    def results_share_cents(self) -> int:
        return results_share(self.value_cents, self.fixed_share_bp)

    @property
    def lead(self) -> "ContractParty | None":
        return next((party for party in self.parties if party.lead), None)

    def fixed_schedule(self) -> tuple[Payment, ...]:
        """The fixed payments per period (app/contracts/payments.py), computed, never stored."""
        return fixed_schedule(
            self.period_start, self.period_end, self.fixed_cents, self.payment_frequency.value
        )


class ContractParty(Base):
    """A member of the winning coalition, with its share of the budget; the lead marked."""

    __tablename__ = "contract_parties"
    __table_args__ = (UniqueConstraint("contract_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kvk_number: Mapped[str | None] = mapped_column(String(20))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(200), default="")
    budget_cents: Mapped[int] = mapped_column(BigInteger)


class ContractIndicator(Base):
    """A challenge indicator as contracted: its baseline and the target the coalition committed."""

    __tablename__ = "contract_indicators"
    __table_args__ = (
        UniqueConstraint("contract_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60), default="")
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[date | None] = mapped_column(Date)
    committed_target: Mapped[float] = mapped_column(Float)
    reporting_frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))

    periods: Mapped[list["ReportingPeriod"]] = relationship(
        lazy="raise", order_by="ReportingPeriod.number", cascade="all, delete-orphan"
    )


class ReportingPeriod(Base):
    """One period an indicator is reported on (app/contracts/periods.py); results attach here."""

    __tablename__ = "contract_reporting_periods"
    __table_args__ = (
        UniqueConstraint("contract_indicator_id", "number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_indicator_id: Mapped[int] = mapped_column(
        ForeignKey("contract_indicators.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
