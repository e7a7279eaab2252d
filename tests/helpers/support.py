"""Shared constants and helpers for integration tests."""

from pathlib import Path

from sqlalchemy import Connection, delete, select

from engine.store.tables import (
    attachments,
    case_events,
    case_participants,
    case_state,
    case_state_tasks,
    cases,
    event_subscriptions,
    open_candidates,
    task_candidates,
    task_drafts,
    tasks,
)

PROCESSES = Path(__file__).resolve().parents[1] / "integration" / "processes"
REQUEST = {"title": "New chairs", "amount": 300, "needed_by": "2027-02-01", "urgent": True}


def erase_case(conn: Connection, case_id: str) -> None:
    """Delete every row of a case behind the engine's back, as a tamperer with database access would."""
    ids = [r.id for r in conn.execute(select(tasks.c.id).where(tasks.c.case_id == case_id))]
    for table in (task_candidates, open_candidates, task_drafts):
        conn.execute(delete(table).where(table.c.task_id.in_(ids)))
    for table in (case_events, tasks, case_state_tasks, case_state, attachments, case_participants,
                  event_subscriptions):
        conn.execute(delete(table).where(table.c.case_id == case_id))
    conn.execute(delete(cases).where(cases.c.id == case_id))
