"""The inbox page: one user's open tasks, counted, filtered, sorted and paginated in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, case, func, literal_column, select, true

from engine.cases.queries import _TASK_COLUMNS, TaskView, _candidate_of, _view
from engine.cases.versions import VersionCache
from engine.identity import User
from engine.store.tables import cases, tasks

VIEWS = ("mine", "group")
SORTS = ("due", "priority", "created", "case")


@dataclass(frozen=True)
class InboxPage:
    view: str  # the list shown: "mine" or "group"
    tasks: list[TaskView]  # the page's tasks
    total: int  # tasks in the list after the search and the overdue filter
    page: int
    pages: int
    counts: dict[str, int]  # every open task per list, unfiltered
    overdue_count: int  # overdue tasks in the shown list, unfiltered


def _conditions(user: User) -> dict[str, Any]:
    return {"mine": tasks.c.assignee == user.name, "group": _candidate_of(user)}


def _open(conn: Connection, view: str, sort: str) -> Any:
    """Open tasks. To sort the group list by title, SQLite chose to read every open task through the state
    index, test each against the candidates and sort the matches; with the state test made unindexable (a
    unary plus, SQLite's documented way) it reads the candidates' index range and looks each task up by id:
    28 -> 11 ms for 3,125 of 15,625 open tasks (bench_web data). For the other orders and the counts the
    state index is the faster start (6 against 10 ms), and PostgreSQL plans all of them well as they are."""
    if view == "group" and sort == "case" and conn.dialect.name == "sqlite":
        return literal_column("+tasks.state", String) == "open"
    return tasks.c.state == "open"


def _order(conn: Connection | None, sort: str) -> list[Any]:
    """The engine's order (due first, undated last, then priority), with the chosen sort in front of it:
    the same order the page used to get from Python's stable sort over the engine's list."""
    base = [tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id]
    if sort == "priority":
        return [tasks.c.priority.desc(), tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.created_at, *base]
    if sort == "created":
        return [tasks.c.created_at.desc(), *base]
    if sort == "case":  # the task's copy of its case's title: no case row is read to sort
        title, name = func.lower(tasks.c.case_title), func.lower(tasks.c.name)
        if conn is not None and conn.dialect.name == "postgresql":  # code-point order, as Python compares strings
            title, name = title.collate("C"), name.collate("C")
        return [title, name, *base]
    return base


def inbox_page(conn: Connection, cache: VersionCache, user: User, *, view: str, q: str, overdue_only: bool,
               sort: str, page: int, size: int, now: datetime) -> InboxPage:
    conds = _conditions(user)
    sort = sort if sort in SORTS else "due"
    open_ = tasks.c.state == "open"
    overdue = tasks.c.due_at < now

    def counted(cond: Any) -> Any:
        return select(func.count(), func.coalesce(func.sum(case((overdue, 1), else_=0)), 0)) \
            .select_from(tasks).where(open_, cond)

    # Both lists' counts and overdue counts in one statement: one pass over each list.
    mine_q, group_q = counted(conds["mine"]).subquery(), counted(conds["group"]).subquery()
    row = conn.execute(select(*mine_q.c, *group_q.c).select_from(mine_q.join(group_q, true()))).one()
    counts = {"mine": int(row[0]), "group": int(row[2])}
    overdue_by = {"mine": int(row[1]), "group": int(row[3])}
    view = view if view in VIEWS else ("group" if not counts["mine"] and counts["group"] else "mine")
    # Ids first, from the covering index (sorting by title uses the tasks' copies of it), then the page's rows:
    # the rows of the tasks that are not shown are never read.
    ids_q = select(tasks.c.id).where(_open(conn, view, sort), conds[view])
    if overdue_only:
        ids_q = ids_q.where(overdue)
    ids_q = ids_q.order_by(*_order(conn, sort))
    matched: list[str] | None = None
    if q:
        # Search keeps Python's casefold matching (SQL lower() differs from it outside ASCII on SQLite):
        # titles and names of the list in SQL order, filtered here.
        needle = q.casefold()
        matched = [r.id for r in conn.execute(ids_q.add_columns(tasks.c.case_title, tasks.c.name))
                   if needle in (r.case_title or "").casefold() or needle in r.name.casefold()]
        total = len(matched)
    else:
        total = counts[view] if not overdue_only else overdue_by[view]
    pages = max(1, (total + size - 1) // size)
    page = min(page, pages)
    if matched is not None:
        wanted = matched[(page - 1) * size: page * size]
    else:
        wanted = list(conn.execute(ids_q.limit(size).offset((page - 1) * size)).scalars())
    found = {r.id: r for r in conn.execute(
        select(*_TASK_COLUMNS).join(cases, cases.c.id == tasks.c.case_id).where(tasks.c.id.in_(wanted)))} \
        if wanted else {}
    rows = [found[i] for i in wanted if i in found]
    return InboxPage(view, [_view(r, cache, conn) for r in rows], total, page, pages, counts, overdue_by[view])
