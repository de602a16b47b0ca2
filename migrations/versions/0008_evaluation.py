"""evaluation: committee and its history, declarations, scores, verdicts, consensus, lot seed

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("old", sa.JSON(), nullable=False),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_committee_changes_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_committee_changes_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_changes")),
        sa.UniqueConstraint(
            "challenge_id", "number", name=op.f("uq_committee_changes_challenge_id")
        ),
    )
    with op.batch_alter_table("committee_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_changes_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("chair", "evaluator", name="committeerole", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("added_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_committee_members_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_committee_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_members")),
    )
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_members_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_committee_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "evaluation_lot_seeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("drawn_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_lot_seeds_challenge_id_challenges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_lot_seeds")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_evaluation_lot_seeds_challenge_id")),
    )
    op.create_table(
        "evaluation_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_submissions_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_evaluation_submissions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_submissions")),
        sa.UniqueConstraint(
            "challenge_id", "user_id", name=op.f("uq_evaluation_submissions_challenge_id")
        ),
    )
    with op.batch_alter_table("evaluation_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_submissions_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "evaluation_consensus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_consensus_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_evaluation_consensus_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_evaluation_consensus_criterion_id_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_evaluation_consensus_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_consensus")),
        sa.UniqueConstraint(
            "coalition_id", "criterion_id", name=op.f("uq_evaluation_consensus_coalition_id")
        ),
    )
    with op.batch_alter_table("evaluation_consensus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_consensus_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evaluation_consensus_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "evaluation_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("declared_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_declarations_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_evaluation_declarations_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_evaluation_declarations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_declarations")),
        sa.UniqueConstraint(
            "user_id", "coalition_id", name=op.f("uq_evaluation_declarations_user_id")
        ),
    )
    with op.batch_alter_table("evaluation_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_declarations_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evaluation_declarations_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "evaluation_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_scores_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_evaluation_scores_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_evaluation_scores_criterion_id_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_evaluation_scores_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_scores")),
        sa.UniqueConstraint(
            "user_id", "coalition_id", "criterion_id", name=op.f("uq_evaluation_scores_user_id")
        ),
    )
    with op.batch_alter_table("evaluation_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_scores_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evaluation_scores_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "evaluation_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_evaluation_verdicts_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_evaluation_verdicts_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_evaluation_verdicts_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["minimum_requirements.id"],
            name=op.f("fk_evaluation_verdicts_requirement_id_minimum_requirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_verdicts")),
        sa.UniqueConstraint(
            "coalition_id", "requirement_id", name=op.f("uq_evaluation_verdicts_coalition_id")
        ),
    )
    with op.batch_alter_table("evaluation_verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_verdicts_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evaluation_verdicts_coalition_id"), ["coalition_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_verdicts_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_verdicts_challenge_id"))

    op.drop_table("evaluation_verdicts")
    with op.batch_alter_table("evaluation_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_scores_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_scores_challenge_id"))

    op.drop_table("evaluation_scores")
    with op.batch_alter_table("evaluation_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_declarations_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_declarations_challenge_id"))

    op.drop_table("evaluation_declarations")
    with op.batch_alter_table("evaluation_consensus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_consensus_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_consensus_challenge_id"))

    op.drop_table("evaluation_consensus")
    with op.batch_alter_table("evaluation_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_submissions_challenge_id"))

    op.drop_table("evaluation_submissions")
    op.drop_table("evaluation_lot_seeds")
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_committee_members_challenge_id"))

    op.drop_table("committee_members")
    with op.batch_alter_table("committee_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_changes_challenge_id"))

    op.drop_table("committee_changes")
