"""Scale-out benchmark: completions per second with N web processes on one PostgreSQL, and the ratio to N = 1.

Run:  .venv/bin/python -m tests.benchmarks.bench_scale
      [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale] [--processes 1,2] [--completions 1500]
      [--clients-per-process 3]

For each N, gunicorn runs `web:create_app()` with N worker processes (deploy/gunicorn.conf.py's setting,
TURNUS_WEB_PROCESSES), and client threads complete review-process tasks (tests/integration/processes/review.bpmn)
through `POST /api/v1/tasks/{id}/complete` over HTTP with a bearer token, as an integrating system would. The
cases are started before the clock runs, so the figure is completions alone. Printed per N: completions per
second, the ratio to N = 1 (target ≥ 0.8 × N while cores remain), the web processes' CPU per completion, and the
load generator's own CPU (it shares the machine's cores with the servers and PostgreSQL, so the last N that still
has a core to itself is the one that shows scale-out). PostgreSQL only: SQLite has one writer at a time, so
several web processes on it take turns by design. Not a pytest test (bench_* is not collected).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.service import Engine

ROOT = Path(__file__).resolve().parents[2]
REVIEW = {"title": "Chairs", "amount": 3, "needed_by": "2027-05-01"}
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc), gunicorn's workers included."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def serve(url: str, processes: int, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TURNUS_DATABASE_URL": url, "TURNUS_SECRET_KEY": "bench-scale", "TURNUS_TIMERS": "workers",
           "TURNUS_WEB_PROCESSES": str(processes), "TURNUS_BIND": f"127.0.0.1:{port}", "TURNUS_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py",
                               "--access-logfile", "/dev/null"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")  # /readyz also wants a timer worker, which this needs not
            if conn.getresponse().status == 200 and len(children(server.pid)) >= processes:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn with {processes} processes did not become ready on port {port} within 60 s")


def complete_all(port: int, token: str, task_ids: list[str], clients: int) -> tuple[float, list[str]]:
    """Complete every task through the API with ``clients`` threads; the wall time and any failures."""
    work: queue.Queue[str] = queue.Queue()
    for task_id in task_ids:
        work.put(task_id)
    failures: list[str] = []
    body = json.dumps({"data": {"decision": "approve"}})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        while True:
            try:
                task_id = work.get_nowait()
            except queue.Empty:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()  # unread, the server's sync worker lingers ~2 s on the socket
                if response.status >= 300:
                    failures.append(f"{response.status} {answer[:200]!r}")
            except OSError as error:
                failures.append(f"{task_id}: {error}")
            finally:
                conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale")
    parser.add_argument("--processes", default=",".join(str(n) for n in (1, 2, 4) if n <= (os.cpu_count() or 1)))
    parser.add_argument("--completions", type=int, default=1500)
    parser.add_argument("--clients-per-process", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="each N this many times, interleaved (noise)")
    args = parser.parse_args()
    if make_url(args.db).get_backend_name() != "postgresql":
        raise SystemExit("--db must be a PostgreSQL URL: on SQLite web processes take turns at its one writer")
    counts = [int(n) for n in args.processes.split(",") if n.strip()] * args.rounds
    engine = Engine.create(args.db)
    engine.deploy_paths([ROOT / "tests" / "integration" / "processes" / "review.bpmn"], "system")
    engine.add_user("emma")
    engine.add_user("ralf", groups=["reviewers"])
    token = engine.add_token("ralf", scopes=["tasks:write", "cases:read"])[1]
    print(f"database: {args.db}\ncores: {os.cpu_count()}; {args.completions} completions per N, "
          f"{args.clients_per_process} client threads per web process\n")
    print(f"{'N':>3} {'completions/s':>14} {'web CPU ms/completion':>22} {'client CPU %':>13}")
    rates: dict[int, list[float]] = {}
    for n in counts:
        task_ids = [engine.case(engine.start("review", "emma", REVIEW), None).open_tasks[0].id
                    for _ in range(args.completions)]
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        port = free_port()
        server = serve(args.db, n, port)
        try:
            complete_all(port, token, [engine.case(engine.start("review", "emma", REVIEW), None).open_tasks[0].id
                                       for _ in range(4 * n)], n)  # warm each process (specs, token, directory)
            pids = children(server.pid)
            cpu_before, client_before = cpu_seconds(pids), time.process_time()
            wall, failures = complete_all(port, token, task_ids, n * args.clients_per_process)
            web_cpu, client_cpu = cpu_seconds(pids) - cpu_before, time.process_time() - client_before
        finally:
            server.terminate()
            server.wait(30)
        if failures:
            raise SystemExit(f"{len(failures)} completions failed with {n} processes, e.g. {failures[0]}")
        rate = args.completions / wall
        rates.setdefault(n, []).append(rate)
        print(f"{n:>3} {rate:>14.1f} {web_cpu * 1000 / args.completions:>22.2f} {100 * client_cpu / wall:>13.0f}",
              flush=True)
    engine.close()
    base = statistics.median(rates.get(1) or rates[min(rates)]) * (1 if 1 in rates else 1 / min(rates))
    print(f"\n{'N':>3} {'median completions/s':>21} {'ratio to N=1':>13} {'target ≥':>9}")
    for n, seen in sorted(rates.items()):
        median = statistics.median(seen)
        print(f"{n:>3} {median:>21.1f} {median / base:>13.2f} {0.8 * n:>9.1f}")


if __name__ == "__main__":
    main()
