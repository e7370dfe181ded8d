"""Reports keep the id they had in the system they were imported from.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("external_id", sa.String(128), nullable=True))
        batch.create_index("ix_reports_external_id", ["external_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_external_id")
        batch.drop_column("external_id")
