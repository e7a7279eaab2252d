"""Web benchmark: server time and SQL statements of the inbox, task and case pages at scale.

Run:  .venv/bin/python -m tests.benchmarks.bench_web [--cases 100000] [--events 1000000] [--open 12500]
      [--requests 50] [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench_web]

Building the data is not what is measured: a few real rotation cases are driven through the service layer
(one per phase), then cloned in bulk (rows copied with new ids) until there are --cases cases and --events
events; --open of them are running and wait on someone, the rest are finished (only running clones get a copy
of the live workflow state: finished cases' pages are not measured, and 40 state rows per case would be most of
the build). Then each page is requested --requests times through Flask's test client as a signed-in user; the
time is the app's own handling time (no network), reported as median and p95, with the SQL statements per
request (a ``before_cursor_execute`` listener). Target: p95 under 50 ms. Not a pytest test (bench_* is not
collected).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from engine.demo import DEMO_PASSWORD, seed
from engine.passwords import hash_password
from engine.service import Engine
from engine.store.tables import (
    case_events,
    cases,
    tasks,
)
from tests.helpers.bench_cases import EMPLOYEES, clone, templates
from web import create_app
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]


class StatementCounter:
    """Counts the SQL statements the app sends (every cursor execute, reads and writes alike)."""

    def __init__(self, db: Any) -> None:
        self.count = 0
        event.listen(db, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def measure(client: Any, path: str, n: int, counter: StatementCounter) -> tuple[float, float, float]:
    for _ in range(3):  # warm caches (definition versions, templates, user directory)
        assert client.get(path).status_code == 200, path
    times = []
    before = counter.count
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    statements = (counter.count - before) / n
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], statements


def login(app: Any, name: str) -> Any:
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"username": name, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, name
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=12_500, help="cases still running (the rest are finished)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_web.db"
    engine = Engine.create(url)
    seed(engine)
    engine.deploy_paths([ROOT / "processes"], "system")
    hashed = hash_password(DEMO_PASSWORD)
    for n in range(EMPLOYEES):
        engine.add_user(f"emp{n:03d}", display_name=f"Medarbejder {n}", password_hash=hashed)
    built = time.perf_counter()
    ids = templates(engine)
    clone(engine, ids, args.cases, args.events, args.open)
    if engine.db.dialect.name == "postgresql":
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Fresh planner statistics (and the visibility map, for index-only scans), as autovacuum would
            # give a database that has been running for a while.
            conn.execute(text("VACUUM ANALYZE"))
    # SQLite: no ANALYZE, because nothing in Turnus runs it, so its planner works without statistics in
    # production too. (Until session 7 this ran ANALYZE inside the BEGIN that engine/store/db.py always
    # emits, and the close rolled it back: the figures were without statistics all along.)
    with engine.db.connect() as conn:
        n_cases = conn.execute(select(func.count()).select_from(cases)).scalar()
        n_events = conn.execute(select(func.count()).select_from(case_events)).scalar()
        n_open = conn.execute(select(func.count()).select_from(tasks).where(tasks.c.state == "open")).scalar()
    print(f"database: {url}\n{n_cases} cases, {n_events} events, {n_open} open tasks "
          f"(built in {time.perf_counter() - built:.1f} s)")
    app = create_app(engine, settings=WebSettings(secret_key="bench", cookie_secure=False, timer_interval=0))
    emma, sara, emp = login(app, "emma"), login(app, "sara"), login(app, "emp001")
    task_id = next(t.id for t in engine.case(ids["approve"], None).open_tasks if t.assignee == "lars")
    lars = login(app, "lars")
    pages = [
        ("inbox, employee (emma: my tasks)", emma, "/tasks"),
        ("inbox, secretariat (sara: my tasks)", sara, "/tasks?view=mine"),
        ("inbox, employee with cloned cases (emp001)", emp, "/tasks"),
        (f"inbox, secretariat group ({sum(1 for _ in engine.tasks_for('sara', 'group'))} tasks, page 1)", sara,
         "/tasks?view=group"),
        ("inbox, secretariat group sorted by case title", sara, "/tasks?view=group&sort=case"),
        ("inbox, secretariat group, page 100", sara, "/tasks?view=group&page=100"),
        ("task page (approve agreement, 20 fields of context)", lars, f"/tasks/{task_id}"),
        ("my cases (emp001: in 0.5% of the cases)", emp, "/cases"),
        ("my cases (sara: in most cases)", sara, "/cases"),
        ("my cases (sara), page 20", sara, "/cases?page=20"),
        ("case page", emma, f"/cases/{ids['approve']}"),
    ]
    counter = StatementCounter(engine.db)
    print(f"\n{'page':<62} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8}")
    worst = 0.0
    for label, client, path in pages:
        median, p95, statements = measure(client, path, args.requests, counter)
        worst = max(worst, p95)
        print(f"{label:<62} {median:>10.1f} {p95:>8.1f} {statements:>8.1f}", flush=True)
    print(f"\nworst p95: {worst:.1f} ms (target < 50 ms): {'OK' if worst < 50 else 'TOO SLOW'}")
    engine.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
