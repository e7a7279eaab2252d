"""Auditors' read models across cases: a search paginated in SQL, per-element statistics of a definition
version, and what ran in one case (for the diagram and its table)."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from engine.store.tables import case_events, cases, definition_versions, task_candidates, tasks

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
    if f.version is not None:
        conds.append(definition_versions.c.version == f.version)
    if f.started_from:
        conds.append(cases.c.started_at >= f.started_from)
    if f.started_before:
        conds.append(cases.c.started_at < f.started_before)
    if f.participant:
        who = f.participant
        conds.append(or_(cases.c.started_by == who, exists().where(
            tasks.c.case_id == cases.c.id,
            or_(tasks.c.assignee == who, tasks.c.completed_by == who,
                exists().where(task_candidates.c.task_id == tasks.c.id, task_candidates.c.kind == "user",
                               task_candidates.c.name == who)))))
    if f.step:
        conds.append(exists().where(tasks.c.case_id == cases.c.id, tasks.c.state == "open",
                                    or_(tasks.c.element_id == f.step, tasks.c.name == f.step)))
    if f.text:
        conds.append(func.lower(cases.c.title).like(_like(f.text.lower()), escape="\\"))
    joined = cases.join(definition_versions, definition_versions.c.id == cases.c.version_id)
    total = conn.execute(select(func.count()).select_from(joined).where(and_(*conds))).scalar_one()
    rows = conn.execute(select(cases, definition_versions.c.version).select_from(joined).where(and_(*conds))
                        .order_by(cases.c.started_at.desc(), cases.c.id)
                        .limit(page_size).offset((max(page, 1) - 1) * page_size)).all()
    steps: dict[str, list[str]] = {}
    if rows:
        for t in conn.execute(select(tasks.c.case_id, tasks.c.name).where(
                tasks.c.case_id.in_([r.id for r in rows]), tasks.c.state == "open").order_by(tasks.c.created_at)):
            steps.setdefault(t.case_id, []).append(t.name)
    return [CaseHit(r.id, r.key, r.version, r.title, r.status, r.started_by, r.started_at, r.ended_at,
                    tuple(steps.get(r.id, ()))) for r in rows], total


@dataclass(frozen=True)
class ElementStat:
    element_id: str
    cases: int  # how many cases passed the element
    runs: int
    median_seconds: float | None  # user tasks: time from creation to completion
    p90_seconds: float | None


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(0.9 * len(ordered)) - 1))]


_RAN = ("task_completed", "gateway_taken", "timer_fired", "decision_evaluated", "script_run", "end_reached")


def element_stats(conn: Connection, version_id: int) -> list[ElementStat]:
    counts = {r.element_id: (r.cases, r.runs) for r in conn.execute(
        select(case_events.c.element_id, func.count(func.distinct(case_events.c.case_id)).label("cases"),
               func.count().label("runs"))
        .where(case_events.c.version_id == version_id, case_events.c.element_id.is_not(None),
               case_events.c.kind.in_(_RAN))
        .group_by(case_events.c.element_id))}
    durations: dict[str, list[float]] = {}
    for r in conn.execute(select(tasks.c.element_id, tasks.c.created_at, tasks.c.completed_at)
                          .join(cases, cases.c.id == tasks.c.case_id)
                          .where(cases.c.version_id == version_id, tasks.c.state == "completed")):
        durations.setdefault(r.element_id, []).append((r.completed_at - r.created_at).total_seconds())
    out = []
    for eid, (n_cases, runs) in sorted(counts.items()):
        d = durations.get(eid)
        out.append(ElementStat(eid, n_cases, runs, statistics.median(d) if d else None, _p90(d) if d else None))
    return out


def case_runs(conn: Connection, case_id: str) -> dict[str, Any]:
    """Per element how often it ran, which are active now, and the flows gateways took (diagram markers)."""
    runs: Counter[str] = Counter()
    taken: dict[str, list[str]] = {}
    for ev in conn.execute(select(case_events.c.kind, case_events.c.element_id, case_events.c.payload_json)
                           .where(case_events.c.case_id == case_id, case_events.c.element_id.is_not(None))
                           .order_by(case_events.c.seq)):
        if ev.kind in _RAN or ev.kind == "case_started":
            runs[ev.element_id] += 1
        if ev.kind == "gateway_taken":
            targets = json.loads(ev.payload_json).get("targets") or []
            taken.setdefault(ev.element_id, [])
            taken[ev.element_id] = sorted(set(taken[ev.element_id]) | set(targets))
    active = sorted({r.element_id for r in conn.execute(select(tasks.c.element_id).where(
        tasks.c.case_id == case_id, tasks.c.state == "open"))})
    return {"runs": dict(runs), "active": active, "gateway_targets": taken}
