"""Who is told about what, resolved when the event happens (one outbox row per recipient).

The decision per person is engine.identity's ``may_be_told``: the assignee, else every candidate user and
every member of a candidate group, never a read-only role and never someone a duty rule bars.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from engine import identity
from engine.cases import duties
from engine.cases.versions import VersionCache
from engine.identity import TaskAccess, User
from engine.notify import kinds
from engine.notify.outbox import enqueue
from engine.store.tables import cases, memberships, task_candidates, tasks, users

# Built once: a command that opens a task sends these (building a statement costs ~4x executing it).
_TASK = select(tasks).where(tasks.c.id == bindparam("id"))
_CASE_TITLE = select(cases.c.title).where(cases.c.id == bindparam("id"))
_CANDIDATES = select(task_candidates.c.kind, task_candidates.c.name).where(task_candidates.c.task_id == bindparam("id"))
_MEMBERS = (select(memberships.c.user_name).join(users, users.c.name == memberships.c.user_name)
            .where(memberships.c.group_name.in_(bindparam("groups", expanding=True)), users.c.active))


def _people(conn: Connection, names: set[str]) -> list[User]:
    return [user for name in sorted(names) if (user := identity.find_user(conn, name)) is not None]


def _task_payload(conn: Connection, row: Any) -> dict[str, Any]:
    # The task's copy of its case's title (fixed when the case starts); rows older than the copy read the case.
    title = row.case_title if row.case_title is not None else conn.execute(_CASE_TITLE, {"id": row.case_id}).scalar()
    return {"task_name": row.name, "case_title": title,
            "due_at": row.due_at.isoformat() if row.due_at else None}


def _access(conn: Connection, row: Any, cache: VersionCache | None) -> TaskAccess:
    cands = conn.execute(_CANDIDATES, {"id": row.id}).all()
    return TaskAccess(row.state, row.assignee, frozenset(n for k, n in cands if k == "user"),
                      frozenset(n for k, n in cands if k == "group"), duties.barred(conn, row, cache))


def task_people(conn: Connection, row: Any, cache: VersionCache | None) -> list[User]:
    """Everyone who should hear about this task now."""
    access = _access(conn, row, cache)
    if access.assignee is not None:
        names = {access.assignee}
    else:
        names = set(access.candidate_users)
        if access.candidate_groups:
            names |= set(conn.execute(_MEMBERS, {"groups": sorted(access.candidate_groups)}).scalars())
    return [u for u in _people(conn, names) if identity.may_be_told(u, access)]


def new_task(conn: Connection, task_id: str, cache: VersionCache | None, now: datetime, *, reminder: bool) -> None:
    """A task just entered the inbox: its assignee, or each candidate, hears of it (as a reminder if it is one)."""
    row = conn.execute(_TASK, {"id": task_id}).first()
    if row is None:
        return
    kind = kinds.REMINDER if reminder else (kinds.TASK_ASSIGNED if row.assignee else kinds.TASK_OFFERED)
    payload = _task_payload(conn, row)
    for person in task_people(conn, row, cache):
        enqueue(conn, kind, person.name, now, case_id=row.case_id, task_id=row.id, payload=payload)


def handed_over(conn: Connection, task_id: str, to_user: str, by: str, now: datetime) -> None:
    """A colleague (or an administrator) gave the task to ``to_user``; a claim of one's own sends nothing."""
    if to_user == by:
        return
    row = conn.execute(_TASK, {"id": task_id}).first()
    if row is None:
        return
    enqueue(conn, kinds.TASK_ASSIGNED, to_user, now, case_id=row.case_id, task_id=row.id,
            payload={**_task_payload(conn, row), "by": by})


def overdue(conn: Connection, row: Any, cache: VersionCache | None, now: datetime) -> int:
    people = task_people(conn, row, cache)
    payload = _task_payload(conn, row)
    for person in people:
        enqueue(conn, kinds.OVERDUE, person.name, now, case_id=row.case_id, task_id=row.id, payload=payload)
    return len(people)


def case_finished(conn: Connection, case_id: str, status: str, now: datetime, *, known: User | None = None) -> None:
    """The starter hears that their case ended; ``known`` is a user the command loaded already (often them)."""
    row = conn.execute(select(cases.c.started_by, cases.c.title).where(cases.c.id == case_id)).first()
    if row is None:
        return
    starter = known if known is not None and known.name == row.started_by else identity.find_user(conn, row.started_by)
    if starter is None:
        return
    if not identity.may_mutate(starter):
        return
    enqueue(conn, kinds.CASE_FINISHED, row.started_by, now, case_id=case_id,
            payload={"case_title": row.title, "status": status})
