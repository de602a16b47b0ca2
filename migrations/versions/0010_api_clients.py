"""API clients (OAuth2 client credentials) and the bearer tokens issued to them

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_clients_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_api_clients_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    op.create_index(op.f("ix_api_clients_organisation_id"), "api_clients", ["organisation_id"])
    op.create_table(
        "api_client_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("issued_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_client_tokens_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_client_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_client_tokens_client_id"), "api_client_tokens", ["client_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_client_tokens_client_id"), table_name="api_client_tokens")
    op.drop_table("api_client_tokens")
    op.drop_index(op.f("ix_api_clients_organisation_id"), table_name="api_clients")
    op.drop_table("api_clients")
