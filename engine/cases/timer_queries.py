"""Timers for the operator's console: the running cases whose next timer is due (or soon), from the
next_timer_at index; a timer still unfired a minute after its instant is overdue (no loop got to it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from engine.store.tables import cases

OVERDUE_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class TimerRow:
    case_id: str
    title: str
    key: str
    due_at: datetime
    name: str | None
    stuck: bool  # the case has an incident: its timers wait for the administrator

    def overdue(self, now: datetime) -> bool:
        return self.due_at <= now - OVERDUE_AFTER


def due_timers(conn: Connection, until: datetime, limit: int = 200) -> list[TimerRow]:
    """Timers due by ``until``, earliest first (the index on next_timer_at answers it)."""
    rows = conn.execute(select(cases.c.id, cases.c.title, cases.c.key, cases.c.next_timer_at,
                               cases.c.next_timer_name, cases.c.incident_json)
                        .where(cases.c.next_timer_at.is_not(None), cases.c.next_timer_at <= until,
                               cases.c.status == "running")
                        .order_by(cases.c.next_timer_at, cases.c.id).limit(limit))
    return [TimerRow(r.id, r.title, r.key, r.next_timer_at, r.next_timer_name, r.incident_json is not None)
            for r in rows]

