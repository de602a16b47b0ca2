"""A coalition (samenwerkingsverband) of organisations answering one challenge together."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class MemberStatus(StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    left = "left"


class Coalition(Base):
    __tablename__ = "coalitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What URLs and answers show: random, so it counts nothing (the integer id stays inside).
    public_id: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    members: Mapped[list["CoalitionMember"]] = relationship(
        lazy="raise", order_by="CoalitionMember.id", cascade="all, delete-orphan"
    )
    challenge = relationship("Challenge", lazy="raise")

    def member(self, organisation_id: int) -> "CoalitionMember | None":
        return next((m for m in self.members if m.organisation_id == organisation_id), None)

    def active_members(self) -> list["CoalitionMember"]:
        return [
            m for m in self.members if m.status in (MemberStatus.invited, MemberStatus.accepted)
        ]


class CoalitionMember(Base):
    """One organisation's place in a coalition (invited, accepted, declined or left)."""

    __tablename__ = "coalition_members"
    __table_args__ = (
        UniqueConstraint("coalition_id", "organisation_id"),
        UniqueConstraint("organisation_id", "exclusive_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus))
    role: Mapped[str] = mapped_column(String(200), default="")
    contribution: Mapped[str] = mapped_column(Text, default="")
    # The challenge id while this member has accepted a challenge that allows one coalition per
    # organisation, else NULL: the unique constraint then makes a second acceptance impossible.
    exclusive_key: Mapped[int | None] = mapped_column(Integer)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation", lazy="raise")
