"""Deployments for the operator's console: every definition and version with who deployed it, when, and how many
cases run on it; and suspension — a suspended definition starts no new cases (by hand, message or signal) while
its running cases go on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from engine.audit import admin_log
from engine.errors import Conflict, NotFound
from engine.store.tables import cases, definition_suspensions, definition_versions, definitions


@dataclass(frozen=True)
class Suspension:
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class VersionRow:
    id: int
    version: int
    deployed_by: str
    deployed_at: datetime
    running: int


@dataclass(frozen=True)
class DefinitionRow:
    key: str
    name: str
    latest_version: int
    suspension: Suspension | None
    versions: list[VersionRow]


def suspension(conn: Connection, key: str) -> Suspension | None:
    row = conn.execute(select(definition_suspensions).where(definition_suspensions.c.key == key)).first()
    return Suspension(row.suspended_by, row.suspended_at, row.reason) if row else None


def require_startable(conn: Connection, key: str, name: str) -> None:
    """Refuse a new case of a suspended definition, naming who suspended it and why."""
    found = suspension(conn, key)
    if found is not None:
        raise Conflict(f"'{name}' is suspended by {found.by}: {found.reason}. No new cases can be started until "
                       "an administrator resumes it; running cases go on", reason="definition_suspended",
                       process=name, user=found.by, why=found.reason)


def overview(conn: Connection) -> list[DefinitionRow]:
    running = dict(conn.execute(select(cases.c.version_id, func.count()).where(cases.c.status == "running")
                                .group_by(cases.c.version_id)).all())
    suspended = {r.key: Suspension(r.suspended_by, r.suspended_at, r.reason)
                 for r in conn.execute(select(definition_suspensions))}
    versions: dict[str, list[VersionRow]] = {}
    for v in conn.execute(select(definition_versions.c.id, definition_versions.c.key, definition_versions.c.version,
                                 definition_versions.c.deployed_by, definition_versions.c.deployed_at)
                          .order_by(definition_versions.c.key, definition_versions.c.version.desc())):
        versions.setdefault(v.key, []).append(VersionRow(v.id, v.version, v.deployed_by, v.deployed_at,
                                                         running.get(v.id, 0)))
    return [DefinitionRow(d.key, d.name, d.latest_version, suspended.get(d.key), versions.get(d.key, []))
            for d in conn.execute(select(definitions).order_by(definitions.c.name, definitions.c.key))]


def _name(conn: Connection, key: str) -> str:
    name = conn.execute(select(definitions.c.name).where(definitions.c.key == key)).scalar()
    if name is None:
        raise NotFound(f"No process definition {key!r}", reason="no_definition", key=key)
    return str(name)


def suspend(conn: Connection, key: str, actor: str, reason: str, now: datetime) -> None:
    name = _name(conn, key)
    if suspension(conn, key) is not None:
        raise Conflict(f"'{name}' is already suspended", reason="already_suspended", process=name)
    conn.execute(insert(definition_suspensions).values(key=key, suspended_by=actor, suspended_at=now,
                                                       reason=reason))
    admin_log.write(conn, now, actor, "definition_suspended", f"definition:{key}", reason)


def resume(conn: Connection, key: str, actor: str, reason: str, now: datetime) -> None:
    name = _name(conn, key)
    if conn.execute(delete(definition_suspensions).where(definition_suspensions.c.key == key)).rowcount == 0:
        raise Conflict(f"'{name}' is not suspended", reason="not_suspended", process=name)
    admin_log.write(conn, now, actor, "definition_resumed", f"definition:{key}", reason)
