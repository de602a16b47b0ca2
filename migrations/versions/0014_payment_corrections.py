"""payment corrections: a payment recorded in error is corrected by a new entry that names it,
with a reason; recorded payments are never changed or deleted (the database refuses)

Revision ID: 0014
Revises: 0012

SQLite drops a table's triggers when batch mode rebuilds it: a later migration that rebuilds
contract_payments must create the triggers again (_append_only below).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "contract_payments"
MESSAGE = "contract_payments is append-only: correct a payment with a new entry"


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def _changeable() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER {TABLE}_no_change ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER {TABLE}_no_{verb}")


def upgrade() -> None:
    with op.batch_alter_table(TABLE, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contract_payments_corrects_id_contract_payments"),
            TABLE,
            ["corrects_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_contract_payments_corrects_id"), ["corrects_id"])
    _append_only()


def downgrade() -> None:
    _changeable()
    with op.batch_alter_table(TABLE, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_payments_corrects_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_contract_payments_corrects_id_contract_payments"), type_="foreignkey"
        )
        batch_op.drop_column("reason")
        batch_op.drop_column("corrects_id")
