"""Near-duplicate clusters: each image with a PDQ hash belongs to one cluster, named by its
representative (the first item of it to arrive), with its distance to that representative.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_clusters",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("cluster_id", sa.Integer(), nullable=False, index=True),
        sa.Column("distance", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("item_clusters")
