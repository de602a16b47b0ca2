"""Coalitions on the way in and out."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.coalitions.models import MemberStatus

Role = Annotated[str, Field(max_length=200)]
Contribution = Annotated[str, Field(max_length=5000)]


class CoalitionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=2, max_length=200)]
    role: Role = ""
    contribution: Contribution = ""


class InviteIn(BaseModel):
    organisation_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class ResponseIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    accept: bool
    role: Role = ""
    contribution: Contribution = ""


class MembershipIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    role: Role = ""
    contribution: Contribution = ""


class MemberOut(BaseModel):
    organisation_id: int
    organisation: str
    kvk_number: str | None
    status: MemberStatus
    lead: bool
    role: str
    contribution: str
    invited_at: datetime
    responded_at: datetime | None


class CoalitionOut(BaseModel):
    id: UUID
    challenge_id: int
    challenge: str
    name: str
    lead_organisation_id: int
    members: list[MemberOut]
    created_at: datetime


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    kvk_number: str | None
