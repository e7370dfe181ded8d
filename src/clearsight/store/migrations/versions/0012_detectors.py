"""Pluggable detectors: the models a hotline added (kept in the case database, named by their
SHA-256, with their model card), their calibrations on the case's grades, and each image's
highest detector score beside its verdict, so the queue can sort and filter by it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("verdicts", sa.Boolean(), nullable=False),
        sa.Column("ceiling", sa.Float(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "detector_calibrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("detector_id", sa.Integer(), sa.ForeignKey("detectors.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("item_provenance") as batch:
        batch.add_column(sa.Column("detector_score", sa.Float(), nullable=True))
        batch.create_index("ix_item_provenance_detector_score", ["detector_score"])


def downgrade() -> None:
    with op.batch_alter_table("item_provenance") as batch:
        batch.drop_index("ix_item_provenance_detector_score")
        batch.drop_column("detector_score")
    op.drop_table("detector_calibrations")
    op.drop_table("detectors")
