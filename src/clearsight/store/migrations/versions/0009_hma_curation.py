"""What HMA's curation API keeps: a bank's matching ratio, a bank entry's note, metadata and
disable-until time, and the entry each removed hash belonged to (so ids are never reused).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("banks") as batch:
        batch.add_column(sa.Column("enabled_ratio", sa.Float(), nullable=False, server_default="1.0"))
    op.execute("UPDATE banks SET enabled_ratio = 0.0 WHERE NOT enabled")
    with op.batch_alter_table("bank_entries") as batch:
        batch.add_column(sa.Column("note", sa.String(255), nullable=True))
        batch.add_column(sa.Column("content_metadata", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("disable_until_ts", sa.BigInteger(), nullable=False, server_default="1"))
    op.create_index("ix_bank_entries_disable_until_ts", "bank_entries", ["disable_until_ts"])
    with op.batch_alter_table("bank_hash_removals") as batch:
        batch.add_column(sa.Column("entry_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_hash_removals") as batch:
        batch.drop_column("entry_id")
    op.drop_index("ix_bank_entries_disable_until_ts", "bank_entries")
    with op.batch_alter_table("bank_entries") as batch:
        batch.drop_column("disable_until_ts")
        batch.drop_column("content_metadata")
        batch.drop_column("note")
    with op.batch_alter_table("banks") as batch:
        batch.drop_column("enabled_ratio")
