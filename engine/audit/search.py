"""Auditors' read models across cases: a search paginated in SQL, and what ran in one case (for the diagram and
its table). The per-element statistics of a version are in engine/audit/stats.py."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, true, union

from engine.audit.stats import RAN
from engine.store.tables import case_events, case_participants, cases, definition_versions, tasks

MAX_PAGE = 100
STATUSES = ("running", "completed", "cancelled")


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    key: str | None = None
    version: int | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    participant: str | None = None
    step: str | None = None  # element id or name of an open task
    text: str | None = None  # part of the title


@dataclass(frozen=True)
class CaseHit:
    id: str
    key: str
    version: int
    title: str
    status: str
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    open_steps: tuple[str, ...] = field(default_factory=tuple)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_cases(conn: Connection, f: CaseFilter, page: int = 1, page_size: int = 25) -> tuple[list[CaseHit], int]:
    page_size = max(1, min(page_size, MAX_PAGE))
    conds: list[Any] = []
    if f.status:
        conds.append(cases.c.status == f.status)
    if f.key:
        conds.append(cases.c.key == f.key)
    if f.version is not None:  # as version ids, so the count needs no join (ix_cases_version_id_started_at)
        conds.append(cases.c.version_id.in_(select(definition_versions.c.id).where(
            definition_versions.c.version == f.version)))
    if f.started_from:
        conds.append(cases.c.started_at >= f.started_from)
    if f.started_before:
        conds.append(cases.c.started_at < f.started_before)
    if f.step:
        at_step = union(select(tasks.c.case_id).where(tasks.c.state == "open", tasks.c.element_id == f.step),
                        select(tasks.c.case_id).where(tasks.c.state == "open", tasks.c.name == f.step))
        conds.append(cases.c.id.in_(select(at_step.subquery().c.case_id)))
    if f.text:  # a substring: no B-tree index helps; a scan of the titles (tens of ms at 100,000 cases)
        conds.append(func.lower(cases.c.title).like(_like(f.text.lower()), escape="\\"))
    where = and_(true(), *conds)
    if f.participant:
        # Driven from the person's range of the participants relation (started, held, completed or was a
        # candidate; engine/cases/relations.py keeps it), newest first from its index, each case then read by
        # id. As ``cases.id IN (that range)`` it built the whole range first: ~350 ms for someone in 75,000 of
        # 100,000 cases. The relation's foreign key makes the range alone a true count when nothing else filters.
        cp = case_participants.c
        where = and_(cp.kind == "user", cp.name == f.participant.lower(), where)  # names are stored by key
        source: Any = case_participants.join(cases, cases.c.id == cp.case_id)
        counted = case_participants if not conds else source
        order = [cp.started_at.desc(), cp.case_id.desc()]  # the case's start and id: the same order as below
    else:
        source = counted = cases
        # Newest first; the id breaks ties in the same direction so ix_cases_started_at_id serves the order.
        order = [cases.c.started_at.desc(), cases.c.id.desc()]
    total = conn.execute(select(func.count()).select_from(counted).where(where)).scalar_one()
    rows = conn.execute(select(cases, definition_versions.c.version).select_from(source)
                        .join(definition_versions, definition_versions.c.id == cases.c.version_id).where(where)
                        .order_by(*order).limit(page_size).offset((max(page, 1) - 1) * page_size)).all()
    steps: dict[str, list[str]] = {}
    if rows:
        for t in conn.execute(select(tasks.c.case_id, tasks.c.name).where(
                tasks.c.case_id.in_([r.id for r in rows]), tasks.c.state == "open").order_by(tasks.c.created_at)):
            steps.setdefault(t.case_id, []).append(t.name)
    return [CaseHit(r.id, r.key, r.version, r.title, r.status, r.started_by, r.started_at, r.ended_at,
                    tuple(steps.get(r.id, ()))) for r in rows], total


def case_runs(conn: Connection, case_id: str) -> dict[str, Any]:
    """Per element how often it ran, which are active now, and the flows gateways took (diagram markers)."""
    runs: Counter[str] = Counter()
    taken: dict[str, list[str]] = {}
    for ev in conn.execute(select(case_events.c.kind, case_events.c.element_id, case_events.c.payload_json)
                           .where(case_events.c.case_id == case_id, case_events.c.element_id.is_not(None))
                           .order_by(case_events.c.seq)):
        if ev.kind in RAN or ev.kind == "case_started":
            runs[ev.element_id] += 1
        if ev.kind == "gateway_taken":
            targets = json.loads(ev.payload_json).get("targets") or []
            taken.setdefault(ev.element_id, [])
            taken[ev.element_id] = sorted(set(taken[ev.element_id]) | set(targets))
    active = sorted({r.element_id for r in conn.execute(select(tasks.c.element_id).where(
        tasks.c.case_id == case_id, tasks.c.state == "open"))})
    return {"runs": dict(runs), "active": active, "gateway_targets": taken}
