"""Worker benchmark: the cost of one timer-loop round with 1,000 / 10,000 / 100,000 waiting cases, and the
delay between a timer's due time and its firing by a running timer loop.

Run:  .venv/bin/python -m tests.benchmarks.bench_worker [--sizes 1000,10000,100000] [--repeat 20]
      [--pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_worker] [--analyze] [--explain]

--analyze runs ANALYZE after each bulk insert (as autovacuum soon would); --explain prints each statement of
one round with its median time and, on PostgreSQL, its plan at the largest size.

Waiting cases are bulk-inserted (a case row with next_timer_at in the future, no workflow state: the loop never
loads a case that is not due, which is the point). A round is what `turnus worker` does each time it wakes: fire
due cases, sweep overdue tasks, digests, send the outbox, then compute the next wake-up. The delay is measured
on the real clock with a timer loop thread running: cases with a timer due 1.5 s after start, the time from the
due instant to the timer_fired event's timestamp. Not a pytest test (bench_* is not collected).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select, text

from engine.audit import GENESIS
from engine.clock import SystemClock
from engine.service import Engine
from engine.store.tables import case_events, cases, metadata
from engine.worker import EventWaiter, TimerLoop

ROOT = Path(__file__).resolve().parents[2]
PROCESS = ROOT / "tests" / "integration" / "processes" / "short_timer.bpmn"


def add_waiting(engine: Engine, version_id: int, n: int) -> None:
    later = datetime.now(UTC) + timedelta(days=30)
    with engine.db.begin() as conn:
        for start in range(0, n, 5000):
            conn.execute(insert(cases), [{
                "id": str(uuid.uuid4()), "version_id": version_id, "key": "short_timer", "status": "running",
                "title": "waiting", "started_by": "rita", "started_at": later - timedelta(days=31),
                "next_timer_at": later + timedelta(seconds=i), "row_version": 0, "last_event_seq": 0,
                "last_event_hash": GENESIS} for i in range(start, min(n, start + 5000))])


def statement_costs(engine: Engine, repeat: int, plans: bool) -> None:
    """Median time of each statement of a round (and its plan on PostgreSQL): which one grows with the size."""
    seen: dict[str, list[float]] = {}
    params: dict[str, object] = {}
    started: list[float] = []

    def before(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        started.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        seen.setdefault(statement, []).append((time.perf_counter() - started.pop()) * 1000)
        params[statement] = parameters

    loop = TimerLoop(engine, 30)
    loop.tick()
    event.listen(engine.db, "before_cursor_execute", before)
    event.listen(engine.db, "after_cursor_execute", after)
    try:
        for _ in range(repeat):
            loop.tick()
            loop.seconds_to_next()
    finally:
        event.remove(engine.db, "before_cursor_execute", before)
        event.remove(engine.db, "after_cursor_execute", after)
    for statement, times in sorted(seen.items(), key=lambda kv: -statistics.median(kv[1])):
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        print(f"    {statistics.median(times):6.2f} ms  {' '.join(statement.split())[:150]}")
        if plans and engine.db.dialect.name == "postgresql":
            with engine.db.connect() as conn:
                for (line,) in conn.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", params[statement]):
                    print(f"              {line}")


def round_cost(engine: Engine, repeat: int) -> tuple[float, float]:
    loop = TimerLoop(engine, 30)
    loop.tick()  # the first round purges the access log; not what is measured
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        loop.tick()
        loop.seconds_to_next()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def firing_delay(engine: Engine, n: int = 20) -> list[float]:
    loop = TimerLoop(engine, 30, EventWaiter(engine))
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        due = datetime.now(UTC) + timedelta(seconds=1.5)
        ids = [engine.start("short_timer", "rita", {"due": (due + timedelta(milliseconds=50 * i)).isoformat()})
               for i in range(n)]
        time.sleep(1.5 + 0.05 * n + 2)
        with engine.db.connect() as conn:
            fired = {r.case_id: r.at for r in conn.execute(select(case_events.c.case_id, case_events.c.at).where(
                case_events.c.kind == "timer_fired", case_events.c.case_id.in_(ids)))}
        return [(fired[cid] - (due + timedelta(milliseconds=50 * i))).total_seconds() * 1000
                for i, cid in enumerate(ids) if cid in fired]
    finally:
        loop.stop()
        thread.join(10)


def run(url: str, sizes: list[int], repeat: int, analyze: bool = False, explain: bool = False) -> None:
    engine = Engine.create(url, clock=SystemClock())
    engine.deploy_paths([PROCESS], actor="system")
    engine.add_user("rita")
    with engine.db.connect() as conn:
        version_id = conn.execute(text("SELECT max(id) FROM definition_versions")).scalar()
    have = 0
    print(f"{engine.db.dialect.name}:")
    for size in sizes:
        t = time.perf_counter()
        add_waiting(engine, version_id, size - have)
        have = size
        if analyze:
            with engine.db.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        median, worst = round_cost(engine, repeat)
        print(f"  {size:>7,} waiting cases: one round {median:6.1f} ms median, {worst:6.1f} ms worst "
              f"(seeded in {time.perf_counter() - t:.0f} s)")
        if explain:
            statement_costs(engine, repeat, plans=size == sizes[-1])
    delays = firing_delay(engine)
    print(f"  firing delay over {len(delays)} timers: median {statistics.median(delays):.0f} ms, "
          f"worst {max(delays):.0f} ms")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg", default=None, help="also on this PostgreSQL database (emptied first)")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after each bulk insert")
    parser.add_argument("--explain", action="store_true", help="time each statement; plans at the largest size")
    parser.add_argument("--only-pg", action="store_true", help="skip the SQLite run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.only_pg:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench_worker.db", sizes, args.repeat, args.analyze, args.explain)
    if args.pg:
        from engine.service import Engine as _E

        probe = _E.create(args.pg, init=False)
        with probe.db.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        probe.close()
        run(args.pg, sizes, args.repeat, args.analyze, args.explain)


if __name__ == "__main__":
    main()
