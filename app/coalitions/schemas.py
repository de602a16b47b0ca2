"""Coalitions on the way in and out."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.coalitions.models import MemberStatus
from app.validation import NAME_MAX, Input

# The limits of what members write, named once for the API, the forms and the messages.
NAME_MIN = 2
ROLE_MAX = 200
CONTRIBUTION_MAX = 5000

Role = Annotated[str, Field(max_length=ROLE_MAX)]
Contribution = Annotated[str, Field(max_length=CONTRIBUTION_MAX)]


class CoalitionIn(Input):
    name: Annotated[str, Field(min_length=NAME_MIN, max_length=NAME_MAX)]
    role: Role = ""
    contribution: Contribution = ""


class InviteIn(Input):
    organisation_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class ResponseIn(Input):
    accept: bool
    role: Role = ""
    contribution: Contribution = ""


class MembershipIn(Input):
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
