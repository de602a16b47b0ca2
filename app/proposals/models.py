"""The joint proposal: a working draft, sealed submitted versions with receipts, the opening."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class SubmissionStatus(StrEnum):
    current = "current"
    superseded = "superseded"
    withdrawn = "withdrawn"


class ProposalDraft(Base):
    """The coalition's working copy; its content is encrypted at rest (sealed)."""

    __tablename__ = "proposal_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"), unique=True
    )
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProposalAttachment(Base):
    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What URLs and answers show: random, so it does not count other coalitions' uploads.
    public_id: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    sealed_filename: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document = relationship("Document", lazy="raise")


class ProposalSubmission(Base):
    """One submitted version with its receipt; every version is kept."""

    __tablename__ = "proposal_submissions"
    __table_args__ = (UniqueConstraint("coalition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[SubmissionStatus] = mapped_column(enum_column(SubmissionStatus))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProposalOpening(Base):
    """The opening record (proces-verbaal van opening), made once the deadline has passed."""

    __tablename__ = "proposal_openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    entries: Mapped[list] = mapped_column(JSON)
