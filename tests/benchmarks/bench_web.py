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
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text, update

from engine.demo import DEMO_PASSWORD, seed
from engine.passwords import hash_password
from engine.service import Engine
from engine.store.tables import (
    case_events,
    case_state,
    case_state_tasks,
    cases,
    task_candidates,
    tasks,
)
from tests.helpers.bench import fill_relations
from web import create_app
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
EMPLOYEES = 200
THEME = {"theme_title": "Tema", "problem_description": "p", "local_relevance": "l", "expected_product": "e",
         "network_type": "laering", "scope": "medium", "urgency": "normal", "manager": "lars"}
AGREEMENT = {"agreement_purpose": "a", "agreement_form": "b", "start_date": "2027-05-03", "end_date": "2027-10-29",
             "hours_per_week": 15, "placement": "p", "competence_goals": "c", "deliverable_description": "d",
             "dissemination_role": "r"}


def _open_task(engine: Engine, case_id: str) -> str:
    return engine.case(case_id, None).open_tasks[0].id


def templates(engine: Engine) -> dict[str, str]:
    """One real case per phase: waiting on the secretariat, the leadership team, the employee, the approvers."""
    out = {}
    out["qualify"] = engine.start("netvaerksturnus", "emma", THEME)
    out["decide"] = engine.start("netvaerksturnus", "emma", THEME)
    engine.complete(_open_task(engine, out["decide"]), "sara",
                    {"qualification_comment": "ok", "qualification_recommendation": "approve"})
    out["draft"] = engine.start("netvaerksturnus", "emma", THEME)
    for case_id in (out["draft"],):
        engine.complete(_open_task(engine, case_id), "sara",
                        {"qualification_comment": "ok", "qualification_recommendation": "approve"})
        engine.complete(_open_task(engine, case_id), "lene", {"theme_decision": "approved",
                                                             "theme_decision_reason": "godt"})
    out["approve"] = engine.start("netvaerksturnus", "emma", THEME)
    engine.complete(_open_task(engine, out["approve"]), "sara",
                    {"qualification_comment": "ok", "qualification_recommendation": "approve"})
    engine.complete(_open_task(engine, out["approve"]), "lene", {"theme_decision": "approved",
                                                                "theme_decision_reason": "godt"})
    engine.complete(_open_task(engine, out["approve"]), "emma", AGREEMENT)
    return out


def _rows(conn: Any, table: Any, case_id: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(table).where(table.c.case_id == case_id))]


def clone(engine: Engine, template_ids: dict[str, str], total_cases: int, total_events: int, open_cases: int) -> None:
    """Copy the template cases' rows until there are ``total_cases`` cases and ``total_events`` events."""
    with engine.db.begin() as conn:
        source = {}
        for phase, case_id in template_ids.items():
            source[phase] = {
                "case": dict(conn.execute(select(cases).where(cases.c.id == case_id)).first()._mapping),
                "state": _rows(conn, case_state, case_id), "state_tasks": _rows(conn, case_state_tasks, case_id),
                "tasks": _rows(conn, tasks, case_id), "events": _rows(conn, case_events, case_id),
                "candidates": [dict(r._mapping) for r in conn.execute(select(task_candidates).where(
                    task_candidates.c.task_id.in_([t.id for t in conn.execute(
                        select(tasks.c.id).where(tasks.c.case_id == case_id))])))],
            }
        existing_events = conn.execute(select(case_events.c.seq)).all()
        to_make = total_cases - len(template_ids)
        per_case, extra = divmod(max(0, total_events - len(existing_events)), max(1, to_make))
        phases = list(source)
        batch: dict[str, list[dict[str, Any]]] = {k: [] for k in ("cases", "state", "state_tasks", "tasks",
                                                                   "events", "candidates")}
        for n in range(to_make):
            src = source[phases[n % len(phases)]]
            running = n < open_cases - len(template_ids)
            employee = f"emp{n % EMPLOYEES:03d}"
            new_id = str(uuid.uuid4())
            # One second apart, older than the templates: cases are started at distinct instants.
            case = {**src["case"], "id": new_id, "started_by": employee, "title": f"Tema nr. {n}",
                    "started_at": src["case"]["started_at"] - timedelta(seconds=n + 1),
                    "status": "running" if running else "completed", "next_timer_at": None}
            batch["cases"].append(case)
            if running:
                batch["state"].extend({**r, "case_id": new_id} for r in src["state"])
                batch["state_tasks"].extend({**r, "case_id": new_id} for r in src["state_tasks"])
            for t in src["tasks"]:
                task_id = str(uuid.uuid4())
                is_open = running and t["state"] == "open"
                assignee = employee if t["assignee"] == "emma" else t["assignee"]
                batch["tasks"].append({**t, "id": task_id, "case_id": new_id, "assignee": assignee,
                                       "case_title": case["title"],
                                       "state": t["state"] if is_open or t["state"] != "open" else "completed",
                                       "completed_by": t["completed_by"] or (None if is_open else assignee)})
                batch["candidates"].extend({**c, "task_id": task_id} for c in src["candidates"]
                                           if c["task_id"] == t["id"])
            wanted = max(1, per_case + (1 if n < extra else 0))
            events = [{**e, "case_id": new_id} for e in src["events"]][:wanted]
            while len(events) < wanted:  # pad with comments up to the wanted number of events
                events.append({**src["events"][-1], "case_id": new_id, "seq": len(events) + 1, "kind": "comment_added",
                               "payload_json": json.dumps({"text": "Statuskommentar"})})
            batch["events"].extend(events)
            if len(batch["cases"]) >= 2000 or n == to_make - 1:
                for key, table in (("cases", cases), ("state", case_state), ("state_tasks", case_state_tasks),
                                   ("tasks", tasks), ("candidates", task_candidates), ("events", case_events)):
                    if batch[key]:
                        conn.execute(insert(table), batch[key])
                    batch[key] = []
        conn.execute(update(cases).where(cases.c.id.in_(list(template_ids.values()))).values(status="running"))
        fill_relations(conn)  # the clones' participants and open candidates, as the commands keep them


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
