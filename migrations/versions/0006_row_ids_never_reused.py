"""indicator, criterion and requirement ids are never handed out again (SQLite AUTOINCREMENT)

Proposals name indicators and requirements by id; SQLite would give the id of a removed last row
to the next new one. PostgreSQL sequences never reuse, so only SQLite's tables are rebuilt.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("indicators", "criteria", "minimum_requirements")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
