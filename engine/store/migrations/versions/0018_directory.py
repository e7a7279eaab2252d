"""sign in with the municipality's directory: ids as written, directory users, provider sessions (issue 25)

Ids were lower-case only until now, so every existing name already is its own key; ``login`` starts as the
name. Names a process wrote in another case (candidateUsers="aUser" before this) are lower-cased so the person
they mean finds the task.

Revision ID: 0018_directory
Revises: 0016_external_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_directory"
down_revision = "0016_external_tasks"
branch_labels = None
depends_on = None

_NAME_TABLES = (("task_candidates", "task_id"), ("open_candidates", "task_id"), ("case_participants", "case_id"))


def upgrade() -> None:
    # Plain ALTER TABLE, no batch copy: a copy of `users` would break the keys other tables hold to it.
    op.add_column("users", sa.Column("login", sa.String(100)))
    op.add_column("users", sa.Column("directory", sa.String(10)))
    op.add_column("users", sa.Column("subject", sa.String(255)))
    op.execute("UPDATE users SET login = name")
    op.add_column("web_sessions", sa.Column("directory_sid", sa.String(255)))
    op.create_index("ix_web_sessions_directory_sid", "web_sessions", ["directory_sid"])
    for table, owner in _NAME_TABLES:
        # A row whose lower-cased twin exists already is the same person twice: keep the twin.
        op.execute(f"DELETE FROM {table} WHERE name <> lower(name) AND EXISTS (SELECT 1 FROM {table} t2 "
                   f"WHERE t2.{owner} = {table}.{owner} AND t2.kind = {table}.kind AND t2.name = lower({table}.name))")
        op.execute(f"UPDATE {table} SET name = lower(name) WHERE name <> lower(name)")
    op.execute("UPDATE tasks SET assignee = lower(assignee) WHERE assignee <> lower(assignee)")


def downgrade() -> None:
    op.drop_index("ix_web_sessions_directory_sid", "web_sessions")
    op.drop_column("web_sessions", "directory_sid")  # plain ALTER TABLE (SQLite has DROP COLUMN since 3.35)
    for column in ("subject", "directory", "login"):
        op.drop_column("users", column)
