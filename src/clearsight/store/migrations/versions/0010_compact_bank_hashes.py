"""One index on a bank hash's value instead of two, and none on (signal_type, id): the unique
(signal_type, value, bank_id) answers exact lookups by its (signal_type, value) prefix as the
separate lookup index did, and keeps a bank free of duplicates as the (bank_id, signal_type,
value) one did. Each index holds the value again, so a 1,000,000-row list of MD5, SHA-1, SHA-256
and PDQ stored 200 bytes of hex per row once more than it needed, and every insert updated two
indexes in random order. Loading a signal's hashes in id order reads the table by its primary key
as fast as through (signal_type, id), which only cost space and insert time.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_bank_hashes_signal_value_bank", "bank_hashes", ["signal_type", "value", "bank_id"], unique=True)
    op.drop_index("uq_bank_hashes_bank_signal_value", "bank_hashes")
    op.drop_index("ix_bank_hashes_signal_value", "bank_hashes")
    op.drop_index("ix_bank_hashes_signal_id", "bank_hashes")


def downgrade() -> None:
    op.create_index("ix_bank_hashes_signal_id", "bank_hashes", ["signal_type", "id"])
    op.create_index("ix_bank_hashes_signal_value", "bank_hashes", ["signal_type", "value"])
    op.create_index("uq_bank_hashes_bank_signal_value", "bank_hashes", ["bank_id", "signal_type", "value"], unique=True)
    op.drop_index("uq_bank_hashes_signal_value_bank", "bank_hashes")
