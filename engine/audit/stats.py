"""The auditors' per-element statistics of a definition version, from counters kept in each event's transaction.

Counting events at read time cost 1.9 s (SQLite) and 1.7 s (PostgreSQL) at 100,000 cases. Instead the event
writer (engine/audit/chain.py) adds each batch of events to ``element_counts`` and ``element_case_seen``, and the
completed user tasks' durations to ``element_durations`` and their bucket counts (engine/store/stats_tables.py),
in the command's own transaction, so the figures are exact at every commit. A median or 90th percentile is one
rank: found in the element's bucket counts, then read at an offset inside that one bucket. ``recount`` is what
the statistics used to compute, which `turnus audit live` compares the counters with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, String, Table, bindparam, case, cast, func, insert, select

from engine.errors import Finding
from engine.store.tables import (
    case_events,
    cases,
    element_case_seen,
    element_counts,
    element_duration_buckets,
    element_durations,
    tasks,
)

# The event kinds that say an element ran (a task created or cancelled did not run).
RAN = ("task_completed", "gateway_taken", "timer_fired", "decision_evaluated", "script_run", "end_reached")

# How the page describes the method (shown with the table): exact, over every completed task, on both dialects.
STATS_METHOD = "median: middle value (mean of the two middle values for an even count); 90th percentile: nearest rank"

Key = tuple[int, str]  # (version id, element id)
BucketKey = tuple[int, str, int]  # (version id, element id, bucket)


@dataclass(frozen=True)
class ElementStat:
    element_id: str
    cases: int  # how many cases passed the element
    runs: int
    median_seconds: float | None  # user tasks: time from creation to completion
    p90_seconds: float | None


def seconds_between(dialect: str, start: Any, end: Any) -> Any:
    """``end - start`` in seconds, in SQL. SQLite stores UTC timestamps as text; its julianday() is a float,
    so the difference is rounded to milliseconds (else 2.5 h reads as 9000.0000067 s)."""
    if dialect == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return func.extract("epoch", end - start)


def bucket_of(dialect: str, seconds: Any) -> Any:
    """A duration's bucket, in SQL: 0 below one second, else the whole seconds' number of digits * 100 plus their
    first two digits (59 s -> 259, 61,234 s -> 561), which rises with the time, ~1-10 % wide. Plain string
    arithmetic, as SQLite may be built without log(); migration 0019 writes the same expression."""
    whole = cast(seconds, Integer) if dialect == "sqlite" else cast(func.floor(seconds), BigInteger)
    digits = cast(whole, String)
    return case((seconds < 1, 0), else_=func.length(digits) * 100 + cast(func.substr(digits, 1, 2), Integer))


def _upsert(dialect: str, table: Table) -> Any:
    # The dialect's INSERT has ON CONFLICT; imported here because every command imports this module and
    # SQLAlchemy's PostgreSQL dialect alone is ~30 ms of a CLI start-up.
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:
        from sqlalchemy.dialects.postgresql import insert as upsert
    return upsert(table)


# The writer's statements are built once per dialect: built per command, compiling them cost 1.7 ms CPU a batch
# on SQLite, several times what running them costs.
@cache
def _increment_statement(dialect: str, table: Table) -> Any:
    """Adds to the non-key columns: an increment, never a value read and written back, so concurrent commands on
    PostgreSQL each add theirs."""
    stmt = _upsert(dialect, table)
    amounts = [c.name for c in table.columns if not c.primary_key]
    return stmt.on_conflict_do_update(index_elements=list(table.primary_key.columns),
                                      set_={name: table.c[name] + stmt.excluded[name] for name in amounts})


@cache
def _seen_statement(dialect: str) -> Any:
    """Inserts (case, version, element) rows not there yet; RETURNING says which were new."""
    s = element_case_seen.c
    return _upsert(dialect, element_case_seen).on_conflict_do_nothing().returning(s.version_id, s.element_id)


@cache
def _durations_statement(dialect: str) -> Any:
    """The completed tasks' times, from their rows (a completion marks the row before its event is written)."""
    t, d = tasks.c, element_durations.c
    secs = seconds_between(dialect, t.created_at, t.completed_at)
    done = (select(t.id, bindparam("version_id", type_=Integer), t.element_id, bucket_of(dialect, secs), secs)
            .where(t.id.in_(bindparam("ids", expanding=True)), t.state == "completed", t.completed_at.is_not(None)))
    return (insert(element_durations).from_select([d.task_id, d.version_id, d.element_id, d.bucket, d.seconds], done)
            .returning(d.element_id, d.bucket))


def _increment(conn: Connection, table: Table, deltas: Mapping[tuple[Any, ...], tuple[int, ...]]) -> None:
    """Add ``deltas`` (primary key -> amounts) to ``table``: rows in key order, so two transactions lock the rows
    they share in the same order and cannot deadlock on them."""
    names = [c.name for c in table.primary_key.columns] + [c.name for c in table.columns if not c.primary_key]
    rows = [dict(zip(names, key + values, strict=True)) for key, values in sorted(deltas.items()) if any(values)]
    if rows:
        conn.execute(_increment_statement(conn.dialect.name, table), rows)


def record(conn: Connection, events: Iterable[Mapping[str, Any]]) -> None:
    """Count a batch of events (rows as inserted into ``case_events``) in the caller's transaction: the cases
    newly seen at an element, the counters, and for the user tasks the batch completed their times and bucket
    counts; one statement each, whatever the batch holds."""
    ran = [e for e in events if e["element_id"] is not None and e["kind"] in RAN]
    if not ran:
        return
    dialect = conn.dialect.name
    runs = Counter((e["version_id"], e["element_id"]) for e in ran)
    seen = [{"case_id": c, "version_id": v, "element_id": x}
            for c, v, x in sorted({(e["case_id"], e["version_id"], e["element_id"]) for e in ran})]
    new = Counter((r.version_id, r.element_id) for r in conn.execute(_seen_statement(dialect), seen))
    _increment(conn, element_counts, {k: (runs[k], new[k]) for k in runs})
    completed: dict[int, list[str]] = defaultdict(list)
    for e in ran:
        if e["kind"] == "task_completed" and e.get("task_id"):
            completed[e["version_id"]].append(e["task_id"])
    timed: Counter[BucketKey] = Counter()
    for version_id, ids in sorted(completed.items()):
        timed.update((version_id, r.element_id, r.bucket) for r in conn.execute(
            _durations_statement(dialect), {"version_id": version_id, "ids": ids}))
    _increment(conn, element_duration_buckets, {k: (n,) for k, n in timed.items()})


def case_moved(conn: Connection, case_id: str, to_version_id: int) -> None:
    """A migrated case's completed tasks count under its new version from now on, as they always did (the
    statistics took every completed task of the cases that are on the version)."""
    d = element_durations.c
    mine = (d.task_id.in_(select(tasks.c.id).where(tasks.c.case_id == case_id)), d.version_id != to_version_id)
    moved = conn.execute(select(d.version_id, d.element_id, d.bucket, func.count().label("n")).where(*mine)
                         .group_by(d.version_id, d.element_id, d.bucket)).all()
    if not moved:
        return
    conn.execute(element_durations.update().where(*mine).values(version_id=to_version_id))
    deltas: Counter[BucketKey] = Counter()
    for r in moved:
        deltas[(r.version_id, r.element_id, r.bucket)] -= r.n
        deltas[(to_version_id, r.element_id, r.bucket)] += r.n
    _increment(conn, element_duration_buckets, {k: (n,) for k, n in deltas.items()})


def _mean(conn: Connection, a: float, b: float) -> float:
    """The mean of the two middle values, to the last digit as the database used to compute it: SQLite's
    durations are floats; PostgreSQL's were exact decimals (extract(epoch) is numeric, to the microsecond),
    which a float still holds to the microsecond, so their decimal mean is recovered."""
    if conn.dialect.name == "postgresql":
        return float((Decimal(f"{a:.6f}") + Decimal(f"{b:.6f}")) / 2)
    return (a + b) / 2


def _at_rank(conn: Connection, version_id: int, element_id: str, buckets: list[tuple[int, int]],
             rank: int) -> float | None:
    """The rank-th smallest duration (1-based): its bucket from the counts, then an offset inside it."""
    below = 0
    for bucket, n in buckets:
        if rank <= below + n:
            d = element_durations.c
            return conn.execute(select(d.seconds).where(d.version_id == version_id, d.element_id == element_id,
                                                        d.bucket == bucket)
                                .order_by(d.seconds).limit(1).offset(rank - below - 1)).scalar()
        below += n
    return None


def _median_p90(conn: Connection, version_id: int, element_id: str,
                buckets: list[tuple[int, int]]) -> tuple[float | None, float | None]:
    """The middle rank(s) of n, and the nearest rank ceil(0.9 n), written (9n + 9) // 10."""
    n = sum(k for _, k in buckets)
    low, high = (_at_rank(conn, version_id, element_id, buckets, r) for r in ((n + 1) // 2, (n + 2) // 2))
    if low is None or high is None:
        return None, None  # the counts and the rows disagree: `turnus audit live` says so
    median = low if n % 2 else _mean(conn, low, high)
    return median, _at_rank(conn, version_id, element_id, buckets, (9 * n + 9) // 10)


def element_stats(conn: Connection, version_id: int) -> list[ElementStat]:
    """One row per element that ran under the version, ordered by element id."""
    b = element_duration_buckets.c
    buckets: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in conn.execute(select(b.element_id, b.bucket, b.tasks).where(b.version_id == version_id, b.tasks > 0)
                          .order_by(b.element_id, b.bucket)):
        buckets[r.element_id].append((r.bucket, r.tasks))
    out = []
    for r in sorted(conn.execute(select(element_counts).where(element_counts.c.version_id == version_id,
                                                             element_counts.c.runs > 0)),
                    key=lambda r: r.element_id):
        median, p90 = _median_p90(conn, version_id, r.element_id, buckets[r.element_id]) \
            if r.element_id in buckets else (None, None)
        out.append(ElementStat(r.element_id, r.cases, r.runs, median, p90))
    return out


def recount(conn: Connection) -> tuple[dict[Key, tuple[int, int]], dict[BucketKey, int]]:
    """What the counters should hold, counted from the events and tasks themselves (the scan the statistics
    used to run): (runs, cases) per element of every version, and the completed tasks per duration bucket."""
    ev, t = case_events.c, tasks.c
    counts = {(r.version_id, r.element_id): (r.runs, r.cases) for r in conn.execute(
        select(ev.version_id, ev.element_id, func.count().label("runs"),
               func.count(func.distinct(ev.case_id)).label("cases"))
        .where(ev.element_id.is_not(None), ev.kind.in_(RAN)).group_by(ev.version_id, ev.element_id))}
    dialect = conn.dialect.name
    bucket = bucket_of(dialect, seconds_between(dialect, t.created_at, t.completed_at)).label("bucket")
    timed = {(r.version_id, r.element_id, r.bucket): r.n for r in conn.execute(
        select(cases.c.version_id, t.element_id, bucket, func.count().label("n"))
        .join(cases, cases.c.id == t.case_id).where(t.state == "completed", t.completed_at.is_not(None))
        .group_by(cases.c.version_id, t.element_id, bucket))}
    return counts, timed


def counter_disagreements(conn: Connection) -> list[Finding]:
    """Where the stored counters differ from a recount over every event and task (a scan: the full check only)."""
    b = element_duration_buckets.c
    have = {(r.version_id, r.element_id): (r.runs, r.cases) for r in conn.execute(select(element_counts))
            if (r.runs, r.cases) != (0, 0)}
    have_timed = {(r.version_id, r.element_id, r.bucket): r.tasks for r in conn.execute(
        select(b.version_id, b.element_id, b.bucket, b.tasks).where(b.tasks != 0))}
    want, want_timed = recount(conn)
    problems = []
    for v, e in sorted(have.keys() | want.keys()):
        got, right = have.get((v, e), (0, 0)), want.get((v, e), (0, 0))
        if got != right:
            problems.append(Finding(f"statistics of element {e!r} (version id {v}): {got[0]} runs in {got[1]} "
                                    f"cases, but the events say {right[0]} in {right[1]}", "stats_counts_differ",
                                    element=e, version_id=v, have=got, want=right))
    for v, e in sorted({k[:2] for k in have_timed.items() ^ want_timed.items()}):
        problems.append(Finding(f"statistics of element {e!r} (version id {v}): the times spent held are not "
                                "those of its completed tasks", "stats_times_differ", element=e, version_id=v))
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
    secs = seconds_between(conn.dialect.name, t.created_at, t.completed_at)
    # PostgreSQL computes the seconds as an exact decimal; stored, they are a float of it.
    want_d = {(r.id, r.version_id, r.element_id, r.bucket, float(r.secs)) for r in conn.execute(
        select(t.id, version.label("version_id"), t.element_id, bucket_of(conn.dialect.name, secs).label("bucket"),
               secs.label("secs"))
        .where(t.case_id == case_id, t.state == "completed", t.completed_at.is_not(None)))}
    have_d = {tuple(r) for r in conn.execute(select(d.task_id, d.version_id, d.element_id, d.bucket, d.seconds)
                                             .where(d.task_id.in_(select(t.id).where(t.case_id == case_id))))}
    for tid in sorted({row[0] for row in want_d ^ have_d}):
        problems.append(Finding(f"the statistics hold another time spent for task {tid} than the task's own",
                                "stats_duration_differs", task=tid))
    return problems
