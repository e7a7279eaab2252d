"""Periodic jobs of the timer loops: overdue tasks (one mail per task) and the daily digests."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from sqlalchemy import Connection, func, select, update

from engine.cases import recipients
from engine.cases.versions import VersionCache
from engine.config import local_zone
from engine.notify import kinds
from engine.notify.outbox import enqueue
from engine.store.tables import outbox, tasks


def overdue(conn: Connection, now: datetime, cache: VersionCache | None, limit: int = 200) -> int:
    """Tell the people of each open task whose due time has passed; each task is looked at once.

    Reads the ``overdue_check_at`` index up to now; the column is cleared for every row seen (open or not), so
    the range never holds a task twice.
    """
    rows = conn.execute(select(tasks).where(tasks.c.overdue_check_at <= now).order_by(tasks.c.overdue_check_at)
                        .limit(limit).with_for_update(skip_locked=True)).all()
    told = 0
    for row in rows:
        conn.execute(update(tasks).where(tasks.c.id == row.id).values(overdue_check_at=None))
        if row.state == "open":
            told += recipients.overdue(conn, row, cache, now)
    return told


def next_overdue(conn: Connection) -> datetime | None:
    return conn.execute(select(func.min(tasks.c.overdue_check_at))).scalar()


def digest_due_at(now: datetime, hour: int) -> datetime:
    """The first digest instant at or after ``now`` (``hour`` o'clock in the configured zone)."""
    local = now.astimezone(local_zone())
    at = datetime.combine(local.date(), time(hour), local_zone())
    return at if at >= local else datetime.combine(local.date() + timedelta(days=1), time(hour), local_zone())


def digests(conn: Connection, now: datetime, hour: int) -> int:
    """From ``hour`` o'clock each day, one digest row per user with held notifications (a unique key per user
    and day makes a second worker's attempt fail and retry into "already there")."""
    local = now.astimezone(local_zone())
    if local.hour < hour:
        return 0
    made = 0
    for user in list(conn.execute(select(outbox.c.recipient).where(outbox.c.status == "held").distinct()).scalars()):
        key = f"digest:{user}:{local.date().isoformat()}"
        if conn.execute(select(outbox.c.id).where(outbox.c.dedup_key == key)).first() is not None:
            continue
        held = conn.execute(select(outbox).where(outbox.c.status == "held", outbox.c.recipient == user)
                            .order_by(outbox.c.created_at)).all()
        items = [{"kind": r.kind, "payload": json.loads(r.payload_json), "case_id": r.case_id, "task_id": r.task_id}
                 for r in held]
        digest_id = enqueue(conn, kinds.DIGEST, user, now, payload={"items": items}, dedup_key=key)
        conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in held]))
                     .values(status="digested", last_error=f"in digest {digest_id}"))
        made += 1
    return made


def any_held(conn: Connection) -> bool:
    return conn.execute(select(outbox.c.id).where(outbox.c.status == "held").limit(1)).first() is not None


def next_send(conn: Connection) -> datetime | None:
    return conn.execute(select(func.min(outbox.c.next_attempt_at))
                        .where(outbox.c.status.in_(("pending", "sending")))).scalar()
