"""money in 64 bits: amounts in cents above 2^31 (about EUR 21 million) fit on PostgreSQL too

The input already allows budgets and contract values up to 10^13 cents; a 32-bit INTEGER column
refused anything above EUR 21,474,836.47 on PostgreSQL. SQLite's INTEGER holds 64 bits already,
so only PostgreSQL's columns change.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (table, column, nullable)
MONEY = [
    ("challenges", "budget_cents", True),
    ("indicators", "outcome_value_cents", True),
    ("contracts", "value_cents", False),
    ("contracts", "results_cap_cents", False),
    ("contract_parties", "budget_cents", False),
    ("contract_payments", "amount_cents", False),
]


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, nullable in MONEY:
        op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=nullable)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    # Fails on PostgreSQL if an amount above 2^31 - 1 cents is stored, rather than cut it.
    _retype(sa.BigInteger(), sa.Integer())
