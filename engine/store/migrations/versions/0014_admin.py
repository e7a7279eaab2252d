"""the operator's console: suspended definitions and the administrators' audit log (issue 24)

Revision ID: 0014_admin
Revises: 0013_worker_heartbeats
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_admin"
down_revision = "0013_worker_heartbeats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "definition_suspensions",
        sa.Column("key", sa.String(200), sa.ForeignKey("definitions.key"), primary_key=True),
        sa.Column("suspended_by", sa.String(100), nullable=False),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "admin_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("details_json", sa.Text, nullable=False),
    )
    op.create_index("ix_admin_log_at", "admin_log", ["at"])


def downgrade() -> None:
    op.drop_table("admin_log")
    op.drop_table("definition_suspensions")
