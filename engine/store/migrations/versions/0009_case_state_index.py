"""an index on one case's tasks by state and step, for the duty rules' completers (issue 11)

Revision ID: 0009_case_state_index
Revises: 0008_case_data
"""

from alembic import op


revision = "0009_case_state_index"
down_revision = "0008_case_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tasks_case_state_element", "tasks", ["case_id", "state", "element_id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_case_state_element", table_name="tasks")
