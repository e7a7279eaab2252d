"""Audit benchmark: the auditors' case search and per-element statistics over 100,000 cases.

Run:  .venv/bin/python -m tests.benchmarks.bench_audit [--cases 100000] [--repeat 5]
      [--db sqlite:////tmp/bench_audit.db] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_audit]

Seeding is not what is measured, and is fast on purpose: the rotation process is deployed through the engine,
then cases, their inbox rows and their events are written with bulk inserts (rows shaped like the rotation's:
a start, user tasks with their gateways, an end; the events' hashes are placeholders, so `audit verify` would
rightly refuse this database). The statistics' counters are then filled the way an existing installation gets
them, by migration 0019's backfill (downgrade to 0018, upgrade; its time is printed). Then each query runs
--repeat times through the SQL functions the web and CLI use (engine/audit/search.py, engine/audit/stats.py)
and the median and worst wall time are printed. --pg also runs everything on a
PostgreSQL database (use one of its own: it is emptied first). Not a pytest test (bench_* is not collected).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import insert, select, text

from engine.audit import search, stats
from engine.audit.search import CaseFilter
from engine.service import Engine
from engine.store import schema
from engine.store.tables import case_events, cases, definition_versions, metadata, task_candidates, tasks
from tests.helpers.bench import fill_relations

ROOT = Path(__file__).resolve().parents[2]
# A rotation's path, in order: (element id, name, lane group). Decisions add a gateway event after them.
PATH = [("qualify_theme", "Kvalificér temaforslag", "netvaerkssekretariat"),
        ("decide_theme", "Beslut tema", "ledelsesteam"),
        ("draft_agreement", "Udarbejd aftale", None),
        ("approve_agreement_manager", "Godkend aftale (leder)", "leder"),
        ("approve_agreement_leadership", "Godkend aftale (ledelsesteam)", "ledelsesteam")]
GATEWAYS = {"decide_theme": "theme_decision_gw", "approve_agreement_leadership": "agreement_approved_gw"}
PEOPLE = [f"emp{n:04d}" for n in range(2_000)]
STAFF = {"netvaerkssekretariat": ["sara"], "ledelsesteam": ["lene", "peter"], "leder": ["lars"]}
WORDS = ["Håndbog", "Netværk", "Onboarding", "Data", "Borgerservice", "Jura", "Kvalitet", "Digitalisering"]
BATCH = 5_000
FAKE_HASH = "0" * 64


def seed(engine: Engine, n_cases: int, rng: random.Random) -> int:
    """Bulk rows for ``n_cases`` cases of the deployed rotation; returns the version id."""
    with engine.db.connect() as conn:
        version_id = conn.execute(select(definition_versions.c.id).where(
            definition_versions.c.key == "netvaerksturnus")).scalar_one()
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    buf: dict[Any, list[dict[str, Any]]] = {cases: [], tasks: [], task_candidates: [], case_events: []}

    def flush(conn: Any) -> None:
        for table in (cases, tasks, task_candidates, case_events):  # parents before children
            if buf[table]:
                conn.execute(insert(table), buf[table])
                buf[table] = []

    with engine.db.begin() as conn:
        for n in range(n_cases):
            cid, employee = str(uuid.uuid4()), rng.choice(PEOPLE)
            at = t0 + timedelta(minutes=n * 7 + rng.randint(0, 6))  # ~1.3 years of starts
            reached = rng.choices(range(1, len(PATH) + 1), weights=[2, 2, 2, 1, 10])[0]
            done = reached == len(PATH) and rng.random() < 0.8
            events: list[tuple[datetime, str, str, str | None]] = [(at, employee, "case_started", "theme_proposed")]
            now = at
            for i, (eid, name, group) in enumerate(PATH[:reached]):
                created = now
                is_open = i == reached - 1 and not done
                tid = str(uuid.uuid4())
                worker = employee if group is None else rng.choice(STAFF[group])
                events.append((created, "system", "task_created", eid))
                row = {"id": tid, "case_id": cid, "element_id": eid, "name": name, "lane": group, "state": "open",
                       "assignee": None if is_open and group else (employee if group is None else None),
                       "candidate_users": "[]", "candidate_groups": f'["{group}"]' if group else "[]",
                       "due_at": None, "follow_up_at": None, "priority": 50, "created_at": created,
                       "completed_at": None, "completed_by": None}
                if not is_open:
                    now = created + timedelta(seconds=rng.lognormvariate(11, 1))  # a median of ~17 hours
                    row.update(state="completed", completed_at=now, completed_by=worker, assignee=worker)
                    events.append((now, worker, "task_completed", eid))
                    if eid in GATEWAYS:
                        events.append((now, "system", "gateway_taken", GATEWAYS[eid]))
                elif group:
                    buf[task_candidates].append({"task_id": tid, "kind": "group", "name": group})
                buf[tasks].append(row)
            if done:
                events.append((now, "system", "end_reached", "negotiation_round_ended"))
            buf[cases].append({"id": cid, "version_id": version_id, "key": "netvaerksturnus",
                               "status": "completed" if done else ("cancelled" if rng.random() < 0.03 else "running"),
                               "title": f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} nr. {n}",
                               "business_key": None, "started_by": employee, "started_at": at,
                               "ended_at": now if done else None, "end_event": None, "next_timer_at": None,
                               "incident_json": None, "row_version": len(events),
                               "last_event_seq": len(events), "last_event_hash": FAKE_HASH})
            buf[case_events].extend({"case_id": cid, "seq": seq, "at": when, "actor": actor, "kind": kind,
                                     "element_id": eid, "task_id": None, "payload_json": "{}",
                                     "version_id": version_id, "prev_hash": FAKE_HASH, "hash": FAKE_HASH}
                                    for seq, (when, actor, kind, eid) in enumerate(events, 1))
            if len(buf[cases]) >= BATCH:
                flush(conn)
        flush(conn)
        fill_relations(conn)
    return version_id


def backfill(engine: Engine) -> float:
    """Migration 0019 run again over the seeded rows (the bulk inserts bypassed the event writer); seconds."""
    cfg = schema.alembic_config(engine.db)
    command.downgrade(cfg, "0018_directory")
    start = time.perf_counter()
    command.upgrade(cfg, "head")
    took = time.perf_counter() - start
    with engine.db.begin() as conn:  # fresh planner statistics, as a running installation would have
        conn.execute(text("ANALYZE"))
    return took


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def run(url: str, n_cases: int, repeat: int) -> None:
    engine = Engine.create(url)
    if engine.db.dialect.name == "postgresql":  # a database of its own: start from empty
        with engine.db.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.close()
        engine = Engine.create(url)
    engine.deploy_paths([ROOT / "processes"], "system")
    rng = random.Random(1849)
    start = time.perf_counter()
    version_id = seed(engine, n_cases, rng)
    seeded = time.perf_counter() - start
    filled = backfill(engine)
    with engine.db.connect() as conn:
        counts = [conn.execute(select(text("count(*)")).select_from(t)).scalar_one() for t in (cases, tasks,
                                                                                              case_events)]
    print(f"\n{engine.db.dialect.name} {engine.db.dialect.server_version_info}: {url}")
    print(f"{counts[0]:,} cases, {counts[1]:,} tasks, {counts[2]:,} events (seeded in {seeded:.0f} s; "
          f"migration 0019's backfill of the statistics {filled:.1f} s)")
    since = datetime(2025, 6, 1, tzinfo=UTC)
    queries: list[tuple[str, Callable[[Any], Any]]] = [
        ("search: no filter, page 1", lambda c: search.search_cases(c, CaseFilter())),
        ("search: no filter, page 2,000", lambda c: search.search_cases(c, CaseFilter(), page=2_000)),
        ("search: status running", lambda c: search.search_cases(c, CaseFilter(status="running"))),
        ("search: definition + version 1", lambda c: search.search_cases(
            c, CaseFilter(key="netvaerksturnus", version=1))),
        ("search: start date, one month", lambda c: search.search_cases(
            c, CaseFilter(started_from=since, started_before=since + timedelta(days=30)))),
        ("search: participant (an employee)", lambda c: search.search_cases(c, CaseFilter(participant="emp0042"))),
        ("search: participant (staff: lene)", lambda c: search.search_cases(c, CaseFilter(participant="lene"))),
        ("search: current step", lambda c: search.search_cases(c, CaseFilter(step="decide_theme"))),
        ("search: title text", lambda c: search.search_cases(c, CaseFilter(text="håndbog onboarding"))),
        ("search: status + step + month", lambda c: search.search_cases(c, CaseFilter(
            status="running", step="approve_agreement_leadership", started_from=since,
            started_before=since + timedelta(days=30)))),
        ("statistics: per element of the version", lambda c: stats.element_stats(c, version_id)),
        ("statistics: recount (the scan audit live runs)", lambda c: stats.recount(c)[0]),
    ]
    print(f"\n{'query':<44} {'median ms':>10} {'worst ms':>9}  result")
    with engine.db.connect() as conn:
        for label, query in queries:
            median, worst, result = timed(lambda q=query: q(conn), repeat)  # type: ignore[misc]
            shown = f"{result[1]:,} hits" if isinstance(result, tuple) else f"{len(result)} elements"
            print(f"{label:<44} {median:>10.1f} {worst:>9.1f}  {shown}")
        wrong = stats.counter_disagreements(conn)
        print("the counters agree with the recount" if not wrong else f"COUNTERS DISAGREE: {wrong[:3]}")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=None, help="SQLite URL (default: a new file in a temporary folder)")
    parser.add_argument("--pg", default=None, help="also run on this PostgreSQL URL (a database of its own)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} (2 vCPU shared with other sessions)")
    run(args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_audit.db", args.cases, args.repeat)
    if args.pg:
        run(args.pg, args.cases, args.repeat)


if __name__ == "__main__":
    main()
