"""contracts: the contract made from the winning opened proposal, its parties, indicators and
reporting periods

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("coalition_name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("value_cents", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "completed", name="contractstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("fixed_share_bp", sa.Integer(), nullable=False),
        sa.Column("results_cap_cents", sa.Integer(), nullable=False),
        sa.Column(
            "payment_frequency",
            sa.Enum(
                "monthly",
                "quarterly",
                "half_yearly",
                "yearly",
                name="frequency",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenges.id"], name=op.f("fk_contracts_challenge_id_challenges")
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_contracts_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_contracts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["proposal_submissions.id"],
            name=op.f("fk_contracts_submission_id_proposal_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_contracts_challenge_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_contracts_reference")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contracts_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contracts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_status"), ["status"], unique=False)

    op.create_table(
        "contract_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("increase", "decrease", name="direction", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("baseline_date", sa.Date(), nullable=True),
        sa.Column("committed_target", sa.Float(), nullable=False),
        sa.Column(
            "reporting_frequency",
            sa.Enum(
                "monthly",
                "quarterly",
                "half_yearly",
                "yearly",
                name="frequency",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_indicators_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_contract_indicators_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_indicators")),
        sa.UniqueConstraint(
            "contract_id", "position", name=op.f("uq_contract_indicators_contract_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contract_indicators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_indicators_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "contract_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kvk_number", sa.String(length=20), nullable=True),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("budget_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_parties_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_contract_parties_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_parties")),
        sa.UniqueConstraint(
            "contract_id", "organisation_id", name=op.f("uq_contract_parties_contract_id")
        ),
    )
    with op.batch_alter_table("contract_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_parties_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_parties_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "contract_reporting_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_indicator_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_indicator_id"],
            ["contract_indicators.id"],
            name=op.f("fk_contract_reporting_periods_contract_indicator_id_contract_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_reporting_periods")),
        sa.UniqueConstraint(
            "contract_indicator_id",
            "number",
            name=op.f("uq_contract_reporting_periods_contract_indicator_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contract_reporting_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_reporting_periods_contract_indicator_id"),
            ["contract_indicator_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_reporting_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_reporting_periods_contract_indicator_id"))

    op.drop_table("contract_reporting_periods")
    with op.batch_alter_table("contract_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_parties_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_contract_parties_contract_id"))

    op.drop_table("contract_parties")
    with op.batch_alter_table("contract_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_indicators_contract_id"))

    op.drop_table("contract_indicators")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_status"))
        batch_op.drop_index(batch_op.f("ix_contracts_created_at"))
        batch_op.drop_index(batch_op.f("ix_contracts_coalition_id"))

    op.drop_table("contracts")
