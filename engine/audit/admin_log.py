"""The administrators' audit log: every change made in the operator's console that is not an event of one case
(a definition suspended or resumed, a user added or disabled, a role or membership changed, mail resent or
discarded). Append-only; auditors and administrators read it (``Engine.admin_log``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from engine.store.tables import admin_log

MAX_PAGE = 200


@dataclass(frozen=True)
class AdminEntry:
    at: datetime
    actor: str
    action: str
    object: str
    reason: str
    details: dict[str, Any]


def write(conn: Connection, now: datetime, actor: str, action: str, obj: str, reason: str,
          **details: Any) -> None:
    conn.execute(insert(admin_log).values(at=now, actor=actor[:100], action=action[:40], object=obj[:300],
                                          reason=reason, details_json=json.dumps(details, sort_keys=True)))


def entries(conn: Connection, object_prefix: str | None = None, limit: int = MAX_PAGE) -> list[AdminEntry]:
    query = select(admin_log).order_by(admin_log.c.at.desc(), admin_log.c.id.desc()).limit(min(limit, MAX_PAGE))
    if object_prefix:
        query = query.where(admin_log.c.object.startswith(object_prefix, autoescape=True))
    return [AdminEntry(r.at, r.actor, r.action, r.object, r.reason, json.loads(r.details_json))
            for r in conn.execute(query)]
