"""A challenge: the desired result, the fixed budget, indicators, criteria, Q&A, amendments."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column
from app.i18n import Lazy


class ChallengeStatus(StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"
    unsuccessful = "unsuccessful"  # no valid proposal: ended without an award


class Theme(StrEnum):
    education = "education"
    youth = "youth"
    justice = "justice"
    debt = "debt"
    work = "work"
    sport = "sport"
    care = "care"
    housing = "housing"
    neighbourhood = "neighbourhood"


# What a theme is called on pages and in files for people (programs get the value).
THEME_LABELS = {
    Theme.education: Lazy("Education"),
    Theme.youth: Lazy("Youth"),
    Theme.justice: Lazy("Justice and safety"),
    Theme.debt: Lazy("Debt help"),
    Theme.work: Lazy("Work and income"),
    Theme.sport: Lazy("Sport and exercise"),
    Theme.care: Lazy("Care and support"),
    Theme.housing: Lazy("Housing"),
    Theme.neighbourhood: Lazy("Neighbourhood"),
}


class Direction(StrEnum):
    increase = "increase"
    decrease = "decrease"


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"


class CriterionKind(StrEnum):
    quality = "quality"
    formula = "formula"


class Challenge(Base):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[ChallengeStatus] = mapped_column(enum_column(ChallengeStatus), index=True)
    theme: Mapped[Theme | None] = mapped_column(enum_column(Theme), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    desired_result: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    target_group_size: Mapped[int | None] = mapped_column(Integer)
    context: Mapped[str] = mapped_column(Text, default="")
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=10)
    question_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    expected_award_date: Mapped[date | None] = mapped_column(Date)
    # Normally an organisation sits in one coalition per challenge; a challenge may relax that.
    allow_multiple_coalitions: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    unsuccessful_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsuccessful_reason: Mapped[str | None] = mapped_column(Text)

    organisation = relationship("Organisation", lazy="raise")
    indicators: Mapped[list["Indicator"]] = relationship(
        lazy="raise", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        lazy="raise", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    requirements: Mapped[list["MinimumRequirement"]] = relationship(
        lazy="raise", order_by="MinimumRequirement.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["ChallengeAttachment"]] = relationship(
        lazy="raise", order_by="ChallengeAttachment.id", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[date | None] = mapped_column(Date)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    target_value: Mapped[float | None] = mapped_column(Float)
    measurement_method: Mapped[str] = mapped_column(Text, default="")
    reporting_frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    outcome_value_cents: Mapped[int | None] = mapped_column(BigInteger)


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)
    indicator_position: Mapped[int | None] = mapped_column(Integer)


class MinimumRequirement(Base):
    __tablename__ = "minimum_requirements"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ChallengeAttachment(Base):
    __tablename__ = "challenge_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    filename: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    document = relationship("Document", lazy="raise")


class Amendment(Base):
    """A change to a published challenge (rectificatie), kept for ever and shown publicly."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("challenge_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Question(Base):
    """A provider's question (vragenronde); public once answered, the asker never shown."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
