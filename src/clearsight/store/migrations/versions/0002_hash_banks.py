"""Hash banks: banks, their entries and hashes, and the removal log that running indexes follow.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""64-bit ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY autoincrements (and it is 64-bit)."""


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("version", sa.String(128), nullable=True),
        sa.Column("classification", sa.String(64), nullable=True),
        sa.Column("pdq_distance", sa.Integer(), nullable=False),
        sa.Column("allowlist", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("bank_id", sa.Integer(), sa.ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("classification", sa.String(64), nullable=True),
        sa.Column("ref", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
    )
    op.create_index("ix_bank_entries_bank_id", "bank_entries", ["bank_id"])
    op.create_table(
        "bank_hashes",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("entry_id", BIG_ID, sa.ForeignKey("bank_entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("bank_id", sa.Integer(), sa.ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("signal_type", sa.String(16), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
    )
    op.create_index("ix_bank_hashes_entry_id", "bank_hashes", ["entry_id"])
    op.create_index("ix_bank_hashes_signal_value", "bank_hashes", ["signal_type", "value"])
    op.create_index("ix_bank_hashes_signal_id", "bank_hashes", ["signal_type", "id"])
    op.create_index("uq_bank_hashes_bank_signal_value", "bank_hashes", ["bank_id", "signal_type", "value"], unique=True)
    op.create_table(
        "bank_hash_removals",
        sa.Column("seq", BIG_ID, primary_key=True),
        sa.Column("hash_id", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    for table in ("bank_hash_removals", "bank_hashes", "bank_entries", "banks"):
        op.drop_table(table)
