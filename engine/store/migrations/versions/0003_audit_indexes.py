"""indexes for the auditors' search and per-element statistics (100,000 cases)

Revision ID: 0003_audit_indexes
Revises: 0001
"""

from alembic import op

revision = "0003_audit_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = [
    ("cases", "ix_cases_started_at_id", ["started_at", "id"]),
    ("cases", "ix_cases_version_id_started_at", ["version_id", "started_at"]),
    ("tasks", "ix_tasks_completed_by", ["completed_by"]),
    ("tasks", "ix_tasks_state_element_id", ["state", "element_id"]),
    ("tasks", "ix_tasks_state_name", ["state", "name"]),
    ("case_events", "ix_case_events_version_id_element_id_kind_case_id", ["version_id", "element_id", "kind", "case_id"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
