"""Read models: what the inbox, the CLI and the case pages show. Nothing here writes state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, union

from engine.cases.relations import participants as participants  # who may read a case, by index
from engine.cases.versions import VersionCache
from engine.forms import FormSchema
from engine.identity import User
from engine.store.tables import access_log, case_events, case_participants, cases, open_candidates, task_drafts, tasks


@dataclass(frozen=True)
class TaskView:
    id: str
    case_id: str
    case_title: str
    key: str
    element_id: str
    name: str
    lane: str | None
    state: str
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    documentation: str = ""
    form: FormSchema = field(default_factory=FormSchema)
    # (user, rule) pairs the task's duty rules bar; filled where a decision is shown (engine.service.task)
    barred: frozenset[tuple[str, str]] = frozenset()
    closes_by: str | None = None  # the task closes by itself at this timer (so it is optional)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "case_id": self.case_id, "case_title": self.case_title, "key": self.key,
            "element_id": self.element_id, "name": self.name, "lane": self.lane, "state": self.state,
            "assignee": self.assignee, "candidate_users": list(self.candidate_users),
            "candidate_groups": list(self.candidate_groups),
            "due": self.due_at.isoformat() if self.due_at else None,
            "follow_up": self.follow_up_at.isoformat() if self.follow_up_at else None,
            "priority": self.priority, "created_at": self.created_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "completed_by": self.completed_by, "documentation": self.documentation,
            "form": self.form.to_dict(),
        }


@dataclass(frozen=True)
class EventView:
    seq: int
    at: datetime
    actor: str
    kind: str
    element_id: str | None
    element_name: str | None
    task_id: str | None
    payload: dict[str, Any]
    phase: str | None = None  # the top-level subprocess the element sits in, if any

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at.isoformat(), "actor": self.actor, "kind": self.kind,
                "element_id": self.element_id, "element_name": self.element_name, "task_id": self.task_id,
                "payload": self.payload}


@dataclass(frozen=True)
class CaseView:
    id: str
    key: str
    version: int
    name: str
    title: str
    status: str
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    end_event: str | None
    end_event_name: str | None
    next_timer_at: datetime | None
    next_timer_name: str | None  # what the case waits for at next_timer_at (the timer event's BPMN name)
    incident: dict[str, Any] | None
    data: dict[str, Any]
    open_tasks: list[TaskView]
    initiator_variable: str | None = None  # the data field camunda:initiator fills with the starter's name
    external_steps: tuple[str, ...] = ()  # the names of the external tasks the case waits at (a worker's)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "key": self.key, "version": self.version, "name": self.name, "title": self.title,
            "status": self.status, "started_by": self.started_by, "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None, "end_event": self.end_event,
            "end_event_name": self.end_event_name,
            "next_timer_at": self.next_timer_at.isoformat() if self.next_timer_at else None,
            "next_timer_name": self.next_timer_name,
            "incident": self.incident, "data": self.data, "open_tasks": [t.to_dict() for t in self.open_tasks],
        }


# The title from the case row itself (the tasks' copy is there to sort by).
_TASK_COLUMNS = [*(c for c in tasks.c if c.name != "case_title"), cases.c.title.label("case_title"), cases.c.key,
                 cases.c.version_id]


def _view(row: Any, cache: VersionCache | None = None, conn: Connection | None = None) -> TaskView:
    doc, form, closes_by = "", FormSchema(), None
    if cache is not None and conn is not None:
        meta = cache.get(conn, row.version_id).user_tasks.get(row.element_id)
        if meta:
            doc, form, closes_by = meta.documentation, meta.form, meta.closes_by
    return TaskView(
        id=row.id, case_id=row.case_id, case_title=row.case_title, key=row.key, element_id=row.element_id,
        name=row.name, lane=row.lane, state=row.state, assignee=row.assignee,
        candidate_users=tuple(json.loads(row.candidate_users)),
        candidate_groups=tuple(json.loads(row.candidate_groups)), due_at=row.due_at,
        follow_up_at=row.follow_up_at, priority=row.priority, created_at=row.created_at,
        completed_at=row.completed_at, completed_by=row.completed_by, documentation=doc, form=form,
        closes_by=closes_by,
    )


def _names_of(user: User) -> list[tuple[str, str]]:
    """The (kind, name) pairs that make someone a candidate or a participant: themselves and their groups."""
    return [("user", user.name), *(("group", g) for g in sorted(user.groups))]


def _candidate_of(user: User) -> Any:
    """An open task's test: the user or one of their groups is a candidate (read from ``open_candidates``,
    the index range of the user's and groups' open tasks, not a probe per open task in the system)."""
    oc = open_candidates.c
    return tasks.c.id.in_(select(oc.task_id).where(
        or_(*(and_(oc.kind == kind, oc.name == name) for kind, name in _names_of(user)))))


def tasks_for(conn: Connection, cache: VersionCache, user: User, *, scope: str = "workable") -> list[TaskView]:
    """Open tasks: ``mine`` (assigned to me), ``group`` (my candidate tasks, unclaimed or not),
    ``workable`` (mine + unclaimed ones I am a candidate for)."""
    base = select(*_TASK_COLUMNS).join(cases, cases.c.id == tasks.c.case_id).where(tasks.c.state == "open")
    if scope == "mine":
        cond = tasks.c.assignee == user.name
    elif scope == "group":
        cond = _candidate_of(user)
    else:
        cond = or_(tasks.c.assignee == user.name, and_(tasks.c.assignee.is_(None), _candidate_of(user)))
    rows = conn.execute(base.where(cond).order_by(tasks.c.due_at.is_(None), tasks.c.due_at,
                                                  tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id))
    return [_view(r, cache, conn) for r in rows]


def task_view(conn: Connection, cache: VersionCache, task_id: str) -> TaskView | None:
    row = conn.execute(select(*_TASK_COLUMNS).join(cases, cases.c.id == tasks.c.case_id)
                       .where(tasks.c.id == task_id)).first()
    return _view(row, cache, conn) if row else None


def draft_of(conn: Connection, task_id: str, user_name: str) -> dict[str, Any] | None:
    raw = conn.execute(select(task_drafts.c.data_json).where(task_drafts.c.task_id == task_id,
                                                             task_drafts.c.user_name == user_name)).scalar()
    return json.loads(raw) if raw else None


def history(conn: Connection, cache: VersionCache, case_id: str) -> list[EventView]:
    version_id = conn.execute(select(cases.c.version_id).where(cases.c.id == case_id)).scalar()
    version = cache.get(conn, version_id) if version_id is not None else None
    names = version.element_names if version else {}
    phases = version.element_phases if version else {}
    rows = conn.execute(select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq))
    return [EventView(r.seq, r.at, r.actor, r.kind, r.element_id, names.get(r.element_id or "", None),
                      r.task_id, json.loads(r.payload_json), phases.get(r.element_id or "")) for r in rows]


def log_access(conn: Connection, actor: str, action: str, obj: str, purpose: str, subject: str | None,
               now: datetime) -> None:
    conn.execute(insert(access_log).values(at=now, actor=actor, action=action, object=obj, purpose=purpose,
                                           subject=subject))


def open_tasks_of_case(conn: Connection, cache: VersionCache, case_id: str) -> list[TaskView]:
    """The case's open tasks, oldest first. Filtered in SQL: a case that looped 300 times has ~1,000 closed tasks,
    and building a view of each for every case page made reading it grow with its history."""
    rows = conn.execute(select(*_TASK_COLUMNS).join(cases, cases.c.id == tasks.c.case_id)
                        .where(tasks.c.case_id == case_id, tasks.c.state == "open")
                        .order_by(tasks.c.created_at, tasks.c.id))
    return [_view(r, cache, conn) for r in rows]


@dataclass(frozen=True)
class CaseSummary:
    id: str
    key: str
    title: str
    status: str
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    end_event: str | None
    open_tasks: tuple[tuple[str, str], ...]  # (step name, who: assignee or candidate groups) — "waiting on whom"
    next_timer_at: datetime | None = None  # with no open task, what the case waits for, and until when
    next_timer_name: str | None = None


def _involved_case_ids(user: User, status: str | None, limit: int) -> Any:
    """Ids of the user's newest ``limit`` cases (of a status), from ``case_participants``: for themselves and
    each of their groups, the newest entries of that name's index range, so someone in most cases reads
    ``limit`` entries per name and someone in few reads only theirs."""
    cp = case_participants.c
    parts = []
    for kind, name in _names_of(user):
        q = select(cp.case_id, cp.started_at).where(cp.kind == kind, cp.name == name)
        if status:
            q = q.join(cases, cases.c.id == cp.case_id).where(cases.c.status == status)
        parts.append(select(q.order_by(cp.started_at.desc(), cp.case_id).limit(limit).subquery().c.case_id))
    return union(*parts) if len(parts) > 1 else parts[0]


def cases_for(conn: Connection, user: User, *, status: str | None = None, limit: int = 200,
              offset: int = 0) -> list[CaseSummary]:
    """Cases the user takes part in (started, was assigned, completed, or is a candidate), newest first;
    ``limit`` of them after the newest ``offset``."""
    # The summary's columns only: a case row also carries its data (``data_json``), which read for 200 rows
    # was half of the page's time at 100,000 cases (bench_web).
    c = cases.c
    query = (select(c.id, c.key, c.title, c.status, c.started_by, c.started_at, c.ended_at, c.end_event,
                    c.next_timer_at, c.next_timer_name)
             .where(c.id.in_(_involved_case_ids(user, status, offset + limit))))
    rows = conn.execute(query.order_by(c.started_at.desc(), c.id).offset(offset).limit(limit)).all()
    waiting: dict[str, list[tuple[str, str]]] = {}
    if rows:
        for t in conn.execute(select(tasks.c.case_id, tasks.c.name, tasks.c.assignee, tasks.c.candidate_groups,
                                     tasks.c.candidate_users)
                              .where(tasks.c.case_id.in_([r.id for r in rows]), tasks.c.state == "open")
                              .order_by(tasks.c.created_at)):
            who = t.assignee or ", ".join(json.loads(t.candidate_groups) + json.loads(t.candidate_users))
            waiting.setdefault(t.case_id, []).append((t.name, who))
    return [CaseSummary(r.id, r.key, r.title, r.status, r.started_by, r.started_at, r.ended_at, r.end_event,
                        tuple(waiting.get(r.id, ())), r.next_timer_at, r.next_timer_name) for r in rows]


@dataclass(frozen=True)
class DefinitionSummary:
    key: str
    name: str
    version: int
    version_id: int
    deployed_by: str
    deployed_at: datetime


def definitions_list(conn: Connection) -> list[DefinitionSummary]:
    from engine.store.tables import definition_versions, definitions

    rows = conn.execute(
        select(definition_versions).join(definitions, definitions.c.key == definition_versions.c.key)
        .where(definition_versions.c.version == definitions.c.latest_version).order_by(definitions.c.name))
    return [DefinitionSummary(r.key, r.name, r.version, r.id, r.deployed_by, r.deployed_at) for r in rows]
