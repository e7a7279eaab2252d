"""indexes for the inbox at 100,000 cases (issue 11)

Revision ID: 0006_read_indexes
Revises: 0005_outbox
"""

from alembic import op

revision = "0006_read_indexes"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None

# Open tasks in the inbox's order, covering the counts, the candidate probe (id) and the page's ids, so a
# group list is read from the index instead of one table row per open task.
INDEXES = [
    ("tasks", "ix_tasks_inbox_order", ["state", "due_at", "priority", "created_at", "id", "case_id"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
