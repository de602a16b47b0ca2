"""Result reports per contract and reporting period (every version kept), and payments made."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class ReportStatus(StrEnum):
    submitted = "submitted"  # waiting for the municipality
    queried = "queried"  # the municipality asked a question; the coalition answers and resubmits
    accepted = "accepted"  # its values are the official results
    superseded = "superseded"  # a later version replaced it


class SignalTheme(StrEnum):
    trend = "trend"  # a trend in the target group
    rules_gap = "rules_gap"  # a gap or a snag in the rules
    between_stools = "between_stools"  # people who fall between two stools
    other = "other"


class ResultReport(Base):
    """One version of the report on one reporting period of a contract."""

    __tablename__ = "result_reports"
    __table_args__ = (
        # Two submissions at the same moment get the same next version: one of them fails.
        UniqueConstraint("contract_id", "period", "version"),
        # At most one accepted version per period, whatever two officers click at once.
        Index(
            "uq_result_reports_accepted",
            "contract_id",
            "period",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)  # the contract's reporting period number
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), index=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    values: Mapped[list["ReportValue"]] = relationship(
        lazy="raise", order_by="ReportValue.position", cascade="all, delete-orphan"
    )
    signals: Mapped[list["ReportSignal"]] = relationship(
        lazy="raise", order_by="ReportSignal.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list["ReportEvidence"]] = relationship(
        lazy="raise", order_by="ReportEvidence.id", cascade="all, delete-orphan"
    )
    queries: Mapped[list["ReportQuery"]] = relationship(
        lazy="raise", order_by="ReportQuery.id", cascade="all, delete-orphan"
    )


class ReportValue(Base):
    """A reported value of one contract indicator, with the number of people it concerns."""

    __tablename__ = "result_values"
    __table_args__ = (UniqueConstraint("report_id", "contract_indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("result_reports.id", ondelete="CASCADE"), index=True
    )
    contract_indicator_id: Mapped[int] = mapped_column(ForeignKey("contract_indicators.id"))
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    people: Mapped[int] = mapped_column(Integer)


class ReportEvidence(Base):
    """A document that backs a report up, kept in the document store."""

    __tablename__ = "result_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("result_reports.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    filename: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    document = relationship("Document", lazy="raise")


class ReportQuery(Base):
    """The municipality's question on a version, and the coalition's answer with the next one."""

    __tablename__ = "result_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("result_reports.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportSignal(Base):
    """Something the coalition sees in the target group that the municipality should know."""

    __tablename__ = "result_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("result_reports.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[SignalTheme] = mapped_column(enum_column(SignalTheme), index=True)
    text: Mapped[str] = mapped_column(Text)


class ContractPayment(Base):
    """A payment made to the contractor for one payment period, or the correction of one.

    Rows are never changed or deleted (the database refuses, migration 0014): a payment
    recorded in error is corrected by a new row for the difference that names it (`corrects_id`)
    and says why, so what was recorded first stays readable beside what it was corrected to."""

    __tablename__ = "contract_payments"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)  # the contract's payment period number
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A correction: the payment it corrects (never itself a correction), and why.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("contract_payments.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
