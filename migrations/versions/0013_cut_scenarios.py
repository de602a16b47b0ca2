"""saved cut scenarios: the officer's input, the contract figures frozen with it, a random
public id, and the outcome for lists

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cut_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saving_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("saving_percentage", sa.String(length=40), nullable=True),
        sa.Column("protected_contracts", sa.JSON(), nullable=False),
        sa.Column("protected_groups", sa.JSON(), nullable=False),
        sa.Column("floors", sa.JSON(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("contracts", sa.JSON(), nullable=False),
        sa.Column("saving_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("short_cents", sa.BigInteger(), nullable=False),
        sa.Column("flat_results_lost", sa.String(length=60), nullable=False),
        sa.Column("results_results_lost", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_cut_scenarios_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cut_scenarios_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cut_scenarios")),
        sa.UniqueConstraint("public_id", name=op.f("uq_cut_scenarios_public_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_cut_scenarios_created_at"), "cut_scenarios", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_cut_scenarios_organisation_id"), "cut_scenarios", ["organisation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cut_scenarios_organisation_id"), table_name="cut_scenarios")
    op.drop_index(op.f("ix_cut_scenarios_created_at"), table_name="cut_scenarios")
    op.drop_table("cut_scenarios")
