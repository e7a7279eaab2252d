"""Firing due timers: the scheduler reads only the indexed next_timer_at column, never workflows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from engine.cases import live
from engine.cases.commands import Ctx
from engine.runtime import workflow as rt
from engine.store.tables import cases


def due_cases(conn: Connection, now: datetime) -> list[str]:
    return list(conn.execute(
        select(cases.c.id).where(cases.c.status == "running", cases.c.next_timer_at <= now,
                                 cases.c.incident_json.is_(None))
        .order_by(cases.c.next_timer_at, cases.c.id)
    ).scalars())


def fire(ctx: Ctx, case_id: str, resolve_by: str | None = None) -> bool:
    """Fire the due timers of one case; returns whether anything moved."""
    row = ctx.conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None or row.status != "running":
        return False
    if resolve_by is None and (row.next_timer_at is None or row.next_timer_at > ctx.now or row.incident_json):
        return False  # another worker got there first
    version = ctx.cache.get(ctx.conn, row.version_id)
    lc = live.load(ctx.conn, row, version, ctx.now)
    rt.advance(lc.wf, ctx.now)
    if resolve_by is not None and row.incident_json:
        lc.events.add("incident_resolved", resolve_by, by="retry")
    live.commit(lc)
    return True
