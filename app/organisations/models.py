"""Organisations and the people who act for them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.enums import enum_column


class OrganisationKind(StrEnum):
    municipality = "municipality"
    welfare_organisation = "welfare_organisation"
    social_enterprise = "social_enterprise"
    school_board = "school_board"
    company = "company"
    citizen_collective = "citizen_collective"


class Role(StrEnum):
    admin = "admin"
    policy_officer = "policy_officer"
    provider_member = "provider_member"
    evaluator = "evaluator"
    auditor = "auditor"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    kvk_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role | None] = mapped_column(enum_column(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="raise")
