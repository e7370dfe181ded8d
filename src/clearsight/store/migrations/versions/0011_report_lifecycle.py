"""A report's actions become its takedown lifecycle: whom a notice went to, a note, the new
address of a re-appearance and the report it was found in, when each event was entered, and an
index that the time-to-removal figures aggregate through (first notice and first removal per
report, read by action then report without touching the table).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_actions") as batch:
        batch.add_column(sa.Column("recipient", sa.String(32), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("related_report_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_report_actions_related_report", "reports", ["related_report_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_report_actions_action_report", ["action", "report_id", "at"])


def downgrade() -> None:
    with op.batch_alter_table("report_actions") as batch:
        batch.drop_index("ix_report_actions_action_report")
        batch.drop_constraint("fk_report_actions_related_report", type_="foreignkey")
        for column in ("recorded_at", "related_report_id", "url", "note", "recipient"):
            batch.drop_column(column)
