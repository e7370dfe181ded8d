"""Scan spine: scan runs, items, hashes, per-item errors and run membership.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("roots_key", sa.String(64), nullable=False),
        sa.Column("roots", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_scan_runs_roots_key", "scan_runs", ["roots_key"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_key", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=True),
        sa.Column("top_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("mime", sa.String(128), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_items_top_id", "items", ["top_id"])
    op.create_table(
        "item_hashes",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("signal_type", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
    )
    op.create_index("ix_item_hashes_signal_value", "item_hashes", ["signal_type", "value"])
    op.create_table(
        "item_errors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_item_errors_item_id", "item_errors", ["item_id"])
    op.create_table(
        "scan_run_items",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("scan_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade() -> None:
    for table in ("scan_run_items", "item_errors", "item_hashes", "items", "scan_runs"):
        op.drop_table(table)
