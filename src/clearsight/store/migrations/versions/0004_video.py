"""Videos: the vPDQ of each scanned video (summary and frame hashes) and the frames of known videos in banks.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_videos",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("sampled_fps", sa.Float(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("hashes", sa.JSON(), nullable=False),
    )
    op.create_table(
        "bank_video_frames",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("entry_id", BIG_ID, sa.ForeignKey("bank_entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("bank_id", sa.Integer(), sa.ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_bank_video_frames_entry", "bank_video_frames", ["entry_id"])


def downgrade() -> None:
    op.drop_table("bank_video_frames")
    op.drop_table("item_videos")
