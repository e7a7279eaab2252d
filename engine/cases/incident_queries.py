"""Reads of the open incidents for the operator's console, and the check that an incident an administrator
acts on is still the one they saw (another administrator may have acted first)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from engine.audit import EventWriter
from engine.errors import Conflict, NotFound
from engine.store.tables import case_events, cases, definition_versions


@dataclass(frozen=True)
class OpenIncident:
    case_id: str
    title: str
    key: str
    process_name: str
    version: int
    version_id: int
    element_id: str | None
    element_name: str | None
    message: str
    line: int | None
    error_kind: str
    command: str  # what raised it: start, complete, timers, ...
    raised_at: datetime | None
    raised_by: str | None
    token: str  # the seq of its incident_raised event: acting on it names the incident the administrator saw
    task_id: str | None = None
    task_actor: str | None = None


def _latest_raised() -> Any:
    return (select(case_events.c.case_id, func.max(case_events.c.seq).label("seq"))
            .where(case_events.c.kind == "incident_raised").group_by(case_events.c.case_id).subquery())


def open_incidents(conn: Connection, case_id: str | None = None) -> list[OpenIncident]:
    latest = _latest_raised()
    query = (select(cases.c.id, cases.c.title, cases.c.key, cases.c.version_id, cases.c.incident_json,
                    definition_versions.c.name, definition_versions.c.version,
                    case_events.c.at, case_events.c.actor, case_events.c.seq)
             .join(definition_versions, definition_versions.c.id == cases.c.version_id)
             .outerjoin(latest, latest.c.case_id == cases.c.id)
             .outerjoin(case_events, and_(case_events.c.case_id == cases.c.id, case_events.c.seq == latest.c.seq))
             .where(cases.c.incident_json.is_not(None), cases.c.status == "running"))
    if case_id is not None:
        query = query.where(cases.c.id == case_id)
    found = []
    for row in conn.execute(query.order_by(case_events.c.at.desc(), cases.c.id)):
        info = json.loads(row.incident_json)
        command = info.get("command") or {}
        found.append(OpenIncident(
            case_id=row.id, title=row.title, key=row.key, process_name=row.name, version=row.version,
            version_id=row.version_id, element_id=info.get("element_id"), element_name=info.get("element_name"),
            message=info.get("message", ""), line=info.get("line"), error_kind=info.get("kind", "error"),
            command=command.get("kind", "?"), raised_at=row.at, raised_by=row.actor, token=str(row.seq or 0),
            task_id=command.get("task_id"), task_actor=command.get("actor")))
    return found


def count_open(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(cases).where(
        cases.c.incident_json.is_not(None), cases.c.status == "running")).scalar_one()


def still_open(conn: Connection, case_id: str, token: str) -> tuple[OpenIncident, dict[str, Any]]:
    """The incident and the command that raised it, if it is the one the administrator saw; else a Conflict."""
    if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is None:
        raise NotFound(f"No case {case_id!r}", reason="no_case")
    found = open_incidents(conn, case_id)
    if not found:
        raise Conflict(f"Case {case_id} has no open incident any more: someone has already dealt with it",
                       reason="incident_gone")
    if found[0].token != token:
        raise Conflict(f"The incident of case {case_id} changed since you opened it: look at it again",
                       reason="incident_changed")
    row = conn.execute(select(cases.c.incident_json).where(cases.c.id == case_id)).scalar_one()
    return found[0], json.loads(row)["command"]


def note(conn: Connection, case_id: str, kind: str, actor: str, now: datetime, **payload: Any) -> None:
    """Append one event to the case's history in the running transaction (e.g. why an incident is retried)."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"No case {case_id!r}", reason="no_case")
    events = EventWriter(conn, case_id, row.version_id, row.last_event_seq, row.last_event_hash, now)
    events.add(kind, actor, **payload)
    conn.execute(update(cases).where(cases.c.id == case_id).values(
        row_version=row.row_version + 1, **events.seal()))
