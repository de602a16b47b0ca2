"""public ids for coalitions and proposal attachments

Random identifiers for what URLs and answers show, so they count nothing; the integer keys stay
for the foreign keys. Existing rows get fresh uuid4 values, and opening records made before
refer to their coalitions by the new public id too.

Revision ID: 0004
Revises: 0003
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("coalitions", "proposal_attachments")


def _table(name: str) -> sa.TableClause:
    return sa.table(name, sa.column("id", sa.Integer()), sa.column("public_id", sa.Uuid()))


def _openings() -> sa.TableClause:
    return sa.table(
        "proposal_openings", sa.column("id", sa.Integer()), sa.column("entries", sa.JSON())
    )


def _rewrite_openings(bind: sa.Connection, mapping: dict) -> None:
    """Replace each entry's coalition_id using the mapping (old value -> new value)."""
    openings = _openings()
    for opening_id, entries in bind.execute(sa.select(openings.c.id, openings.c.entries)).all():
        changed = [
            {
                **entry,
                "coalition_id": mapping.get(entry.get("coalition_id"), entry.get("coalition_id")),
            }
            for entry in entries
        ]
        if changed != entries:
            bind.execute(
                openings.update().where(openings.c.id == opening_id).values(entries=changed)
            )


def upgrade() -> None:
    bind = op.get_bind()
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("public_id", sa.Uuid(), nullable=True))
        table = _table(name)
        ids = bind.execute(sa.select(table.c.id)).scalars().all()
        if ids:
            bind.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(public_id=sa.bindparam("new_id")),
                [{"row_id": row_id, "new_id": uuid.uuid4()} for row_id in ids],
            )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column("public_id", existing_type=sa.Uuid(), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{name}_public_id"), ["public_id"])

    coalitions = _table("coalitions")
    public = {
        row_id: str(public_id)
        for row_id, public_id in bind.execute(sa.select(coalitions.c.id, coalitions.c.public_id))
    }
    _rewrite_openings(bind, public)


def downgrade() -> None:
    bind = op.get_bind()
    coalitions = _table("coalitions")
    private = {
        str(public_id): row_id
        for row_id, public_id in bind.execute(sa.select(coalitions.c.id, coalitions.c.public_id))
    }
    _rewrite_openings(bind, private)
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{name}_public_id"), type_="unique")
            batch_op.drop_column("public_id")
