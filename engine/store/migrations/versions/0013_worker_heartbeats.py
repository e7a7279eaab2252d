"""one row per timer loop with its last heartbeat, for the operator's console, /readyz and /metrics (issue 24)

Revision ID: 0013_worker_heartbeats
Revises: 0010_api_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_worker_heartbeats"
down_revision = "0010_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("work_last_minute", sa.Integer, nullable=False),
    )
    op.create_index("ix_worker_heartbeats_last_beat_at", "worker_heartbeats", ["last_beat_at"])


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
