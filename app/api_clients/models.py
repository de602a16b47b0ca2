"""Programs that read the auditor API: registered clients and the short-lived tokens they get."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

# What a client may be given, and what each lets it read (RFC 6749 section 3.3 scope tokens).
SCOPES = {
    "ocds:read": "OCDS release and record packages",
    "results:read": "results per contract and across the portfolio",
    "audit:read": "the audit log feed and its verification",
}


class ApiClient(Base):
    """A registered program (OAuth2 confidential client); its secret is kept only as a hash."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, as OAuth2 writes them
    # The admin's organisation; None for a client registered at the command line.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


class ClientToken(Base):
    """A bearer token issued to a client; the client holds it, the table only its hash."""

    __tablename__ = "api_client_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
