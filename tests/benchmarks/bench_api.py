"""API benchmark: p95 of GET /api/v1/tasks, GET /api/v1/cases/{id} and POST /api/v1/tasks/{id}/complete at scale.

Run:  .venv/bin/python -m tests.benchmarks.bench_api [--cases 100000] [--events 1000000] [--open 12500]
      [--requests 50] [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench_api]

The data is bench_web's (real rotation cases cloned in bulk to --cases cases). Each call goes through Flask's
test client with a bearer token (so token lookup, scope check and problem handling are in the time; no network).
Completing consumes a task, so the completions are of review-process cases (tests/integration/processes/
review.bpmn) started before the clock runs, one per request, in the same large database. Target: p95 < 30 ms.
Not a pytest test (bench_* is not collected).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from engine.demo import seed
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.bench_cases import clone, templates
from web import create_app
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
REVIEW = {"title": "Chairs", "amount": 3, "needed_by": "2027-05-01"}


def timed(n: int, call: Callable[[int], Any]) -> tuple[float, float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        response = call(i)
        times.append((time.perf_counter() - start) * 1000)
        assert 200 <= response.status_code < 300, (response.status_code, response.data[:300])
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=12_500)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_api.db"
    engine = Engine.create(url)
    seed(engine)
    engine.deploy_paths([ROOT / "processes", ROOT / "tests" / "integration" / "processes" / "review.bpmn"], "system")
    engine.add_user("ralf", groups=["reviewers"])
    ids = templates(engine)
    clone(engine, ids, args.cases, args.events, args.open)
    if engine.db.dialect.name == "postgresql":
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    review_tasks = [engine.case(engine.start("review", "emma", REVIEW), None).open_tasks[0].id
                    for _ in range(args.requests + 3)]
    with engine.db.connect() as conn:
        print(f"database: {url}\n{conn.execute(select(func.count()).select_from(cases)).scalar()} cases")
    app = create_app(engine, settings=WebSettings(secret_key="bench", cookie_secure=False, timer_interval=0))
    http = app.test_client()

    def bearer(user: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + engine.add_token(user, scopes=["admin"])[1]}

    sara, emma, ralf = bearer("sara"), bearer("emma"), bearer("ralf")
    body = json.dumps({"data": {"decision": "approve"}})
    calls = [
        ("GET /tasks (sara: secretariat group)", lambda i: http.get("/api/v1/tasks?view=group", headers=sara)),
        ("GET /tasks (emma: my tasks)", lambda i: http.get("/api/v1/tasks", headers=emma)),
        ("GET /cases/{id} (rotation case)", lambda i: http.get(f"/api/v1/cases/{ids['approve']}", headers=emma)),
        ("POST /tasks/{id}/complete (review task)", lambda i: http.post(
            f"/api/v1/tasks/{review_tasks[i]}/complete", data=body, content_type="application/json", headers=ralf)),
    ]
    print(f"\n{'call':<48} {'median ms':>10} {'p95 ms':>8}")
    worst = 0.0
    for label, call in calls:
        for i in range(3):  # warm caches (versions, the user directory, the token's last-use write)
            call(args.requests + i)
        median, p95 = timed(args.requests, call)
        worst = max(worst, p95)
        print(f"{label:<48} {median:>10.1f} {p95:>8.1f}", flush=True)
    print(f"\nworst p95: {worst:.1f} ms (target < 30 ms): {'OK' if worst < 30 else 'TOO SLOW'}")
    engine.close()


if __name__ == "__main__":
    main()
