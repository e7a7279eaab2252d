"""per-element statistics from counters kept in each event's transaction (issue 26 item 6)

The counters are filled here from the events and tasks already stored, set-based (INSERT ... SELECT), with the
same rules the event writer follows from now on (engine/audit/stats.py): runs and distinct cases per element
from the events of the kinds that say an element ran, under the event's version; durations of completed user
tasks under their case's current version.

Revision ID: 0019_element_stats
Revises: 0018_directory
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_element_stats"
down_revision = "0018_directory"
branch_labels = None
depends_on = None

# engine/audit/stats.py RAN, frozen here as this migration's own.
_RAN = "('task_completed', 'gateway_taken', 'timer_fired', 'decision_evaluated', 'script_run', 'end_reached')"


def _seconds_and_bucket(sqlite: bool) -> tuple[str, str]:
    """The SQL engine/audit/stats.py seconds_between and bucket_of write, over ``t`` (tasks) and ``s``."""
    if sqlite:  # text timestamps, to the millisecond
        seconds = "round((julianday(t.completed_at) - julianday(t.created_at)) * 86400.0, 3)"
        whole = "CAST(CAST(s AS INTEGER) AS VARCHAR)"
    else:
        seconds = "extract(epoch FROM t.completed_at - t.created_at)"
        whole = "CAST(CAST(floor(s) AS BIGINT) AS VARCHAR)"
    return seconds, f"CASE WHEN s < 1 THEN 0 ELSE length({whole}) * 100 + CAST(substr({whole}, 1, 2) AS INTEGER) END"


def upgrade() -> None:
    op.create_table(
        "element_counts",
        sa.Column("version_id", sa.Integer, primary_key=True),
        sa.Column("element_id", sa.String(200), primary_key=True),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
    )
    op.create_table(
        "element_case_seen",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("version_id", sa.Integer, primary_key=True),
        sa.Column("element_id", sa.String(200), primary_key=True),
    )
    op.create_table(
        "element_durations",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("bucket", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )
    op.create_table(
        "element_duration_buckets",
        sa.Column("version_id", sa.Integer, primary_key=True),
        sa.Column("element_id", sa.String(200), primary_key=True),
        sa.Column("bucket", sa.Integer, primary_key=True),
        sa.Column("tasks", sa.Integer, nullable=False),
    )
    ran = f"element_id IS NOT NULL AND kind IN {_RAN}"
    op.execute(f"INSERT INTO element_case_seen (case_id, version_id, element_id) "
               f"SELECT DISTINCT case_id, version_id, element_id FROM case_events WHERE {ran}")
    op.execute(f"INSERT INTO element_counts (version_id, element_id, runs, cases) "
               f"SELECT version_id, element_id, count(*), count(DISTINCT case_id) FROM case_events WHERE {ran} "
               f"GROUP BY version_id, element_id")
    seconds, bucket = _seconds_and_bucket(op.get_bind().dialect.name == "sqlite")
    op.execute(f"INSERT INTO element_durations (task_id, version_id, element_id, bucket, seconds) "
               f"SELECT id, version_id, element_id, {bucket}, s FROM ("
               f"SELECT t.id, c.version_id, t.element_id, {seconds} AS s FROM tasks t JOIN cases c ON c.id = t.case_id "
               f"WHERE t.state = 'completed' AND t.completed_at IS NOT NULL) timed")
    op.create_index("ix_element_durations_version_id_element_id_bucket_seconds", "element_durations",
                    ["version_id", "element_id", "bucket", "seconds"])
    op.execute("INSERT INTO element_duration_buckets (version_id, element_id, bucket, tasks) "
               "SELECT version_id, element_id, bucket, count(*) FROM element_durations "
               "GROUP BY version_id, element_id, bucket")


def downgrade() -> None:
    op.drop_table("element_duration_buckets")
    op.drop_table("element_durations")
    op.drop_table("element_case_seen")
    op.drop_table("element_counts")
