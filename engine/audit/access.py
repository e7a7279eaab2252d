"""The access log: who read, searched or exported whose data, when and why; its search and retention.

Retention deletes access-log rows only (never case events) and logs the deletion itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from engine.store.tables import access_log

MAX_PAGE = 200


def log(conn: Connection, actor: str, action: str, obj: str, purpose: str, subject: str | None,
        now: datetime) -> None:
    conn.execute(insert(access_log).values(at=now, actor=actor[:100], action=action[:40], object=obj[:200],
                                           purpose=(purpose or "unstated")[:200],
                                           subject=subject[:100] if subject else None))


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    actor: str
    action: str
    object: str
    purpose: str
    subject: str | None


def search(conn: Connection, *, actor: str | None = None, subject: str | None = None, action: str | None = None,
           since: datetime | None = None, until: datetime | None = None, page: int = 1,
           page_size: int = 50) -> tuple[list[AccessEntry], int]:
    """Newest first, paginated in the database; returns (entries, total)."""
    page_size = max(1, min(page_size, MAX_PAGE))
    conds = []
    if actor:
        conds.append(access_log.c.actor == actor.lower())  # actors are stored by their key (identity.key_of)
    if subject:
        conds.append(access_log.c.subject == subject)
    if action:
        conds.append(access_log.c.action == action)
    if since:
        conds.append(access_log.c.at >= since)
    if until:
        conds.append(access_log.c.at < until)
    total = conn.execute(select(func.count()).select_from(access_log).where(*conds)).scalar_one()
    rows = conn.execute(select(access_log).where(*conds).order_by(access_log.c.at.desc(), access_log.c.id.desc())
                        .limit(page_size).offset((max(page, 1) - 1) * page_size))
    return [AccessEntry(r.at, r.actor, r.action, r.object, r.purpose, r.subject) for r in rows], total


def purge(conn: Connection, now: datetime, retention_days: int, actor: str = "system") -> int:
    """Delete entries older than the retention period; log how many went. Returns that count."""
    cutoff = now - timedelta(days=retention_days)
    count = conn.execute(delete(access_log).where(access_log.c.at < cutoff)).rowcount or 0
    log(conn, actor, "purge_access_log", f"{count} entries before {cutoff.isoformat(timespec='seconds')}",
        f"retention of {retention_days} days", None, now)
    return count


def about(conn: Connection, subject: str, limit: int = 500) -> list[dict[str, Any]]:
    """When and why a person's data was looked at — dates, actions and purposes, never who looked."""
    rows = conn.execute(select(access_log.c.at, access_log.c.action, access_log.c.purpose, access_log.c.object)
                        .where(access_log.c.subject == subject).order_by(access_log.c.at.desc()).limit(limit))
    return [{"at": r.at, "action": r.action, "purpose": r.purpose, "object": r.object} for r in rows]
