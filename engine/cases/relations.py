"""Two relations the read side needs at 100,000 cases, written by the commands that change tasks (issue 11).

- ``open_candidates``: the candidates of open tasks only. A group list and its count read one index range
  instead of testing every open task in the system against ``task_candidates`` (which keeps closed tasks'
  candidates for the auditors).
- ``case_participants``: who takes part in each case, exactly what ``participants_from_tasks`` computes from the
  case row and its tasks (the starter, assignees, completers, candidate users and groups), with the case's start
  so My cases reads someone's newest cases from one index.

Both are projections: every command that writes a task's state, assignee or candidates calls in here in the
same transaction, and ``consistency`` checks them against the tasks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from engine.errors import Finding
from engine.store.tables import case_participants, cases, open_candidates, task_candidates, tasks


def write_candidates(conn: Connection, task_id: str, users: Iterable[str], groups: Iterable[str], *,
                     replace: bool = False) -> None:
    """An open task's candidates; ``replace`` drops what it had first (a migration may change them)."""
    if replace:
        conn.execute(delete(task_candidates).where(task_candidates.c.task_id == task_id))
        conn.execute(delete(open_candidates).where(open_candidates.c.task_id == task_id))
    rows = [{"task_id": task_id, "kind": "user", "name": n} for n in dict.fromkeys(users)]
    rows += [{"task_id": task_id, "kind": "group", "name": n} for n in dict.fromkeys(groups)]
    if rows:
        conn.execute(insert(task_candidates), rows)
        conn.execute(insert(open_candidates), rows)


_CLOSE = delete(open_candidates).where(open_candidates.c.task_id == bindparam("id"))  # built once: hot path


def task_closed(conn: Connection, task_id: str) -> None:
    """The task was completed or cancelled: it leaves the group lists (its candidates stay in the history)."""
    conn.execute(_CLOSE, {"id": task_id})


@cache
def _add_statement(dialect: str) -> Any:
    # The dialect's own INSERT … ON CONFLICT DO NOTHING, built once per dialect and sent as one executemany that
    # SQLAlchemy caches (a multi-row VALUES has no cache key, and was compiled on every command: 0.2-0.3 ms).
    # Imported here, since every command imports this module and the PostgreSQL dialect alone costs a SQLite
    # command ~20 ms of start-up.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(case_participants).on_conflict_do_nothing()


def add_participants(conn: Connection, case_id: str, started_at: datetime, *, users: Iterable[str] = (),
                     groups: Iterable[str] = ()) -> None:
    """Record people and groups as taking part in the case; those already recorded stay as they are."""
    rows = [{"case_id": case_id, "kind": "user", "name": n, "started_at": started_at}
            for n in dict.fromkeys(u for u in users if u)]
    rows += [{"case_id": case_id, "kind": "group", "name": n, "started_at": started_at}
             for n in dict.fromkeys(g for g in groups if g)]
    if rows:
        conn.execute(_add_statement(conn.dialect.name), rows)


def _still_takes_part(conn: Connection, case_id: str, name: str) -> bool:
    """The relation's own definition, read by the case's id. Tests by the person's indexes (assignee,
    completed_by, candidates) read every task they ever had: SQLite took ``ix_tasks_completed_by`` for "this
    case and this person", 43 ms for someone with 75,000 completed tasks (bench_web's data)."""
    return name in participants_from_tasks(conn, case_id)[0]


def assignee_changed(conn: Connection, case_id: str, started_at: datetime, before: str | None,
                     after: str | None) -> None:
    """After a claim, release or hand-over: the new assignee takes part; the previous one only if something
    else still ties them to the case (as ``participants_from_tasks`` would say)."""
    if after:
        add_participants(conn, case_id, started_at, users=[after])
    if before and before != after and not _still_takes_part(conn, case_id, before):
        conn.execute(delete(case_participants).where(case_participants.c.case_id == case_id,
                                                     case_participants.c.kind == "user",
                                                     case_participants.c.name == before))


def participants_from_tasks(conn: Connection, case_id: str) -> tuple[set[str], set[str]]:
    """(people, groups) who take part in a case, computed from the case row and all its tasks: the definition
    ``case_participants`` is kept equal to (and what rebuilds it)."""
    row = conn.execute(select(cases.c.started_by).where(cases.c.id == case_id)).first()
    people = {row.started_by} if row else set()
    groups: set[str] = set()
    for r in conn.execute(select(tasks.c.assignee, tasks.c.completed_by, tasks.c.candidate_users,
                                 tasks.c.candidate_groups).where(tasks.c.case_id == case_id)):
        people.update(x for x in (r.assignee, r.completed_by) if x)
        people.update(json.loads(r.candidate_users))
        groups.update(json.loads(r.candidate_groups))
    return people, groups


def participants(conn: Connection, case_id: str) -> tuple[set[str], set[str]]:
    """(people, groups) who take part in a case, from the relation: one index range however long the case."""
    people: set[str] = set()
    groups: set[str] = set()
    for kind, name in conn.execute(select(case_participants.c.kind, case_participants.c.name)
                                   .where(case_participants.c.case_id == case_id)):
        (people if kind == "user" else groups).add(name)
    return people, groups


def rebuild_participants(conn: Connection, case_id: str) -> None:
    """Write the case's participants again from its tasks (after a migration changed its tasks' candidates)."""
    started_at = conn.execute(select(cases.c.started_at).where(cases.c.id == case_id)).scalar_one()
    people, groups = participants_from_tasks(conn, case_id)
    conn.execute(delete(case_participants).where(case_participants.c.case_id == case_id))
    add_participants(conn, case_id, started_at, users=sorted(people), groups=sorted(groups))


def disagreements(conn: Connection, case_id: str) -> list[Finding]:
    """Where the two relations differ from the case's tasks, in words (empty: they agree)."""
    problems = []
    people, groups = participants_from_tasks(conn, case_id)
    want = {("user", n) for n in people} | {("group", n) for n in groups}
    have = {(r.kind, r.name) for r in conn.execute(select(case_participants.c.kind, case_participants.c.name)
                                                    .where(case_participants.c.case_id == case_id))}
    for kind, name in sorted(want - have):
        problems.append(Finding(f"{kind} {name!r} takes part but is missing from the participants",
                                "participant_missing", kind=kind, name=name))
    for kind, name in sorted(have - want):
        problems.append(Finding(f"{kind} {name!r} is listed as a participant but takes part in nothing",
                                "participant_extra", kind=kind, name=name))
    title = select(cases.c.title).where(cases.c.id == case_id).scalar_subquery()
    for task_id, copied in conn.execute(select(tasks.c.id, tasks.c.case_title).where(
            tasks.c.case_id == case_id, tasks.c.state == "open", tasks.c.case_title.is_distinct_from(title))):
        problems.append(Finding(f"task {task_id} carries the case title {copied!r}, not the case's",
                                "task_title_differs", task=task_id, have=copied))
    open_ids = select(tasks.c.id).where(tasks.c.case_id == case_id, tasks.c.state == "open")
    want_open = {tuple(r) for r in conn.execute(select(task_candidates.c.task_id, task_candidates.c.kind,
                                                       task_candidates.c.name)
                                                .where(task_candidates.c.task_id.in_(open_ids)))}
    case_tasks = select(tasks.c.id).where(tasks.c.case_id == case_id)
    have_open = {tuple(r) for r in conn.execute(select(open_candidates.c.task_id, open_candidates.c.kind,
                                                       open_candidates.c.name)
                                                .where(open_candidates.c.task_id.in_(case_tasks)))}
    for task_id, kind, name in sorted(want_open ^ have_open):
        missing = (task_id, kind, name) in want_open
        problems.append(Finding(f"candidate {kind} {name!r} of task {task_id} is "
                                f"{'missing from' if missing else 'left over in'} the open candidates",
                                "open_candidate_missing" if missing else "open_candidate_extra",
                                kind=kind, name=name, task=task_id))
    return problems
