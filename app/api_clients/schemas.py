"""A client as an admin registers it, and what the token endpoint and whoami answer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.validation import NAME_MAX, Input

Scope = Literal["ocds:read", "results:read", "audit:read"]


class ApiClientIn(Input):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    scopes: list[Scope] = Field(min_length=1, max_length=3)

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        """OAuth2 writes scopes space-separated; a list works too."""
        return value.split() if isinstance(value, str) else value

    @field_validator("scopes")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class TokenOut(BaseModel):
    """RFC 6749 section 5.1: a bearer token, good for `expires_in` seconds."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str = Field(description="The scopes granted, space-separated")


class WhoAmIOut(BaseModel):
    client_id: str
    name: str
    scopes: list[str] = Field(description="The scopes of the token this request carried")
    token_expires_at: datetime
