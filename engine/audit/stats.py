"""The auditors' per-element statistics of a definition version, from counters kept in each event's transaction.

Counting events at read time cost 1.9 s (SQLite) and 1.7 s (PostgreSQL) at 100,000 cases. Instead the event
writer (engine/audit/chain.py) adds each batch of events to ``element_counts`` and ``element_case_seen`` and the
completed user tasks' durations to ``element_durations`` (engine/store/stats_tables.py), in the command's own
transaction, so the figures are exact at every commit. The median and the 90th percentile are read from the
durations' index: two OFFSET reads per element, no sort. ``recount`` is the old scan, which `turnus audit live`
compares the counters with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Insert, func, insert, literal, select

from engine.errors import Finding
from engine.store.tables import (
    case_events,
    cases,
    element_case_seen,
    element_counts,
    element_durations,
    tasks,
)

# The event kinds that say an element ran (a task created or cancelled did not run).
RAN = ("task_completed", "gateway_taken", "timer_fired", "decision_evaluated", "script_run", "end_reached")

# How the page describes the method (shown with the table): exact, computed in the database on both dialects.
STATS_METHOD = "median: middle value (mean of the two middle values for an even count); 90th percentile: nearest rank"

Key = tuple[int, str]  # (version id, element id)


@dataclass(frozen=True)
class ElementStat:
    element_id: str
    cases: int  # how many cases passed the element
    runs: int
    median_seconds: float | None  # user tasks: time from creation to completion
    p90_seconds: float | None


def seconds_between(conn: Connection, start: Any, end: Any) -> Any:
    """``end - start`` in seconds, in SQL. SQLite stores UTC timestamps as text; its julianday() is a float,
    so the difference is rounded to milliseconds (else 2.5 h reads as 9000.0000067 s)."""
    if conn.dialect.name == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return func.extract("epoch", end - start)


def _insert(conn: Connection, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (both dialects spell it the same way). Imported here: every
    command imports this module, and SQLAlchemy's PostgreSQL dialect alone is ~30 ms of a CLI start-up."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    return dialect_insert(table)


def _add(conn: Connection, deltas: Mapping[Key, tuple[int, int, int]]) -> None:
    """Add (runs, cases, timed) to each element's counters in one upsert. An increment, never a value read and
    written back, so concurrent commands on PostgreSQL each add theirs; rows in key order, so two transactions
    lock shared rows in the same order and cannot deadlock on them."""
    rows = [{"version_id": v, "element_id": e, "runs": r, "cases": c, "timed": t}
            for (v, e), (r, c, t) in sorted(deltas.items()) if (r, c, t) != (0, 0, 0)]
    if not rows:
        return
    stmt = _insert(conn, element_counts).values(rows)
    ec, new = element_counts.c, stmt.excluded
    conn.execute(stmt.on_conflict_do_update(index_elements=[ec.version_id, ec.element_id], set_={
        "runs": ec.runs + new.runs, "cases": ec.cases + new.cases, "timed": ec.timed + new.timed}))


def record(conn: Connection, events: Iterable[Mapping[str, Any]]) -> None:
    """Count a batch of events (rows as inserted into ``case_events``) in the caller's transaction.

    At most three statements, whatever the batch holds: the cases newly seen at an element (ON CONFLICT DO
    NOTHING ... RETURNING says which), the durations of the user tasks the batch completed (their rows were
    already marked completed), and one upsert of the counters."""
    ran = [e for e in events if e["element_id"] is not None and e["kind"] in RAN]
    if not ran:
        return
    runs = Counter((e["version_id"], e["element_id"]) for e in ran)
    seen = sorted({(e["case_id"], e["version_id"], e["element_id"]) for e in ran})
    s = element_case_seen.c
    stmt = _insert(conn, element_case_seen).values([{"case_id": c, "version_id": v, "element_id": x}
                                                    for c, v, x in seen])
    new = Counter((r.version_id, r.element_id) for r in conn.execute(
        stmt.on_conflict_do_nothing().returning(s.version_id, s.element_id)))
    timed: Counter[Key] = Counter()
    completed: dict[int, list[str]] = {}
    for e in ran:
        if e["kind"] == "task_completed" and e.get("task_id"):
            completed.setdefault(e["version_id"], []).append(e["task_id"])
    for version_id, ids in sorted(completed.items()):
        timed.update((version_id, r.element_id) for r in conn.execute(_durations_of(conn, version_id, ids)))
    _add(conn, {k: (runs[k], new[k], timed[k]) for k in runs.keys() | timed.keys()})


def _durations_of(conn: Connection, version_id: int, task_ids: list[str]) -> Insert:
    t = tasks.c
    timed = (select(t.id, literal(version_id), t.element_id, seconds_between(conn, t.created_at, t.completed_at))
             .where(t.id.in_(task_ids), t.state == "completed", t.completed_at.is_not(None)))
    d = element_durations.c
    return (insert(element_durations).from_select([d.task_id, d.version_id, d.element_id, d.seconds], timed)
            .returning(d.element_id))


def case_moved(conn: Connection, case_id: str, to_version_id: int) -> None:
    """A migrated case's completed tasks count under its new version from now on, as they always did (the
    statistics took every completed task of the cases that are on the version)."""
    d = element_durations.c
    mine = (d.task_id.in_(select(tasks.c.id).where(tasks.c.case_id == case_id)), d.version_id != to_version_id)
    moved = conn.execute(select(d.version_id, d.element_id, func.count().label("n")).where(*mine)
                         .group_by(d.version_id, d.element_id)).all()
    if not moved:
        return
    conn.execute(element_durations.update().where(*mine).values(version_id=to_version_id))
    deltas: Counter[Key] = Counter()
    for r in moved:
        deltas[(r.version_id, r.element_id)] -= r.n
        deltas[(to_version_id, r.element_id)] += r.n
    _add(conn, {k: (0, 0, n) for k, n in deltas.items()})


def _mean(conn: Connection, a: float, b: float) -> float:
    """The mean of the two middle values, to the last digit as the database used to compute it: SQLite's
    durations are floats; PostgreSQL's were exact decimals (extract(epoch) is numeric, to the microsecond),
    which a float still holds to the microsecond, so their decimal mean is recovered."""
    if conn.dialect.name == "postgresql":
        return float((Decimal(f"{a:.6f}") + Decimal(f"{b:.6f}")) / 2)
    return (a + b) / 2


def _median_p90(conn: Connection, version_id: int, element_id: str, n: int) -> tuple[float | None, float | None]:
    """Exact, from the index (version, element, seconds): the middle rank(s) of n, and the nearest rank
    ceil(0.9 n) (written (9n + 9) // 10), read from the top end, which is the shorter walk."""
    d = element_durations.c
    of = select(d.seconds).where(d.version_id == version_id, d.element_id == element_id)
    middle = conn.execute(of.order_by(d.seconds).limit(2 - n % 2).offset((n - 1) // 2)).scalars().all()
    p90 = conn.execute(of.order_by(d.seconds.desc()).limit(1).offset(n - (9 * n + 9) // 10)).scalar()
    if not middle:
        return None, None  # the counter and the rows disagree: `turnus audit live` says so
    return (middle[0] if len(middle) == 1 else _mean(conn, *middle)), p90


def element_stats(conn: Connection, version_id: int) -> list[ElementStat]:
    """One row per element that ran under the version, ordered by element id."""
    out = []
    for r in sorted(conn.execute(select(element_counts).where(element_counts.c.version_id == version_id,
                                                             element_counts.c.runs > 0)),
                    key=lambda r: r.element_id):
        median, p90 = _median_p90(conn, version_id, r.element_id, r.timed) if r.timed > 0 else (None, None)
        out.append(ElementStat(r.element_id, r.cases, r.runs, median, p90))
    return out


def recount(conn: Connection) -> dict[Key, tuple[int, int, int]]:
    """(runs, cases, timed) per element of every version, counted from the events and tasks themselves."""
    ev = case_events.c
    out = {(r.version_id, r.element_id): (r.runs, r.cases, 0) for r in conn.execute(
        select(ev.version_id, ev.element_id, func.count().label("runs"),
               func.count(func.distinct(ev.case_id)).label("cases"))
        .where(ev.element_id.is_not(None), ev.kind.in_(RAN)).group_by(ev.version_id, ev.element_id))}
    for r in conn.execute(select(cases.c.version_id, tasks.c.element_id, func.count().label("n"))
                          .join(cases, cases.c.id == tasks.c.case_id)
                          .where(tasks.c.state == "completed", tasks.c.completed_at.is_not(None))
                          .group_by(cases.c.version_id, tasks.c.element_id)):
        runs, n_cases, _ = out.get((r.version_id, r.element_id), (0, 0, 0))
        out[(r.version_id, r.element_id)] = (runs, n_cases, r.n)
    return out


def counter_disagreements(conn: Connection) -> list[Finding]:
    """Where the stored counters differ from a recount over every event (a scan: for the full check only)."""
    ec = element_counts.c
    have = {(r.version_id, r.element_id): (r.runs, r.cases, r.timed) for r in conn.execute(
        select(ec.version_id, ec.element_id, ec.runs, ec.cases, ec.timed))}
    want = recount(conn)
    problems = []
    for key in sorted(have.keys() | want.keys()):
        got, right = have.get(key, (0, 0, 0)), want.get(key, (0, 0, 0))
        if got != right:
            v, e = key
            problems.append(Finding(
                f"statistics of element {e!r} (version id {v}): runs, cases, timed tasks are {got} but the events "
                f"and tasks say {right}", "stats_counts_differ", element=e, version_id=v,
                have=", ".join(map(str, got)), want=", ".join(map(str, right))))
    return problems


def case_disagreements(conn: Connection, case_id: str) -> list[Finding]:
    """Where this case's part of the counters differs from its events and tasks (cheap: one case's rows)."""
    ev, s, d, t = case_events.c, element_case_seen.c, element_durations.c, tasks.c
    want = {tuple(r) for r in conn.execute(select(ev.version_id, ev.element_id).distinct().where(
        ev.case_id == case_id, ev.element_id.is_not(None), ev.kind.in_(RAN)))}
    have = {tuple(r) for r in conn.execute(select(s.version_id, s.element_id).where(s.case_id == case_id))}
    problems = [Finding(f"the statistics do not count the case at element {e!r} (version id {v})",
                        "stats_case_uncounted", element=e) for v, e in sorted(want - have)]
    problems += [Finding(f"the statistics count the case at element {e!r} (version id {v}), which it never ran",
                         "stats_case_overcounted", element=e) for v, e in sorted(have - want)]
    version = select(cases.c.version_id).where(cases.c.id == case_id).scalar_subquery()
    # PostgreSQL computes the seconds as an exact decimal; stored, they are a float of it.
    want_d = {(r.id, r.version_id, r.element_id, float(r.secs)) for r in conn.execute(
        select(t.id, version.label("version_id"), t.element_id,
               seconds_between(conn, t.created_at, t.completed_at).label("secs"))
        .where(t.case_id == case_id, t.state == "completed", t.completed_at.is_not(None)))}
    have_d = {tuple(r) for r in conn.execute(select(d.task_id, d.version_id, d.element_id, d.seconds).where(
        d.task_id.in_(select(t.id).where(t.case_id == case_id))))}
    for tid in sorted({row[0] for row in want_d ^ have_d}):
        problems.append(Finding(f"the statistics hold another time spent for task {tid} than the task's own",
                                "stats_duration_differs", task=tid))
    return problems
