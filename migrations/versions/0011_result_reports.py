"""result reports per contract and period (every version kept), their values, evidence, queries
and signals; payments made on contracts

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_payments_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_contract_payments_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_payments")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_contract_payments_contract_id"), "contract_payments", ["contract_id"], unique=False
    )

    op.create_table(
        "result_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "queried",
                "accepted",
                "superseded",
                name="reportstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_result_reports_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_result_reports_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_result_reports_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_reports")),
        sa.UniqueConstraint(
            "contract_id", "period", "version", name=op.f("uq_result_reports_contract_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_result_reports_contract_id"), "result_reports", ["contract_id"], unique=False
    )
    op.create_index(op.f("ix_result_reports_status"), "result_reports", ["status"], unique=False)
    op.create_index(
        "uq_result_reports_accepted",
        "result_reports",
        ["contract_id", "period"],
        unique=True,
        sqlite_where=sa.text("status = 'accepted'"),
        postgresql_where=sa.text("status = 'accepted'"),
    )

    op.create_table(
        "result_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("added_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_result_evidence_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["result_reports.id"],
            name=op.f("fk_result_evidence_report_id_result_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_evidence")),
    )
    op.create_index(
        op.f("ix_result_evidence_report_id"), "result_evidence", ["report_id"], unique=False
    )

    op.create_table(
        "result_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_result_queries_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["users.id"], name=op.f("fk_result_queries_asked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["result_reports.id"],
            name=op.f("fk_result_queries_report_id_result_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_queries")),
    )
    op.create_index(
        op.f("ix_result_queries_report_id"), "result_queries", ["report_id"], unique=False
    )

    op.create_table(
        "result_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "theme",
            sa.Enum(
                "trend",
                "rules_gap",
                "between_stools",
                "other",
                name="signaltheme",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["result_reports.id"],
            name=op.f("fk_result_signals_report_id_result_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_signals")),
    )
    op.create_index(
        op.f("ix_result_signals_report_id"), "result_signals", ["report_id"], unique=False
    )
    op.create_index(op.f("ix_result_signals_theme"), "result_signals", ["theme"], unique=False)

    op.create_table(
        "result_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("contract_indicator_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_indicator_id"],
            ["contract_indicators.id"],
            name=op.f("fk_result_values_contract_indicator_id_contract_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["result_reports.id"],
            name=op.f("fk_result_values_report_id_result_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_values")),
        sa.UniqueConstraint(
            "report_id", "contract_indicator_id", name=op.f("uq_result_values_report_id")
        ),
    )
    op.create_index(
        op.f("ix_result_values_report_id"), "result_values", ["report_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_result_values_report_id"), "result_values")

    op.drop_table("result_values")
    op.drop_index(op.f("ix_result_signals_theme"), "result_signals")
    op.drop_index(op.f("ix_result_signals_report_id"), "result_signals")

    op.drop_table("result_signals")
    op.drop_index(op.f("ix_result_queries_report_id"), "result_queries")

    op.drop_table("result_queries")
    op.drop_index(op.f("ix_result_evidence_report_id"), "result_evidence")

    op.drop_table("result_evidence")
    op.drop_index(
        "uq_result_reports_accepted",
        "result_reports",
        sqlite_where=sa.text("status = 'accepted'"),
        postgresql_where=sa.text("status = 'accepted'"),
    )
    op.drop_index(op.f("ix_result_reports_status"), "result_reports")
    op.drop_index(op.f("ix_result_reports_contract_id"), "result_reports")

    op.drop_table("result_reports")
    op.drop_index(op.f("ix_contract_payments_contract_id"), "contract_payments")

    op.drop_table("contract_payments")
