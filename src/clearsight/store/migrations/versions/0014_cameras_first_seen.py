"""Authenticity: seized cameras' sensor fingerprints, and the date each bank entry was first seen
by whoever listed it (an exchange's or list's own date, a CSV's `first_seen`, VICS and NCMEC dates),
kept with each item's matches too.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table in ("bank_entries", "item_matches"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("first_seen", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in ("bank_entries", "item_matches"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("first_seen")
    op.drop_table("cameras")
