"""Accounts as the admin API shows them, and a role change."""

from pydantic import BaseModel, ConfigDict, computed_field

from app.organisations.models import Role
from app.validation import Input


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role | None
    is_active: bool

    @computed_field
    @property
    def waiting_for_role(self) -> bool:
        return self.role is None


class RoleIn(Input):
    """`null` takes the role away; the account then waits for a role again."""

    role: Role | None
