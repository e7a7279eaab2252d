"""Reads the HTTP API needs beyond the web's pages (issue 23): cases filtered and paged by cursor, and the BPMN
file of a process's latest version. Who may read what is the same rule as the web's (engine.identity)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select

from engine import identity
from engine.cases import queries
from engine.errors import NotFound
from engine.identity import User
from engine.service.base import EngineCore
from engine.store.tables import case_events, case_participants, cases, definition_files


@dataclass(frozen=True)
class CaseRow:
    id: str
    key: str
    title: str
    status: str
    business_key: str | None
    started_by: str
    started_at: datetime
    ended_at: datetime | None


class ApiReads(EngineCore):
    """One capability of the ``Engine`` facade: the API's list of cases and a definition's XML."""

    def case_list(self, actor: User | str, *, status: str | None = None, key: str | None = None,
                  started_by: str | None = None, business_key: str | None = None, since: datetime | None = None,
                  after: tuple[datetime, str] | None = None, limit: int = 50) -> list[CaseRow]:
        """Cases the actor may read, newest first; ``after`` is the (started_at, id) of the last case of the page
        before (a cursor, so a page does not shift when new cases start)."""
        def run(conn: Connection) -> list[CaseRow]:
            user = self._as_user(conn, actor)
            c = cases.c
            q = select(c.id, c.key, c.title, c.status, c.business_key, c.started_by, c.started_at, c.ended_at)
            if not identity.may_read_case(user, (), ()):  # not an administrator or auditor: their own cases
                cp = case_participants.c
                q = q.where(exists().where(cp.case_id == c.id, or_(*(and_(cp.kind == kind, cp.name == name)
                                                                     for kind, name in queries._names_of(user)))))
            starter = identity.key_of(started_by) if started_by is not None else None
            for column, value in ((c.status, status), (c.key, key), (c.started_by, starter),
                                  (c.business_key, business_key)):
                if value is not None:
                    q = q.where(column == value)
            if since is not None:
                q = q.where(c.started_at >= since)
            if after is not None:
                q = q.where(or_(c.started_at < after[0], and_(c.started_at == after[0], c.id > after[1])))
            rows = conn.execute(q.order_by(c.started_at.desc(), c.id).limit(limit))
            return [CaseRow(*r) for r in rows]
        return self._read(run)

    def latest_xml(self, key: str) -> tuple[str, bytes]:
        """(file name, content) of the BPMN file the latest version of ``key`` was deployed from."""
        def run(conn: Connection) -> tuple[str, bytes]:
            version = self.versions.latest(conn, key)
            for r in conn.execute(select(definition_files).where(definition_files.c.version_id == version.id)
                                  .order_by(definition_files.c.file_name)):
                if r.file_name.lower().endswith(".bpmn"):
                    return r.file_name, bytes(r.content)
            raise NotFound(f"No BPMN file for {key!r}")
        return self._read(run)

    def chained_history(self, case_id: str, actor: str, purpose: str = "api") -> list[dict[str, Any]]:
        """The case's events with their chain fields (prev_hash, hash), read and logged like ``history``."""
        def run(conn: Connection, now: datetime) -> list[dict[str, Any]]:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor, "read_history", case_id, purpose, row.started_by, now)
            e = case_events.c
            return [{"seq": r.seq, "at": r.at.isoformat(), "actor": r.actor, "kind": r.kind,
                     "element_id": r.element_id, "task_id": r.task_id, "payload": json.loads(r.payload_json),
                     "prev_hash": r.prev_hash, "hash": r.hash}
                    for r in conn.execute(select(e.seq, e.at, e.actor, e.kind, e.element_id, e.task_id,
                                                 e.payload_json, e.prev_hash, e.hash)
                                          .where(e.case_id == case_id).order_by(e.seq))]
        return self._write(run)
