"""external tasks: service tasks with camunda:type="external" fetched and locked by outside workers (issue 23)

Revision ID: 0016_external_tasks
Revises: 0017_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_external_tasks"
down_revision = "0017_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("element_name", sa.String(300), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("worker_id", sa.String(200)),
        sa.Column("lock_expires_at", sa.DateTime(timezone=True)),
        sa.Column("retries", sa.Integer),
        sa.Column("error_message", sa.Text),
        sa.Column("error_details", sa.Text),
        sa.Column("next_fetch_at", sa.DateTime(timezone=True)),
        sa.Column("data_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ended_by", sa.String(100)),
    )
    op.create_index("ix_external_tasks_case_id", "external_tasks", ["case_id"])
    op.create_index("ix_external_tasks_topic_state_created", "external_tasks", ["topic", "state", "created_at"])


def downgrade() -> None:
    op.drop_table("external_tasks")
