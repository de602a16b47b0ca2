"""The evaluation as stored: committee (with its history), declarations, scores, the chair's
verdicts and consensus, and the seed of the lot. Proposals are named by their coalition."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class CommitteeRole(StrEnum):
    chair = "chair"
    evaluator = "evaluator"


class CommitteeMember(Base):
    """A seat on a challenge's committee; a seat that ends is kept, with `removed_at` set."""

    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[CommitteeRole] = mapped_column(enum_column(CommitteeRole))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", lazy="raise")


class CommitteeChange(Base):
    """One change of the composition: who, when, why, and the composition before and after.

    The number is unique per challenge, so two changes made at the same moment cannot both
    be stored on top of the same composition."""

    __tablename__ = "committee_changes"
    __table_args__ = (UniqueConstraint("challenge_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    old: Mapped[dict] = mapped_column(JSON)
    new: Mapped[dict] = mapped_column(JSON)


class Declaration(Base):
    """A member's statement on one opened proposal: a conflict of interest or none. Final."""

    __tablename__ = "evaluation_declarations"
    __table_args__ = (UniqueConstraint("user_id", "coalition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conflict: Mapped[bool] = mapped_column(Boolean)
    explanation: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Score(Base):
    """One evaluator's score with rationale on one quality criterion of one proposal."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (UniqueConstraint("user_id", "coalition_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScoringSubmission(Base):
    """A member has submitted all their scores; from then on they are final."""

    __tablename__ = "evaluation_submissions"
    __table_args__ = (UniqueConstraint("challenge_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RequirementVerdict(Base):
    """The chair's pass/fail on one minimum requirement of one proposal, with the reason."""

    __tablename__ = "evaluation_verdicts"
    __table_args__ = (UniqueConstraint("coalition_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("minimum_requirements.id"))
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsensusScore(Base):
    """The chair's consensus score with rationale on one quality criterion of one proposal."""

    __tablename__ = "evaluation_consensus"
    __table_args__ = (UniqueConstraint("coalition_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LotSeed(Base):
    """The seed of the ranking's lot: drawn once, when first needed, and never again."""

    __tablename__ = "evaluation_lot_seeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
