"""open candidates, case participants and the case title on tasks, kept by the commands (issue 11)

Revision ID: 0007_participants
Revises: 0006_read_indexes
"""

from alembic import op
import sqlalchemy as sa


revision = "0007_participants"
down_revision = "0006_read_indexes"
branch_labels = None
depends_on = None

# Filled from what is already there, in SQL both databases accept: the candidates of open tasks, and every
# case's starter, assignees, completers and candidates (engine/cases/relations.py keeps both from now on).
BACKFILL_OPEN = """
INSERT INTO open_candidates (task_id, kind, name)
SELECT c.task_id, c.kind, c.name FROM task_candidates c JOIN tasks t ON t.id = c.task_id WHERE t.state = 'open'
"""
BACKFILL_PARTICIPANTS = """
INSERT INTO case_participants (case_id, kind, name, started_at)
SELECT p.case_id, p.kind, p.name, k.started_at FROM (
    SELECT id AS case_id, 'user' AS kind, started_by AS name FROM cases
    UNION SELECT case_id, 'user', assignee FROM tasks WHERE assignee IS NOT NULL
    UNION SELECT case_id, 'user', completed_by FROM tasks WHERE completed_by IS NOT NULL
    UNION SELECT t.case_id, c.kind, c.name FROM task_candidates c JOIN tasks t ON t.id = c.task_id
) p JOIN cases k ON k.id = p.case_id
"""


BACKFILL_TITLES = "UPDATE tasks SET case_title = (SELECT title FROM cases WHERE cases.id = tasks.case_id)"


def upgrade() -> None:
    op.add_column("tasks", sa.Column("case_title", sa.String(length=300), nullable=True))
    op.execute(BACKFILL_TITLES)
    op.create_table(
        "open_candidates",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_open_candidates_task_id_tasks")),
        sa.PrimaryKeyConstraint("task_id", "kind", "name", name=op.f("pk_open_candidates")),
    )
    op.create_index("ix_open_candidates_kind_name_task_id", "open_candidates", ["kind", "name", "task_id"])
    op.create_table(
        "case_participants",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_participants_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "kind", "name", name=op.f("pk_case_participants")),
    )
    op.create_index("ix_case_participants_kind_name_started_at", "case_participants",
                    ["kind", "name", "started_at", "case_id"])
    op.execute(BACKFILL_OPEN)
    op.execute(BACKFILL_PARTICIPANTS)


def downgrade() -> None:
    op.drop_index("ix_case_participants_kind_name_started_at", table_name="case_participants")
    op.drop_table("case_participants")
    op.drop_index("ix_open_candidates_kind_name_task_id", table_name="open_candidates")
    op.drop_table("open_candidates")
    # Plain ALTER TABLE (SQLite has DROP COLUMN since 3.35): a batch copy of `tasks` would break the keys to it.
    op.drop_column("tasks", "case_title")
