"""An award decision with its standstill, and the objections bidders lodge against it."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import JSON, Date, ForeignKey, Index, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class DecisionStatus(StrEnum):
    standstill = "standstill"  # sent to every bidder; no contract yet
    withdrawn = "withdrawn"  # by the municipality, or after an upheld objection
    contracted = "contracted"  # the contract was made from it


class ObjectionStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    rejected = "rejected"


class AwardDecision(Base):
    """The decision for the best-ranked valid proposal; a withdrawn one is kept for the history."""

    __tablename__ = "award_decisions"
    __table_args__ = (
        # At most one decision in force per challenge, whatever two officers click at once.
        Index(
            "uq_award_decisions_in_force",
            "challenge_id",
            unique=True,
            sqlite_where=text("status != 'withdrawn'"),
            postgresql_where=text("status != 'withdrawn'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"))
    status: Mapped[DecisionStatus] = mapped_column(enum_column(DecisionStatus))
    reasons: Mapped[str] = mapped_column(Text)
    # The ranking the decision rests on, as it stood when the decision was taken.
    ranking: Mapped[dict] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    standstill_last_day: Mapped[date] = mapped_column(Date)
    standstill_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    coalition = relationship("Coalition", lazy="raise")


class Objection(Base):
    """A bidder's objection (bezwaar) during the standstill; an open one blocks the contract."""

    __tablename__ = "objections"
    # One objection per bidder and decision: a rejected one goes to court, not round again.
    __table_args__ = (UniqueConstraint("decision_id", "coalition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    decision_id: Mapped[int] = mapped_column(ForeignKey("award_decisions.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(enum_column(ObjectionStatus))
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lodged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    decision = relationship("AwardDecision", lazy="raise")
    coalition = relationship("Coalition", lazy="raise")
