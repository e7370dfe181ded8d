"""Hash exchanges: sources that feed one bank each (HMA's "exchanges", python-threatexchange's
SignalExchangeAPI), their credentials per exchange type (sealed), checkpoints and fetch status,
which bank entry holds each of an exchange's source items, and bank entries set aside after a
match-rate spike (quarantine), and analysts' confirm or dispute of the entries matches hit.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("bank_entries") as batch:
        batch.add_column(sa.Column("quarantined_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("quarantine_matches", sa.Integer(), nullable=True))
    op.create_table(
        "exchange_apis",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("credentials", sa.Text(), nullable=True),
    )
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("api", sa.String(64), nullable=False),
        sa.Column("bank_id", sa.Integer(), sa.ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.JSON(), nullable=True),
        sa.Column("checkpoint_ts", sa.BigInteger(), nullable=True),
        sa.Column("running_fetch_start_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_fetch_complete_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_fetch_succeeded", sa.Boolean(), nullable=True),
        sa.Column("up_to_date", sa.Boolean(), nullable=False),
        sa.Column("fetched_items", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=False),
        sa.Column("lease_holder", sa.String(300), nullable=True),
    )
    op.create_table(
        "exchange_entries",
        sa.Column("exchange_id", sa.Integer(), sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source_key", sa.String(512), primary_key=True),
        sa.Column("entry_id", BIG_ID, sa.ForeignKey("bank_entries.id", ondelete="CASCADE"), nullable=False, index=True),
    )


    op.create_table(
        "match_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", BIG_ID, sa.ForeignKey("bank_entries.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("send_result", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("match_feedback")
    op.drop_table("exchange_entries")
    op.drop_table("exchanges")
    op.drop_table("exchange_apis")
    with op.batch_alter_table("bank_entries") as batch:
        batch.drop_column("quarantine_matches")
        batch.drop_column("quarantined_at")
