"""award decisions and objections; a challenge can end unsuccessful

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NOT_WITHDRAWN = sa.text("status != 'withdrawn'")


def upgrade() -> None:
    op.create_table(
        "award_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "standstill",
                "withdrawn",
                "contracted",
                name="decisionstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("decided_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("standstill_last_day", sa.Date(), nullable=False),
        sa.Column("standstill_ends_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_award_decisions_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_award_decisions_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_award_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_award_decisions_withdrawn_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_decisions")),
    )
    op.create_index(op.f("ix_award_decisions_challenge_id"), "award_decisions", ["challenge_id"])
    op.create_index(
        "uq_award_decisions_in_force",
        "award_decisions",
        ["challenge_id"],
        unique=True,
        sqlite_where=_NOT_WITHDRAWN,
        postgresql_where=_NOT_WITHDRAWN,
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "upheld", "rejected", name="objectionstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("lodged_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lodged_by_id", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["award_decisions.id"],
            name=op.f("fk_objections_decision_id_award_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_objections_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["lodged_by_id"], ["users.id"], name=op.f("fk_objections_lodged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_objections_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint("public_id", name=op.f("uq_objections_public_id")),
        sa.UniqueConstraint("decision_id", "coalition_id", name=op.f("uq_objections_decision_id")),
    )
    op.create_index(op.f("ix_objections_decision_id"), "objections", ["decision_id"])
    op.create_index(op.f("ix_objections_coalition_id"), "objections", ["coalition_id"])
    with op.batch_alter_table("challenges") as batch_op:
        batch_op.add_column(
            sa.Column("unsuccessful_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("unsuccessful_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("challenges") as batch_op:
        batch_op.drop_column("unsuccessful_reason")
        batch_op.drop_column("unsuccessful_at")
    op.drop_index(op.f("ix_objections_coalition_id"), table_name="objections")
    op.drop_index(op.f("ix_objections_decision_id"), table_name="objections")
    op.drop_table("objections")
    op.drop_index("uq_award_decisions_in_force", table_name="award_decisions")
    op.drop_index(op.f("ix_award_decisions_challenge_id"), table_name="award_decisions")
    op.drop_table("award_decisions")
