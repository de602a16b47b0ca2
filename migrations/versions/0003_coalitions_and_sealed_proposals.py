"""coalitions and sealed proposals

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coalitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenges.id"], name=op.f("fk_coalitions_challenge_id_challenges")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_coalitions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalitions_lead_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalitions")),
    )
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalitions_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "proposal_openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_proposal_openings_challenge_id_challenges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_openings")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_proposal_openings_challenge_id")),
    )
    op.create_table(
        "coalition_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "accepted",
                "declined",
                "left",
                name="memberstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("contribution", sa.Text(), nullable=False),
        sa.Column("exclusive_key", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_coalition_members_coalition_id_coalitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_coalition_members_invited_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalition_members_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"],
            ["users.id"],
            name=op.f("fk_coalition_members_responded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_members")),
        sa.UniqueConstraint(
            "coalition_id", "organisation_id", name=op.f("uq_coalition_members_coalition_id")
        ),
        sa.UniqueConstraint(
            "organisation_id", "exclusive_key", name=op.f("uq_coalition_members_organisation_id")
        ),
    )
    with op.batch_alter_table("coalition_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_members_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coalition_members_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "proposal_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("sealed_filename", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_proposal_attachments_coalition_id_coalitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_proposal_attachments_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_attachments")),
    )
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_attachments_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "proposal_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_proposal_drafts_coalition_id_coalitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_proposal_drafts_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_drafts")),
        sa.UniqueConstraint("coalition_id", name=op.f("uq_proposal_drafts_coalition_id")),
    )
    op.create_table(
        "proposal_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=False),
        sa.Column("submitted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "current",
                "superseded",
                "withdrawn",
                name="submissionstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("withdrawn_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_proposal_submissions_challenge_id_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_proposal_submissions_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_proposal_submissions_submitted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_submissions")),
        sa.UniqueConstraint(
            "coalition_id", "version", name=op.f("uq_proposal_submissions_coalition_id")
        ),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_proposal_submissions_receipt_number")),
    )
    with op.batch_alter_table("proposal_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_submissions_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_submissions_coalition_id"), ["coalition_id"], unique=False
        )

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "allow_multiple_coalitions", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("sealed")

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_column("allow_multiple_coalitions")

    with op.batch_alter_table("proposal_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_submissions_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_submissions_challenge_id"))

    op.drop_table("proposal_submissions")
    op.drop_table("proposal_drafts")
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_attachments_coalition_id"))

    op.drop_table("proposal_attachments")
    with op.batch_alter_table("coalition_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_members_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_coalition_members_coalition_id"))

    op.drop_table("coalition_members")
    op.drop_table("proposal_openings")
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalitions_challenge_id"))

    op.drop_table("coalitions")
