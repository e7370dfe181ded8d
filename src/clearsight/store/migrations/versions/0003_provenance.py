"""Provenance: image verdicts, the models images name, and model files with their hashes and names.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _item_fk() -> sa.ForeignKey:
    return sa.ForeignKey("items.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "item_provenance",
        sa.Column("item_id", sa.Integer(), _item_fk(), primary_key=True),
        sa.Column("verdict", sa.String(16), nullable=False, index=True),
        sa.Column("strength", sa.String(16), nullable=True),
        sa.Column("tool", sa.Text(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_table(
        "item_model_refs",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("item_id", sa.Integer(), _item_fk(), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.String(255), nullable=True, index=True),
        sa.Column("hash_key", sa.String(128), nullable=True, index=True),
    )
    op.create_table(
        "model_files",
        sa.Column("item_id", sa.Integer(), _item_fk(), primary_key=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("autov1", sa.String(8), nullable=True, index=True),
        sa.Column("autov3", sa.String(64), nullable=True, index=True),
        sa.Column("blake3", sa.String(64), nullable=True, index=True),
        sa.Column("unsafe_pickle", sa.Boolean(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_table(
        "model_names",
        sa.Column("item_id", sa.Integer(), _item_fk(), primary_key=True),
        sa.Column("name_key", sa.String(255), primary_key=True, index=True),
    )


def downgrade() -> None:
    for table in ("model_names", "model_files", "item_model_refs", "item_provenance"):
        op.drop_table(table)
