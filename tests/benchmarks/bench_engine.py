"""Engine benchmark: persistence overhead, cost growth with history, bytes written per completion.

Run:  .venv/bin/python -m tests.benchmarks.bench_engine [--cases 300] [--samples 20] [--profile]
      [--db postgresql+psycopg://postgres@127.0.0.1:5432/test]

(1) case lifecycles/s (start + inbox query + complete) of a one-task process persisted by Turnus,
    against the same BPMN run by SpiffWorkflow in memory. Target: at most 2x slower.
(2) time of one completion in a `loop` case with 10 / 100 / 1,000 completed tasks.
    Target (issue 11): 1000/10 <= 1.2 in CPU.
(3) bytes written per completion at those points (row payload bytes; on SQLite also write() syscall bytes).
Not a pytest test: the name bench_* keeps it out of collection.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select
from sqlalchemy.engine import make_url

from engine.clock import FixedClock
from engine.service import Engine
from engine.store.tables import case_events, case_state, case_state_tasks, cases, tasks

LOOP_BPMN = Path(__file__).resolve().parent.parent / "integration" / "processes" / "loop.bpmn"
USER = "alice"
BYTE_SAMPLES = 5  # completions whose written rows are measured, after the timed ones at each point
TINY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="tiny_defs" targetNamespace="http://turnus.example/bench">
  <bpmn:process id="tiny" name="One task" isExecutable="true">
    <bpmn:startEvent id="start" camunda:initiator="requester"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:userTask id="task" name="Approve" camunda:assignee="${requester}">
      <bpmn:extensionElements>
        <camunda:formData><camunda:formField id="ok" label="OK" type="boolean"/></camunda:formData>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# --- (1) lifecycles per second ------------------------------------------------------------------

def timed(fn: Callable[[], Any], n: int) -> tuple[float, float]:
    """(wall, CPU) seconds for n calls; CPU time leaves out fsync waits and other processes' load."""
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return time.perf_counter() - w0, time.process_time() - c0


def bare_lifecycles(n: int, warmup: int) -> tuple[float, float]:
    """SpiffWorkflow alone, in memory: parse once, one BpmnWorkflow per case."""
    parser = CamundaParser()
    parser.add_bpmn_str(TINY_BPMN.encode())
    spec, subs = parser.get_spec("tiny"), parser.get_subprocess_specs("tiny")

    def one() -> None:
        wf = BpmnWorkflow(spec, subs)
        wf.task_tree.data["requester"] = USER
        wf.do_engine_steps()
        task = wf.get_next_task(state=TaskState.READY, manual=True)
        assert task is not None
        task.data["ok"] = True
        task.run()
        wf.do_engine_steps()
        assert wf.is_completed()

    timed(one, warmup)
    return timed(one, n)


def turnus_lifecycle(eng: Engine) -> tuple[float, float, float]:
    """One case start → complete; returns (start, inbox query, complete) seconds."""
    t0 = time.perf_counter()
    eng.start("tiny", USER, {})
    t1 = time.perf_counter()
    (view,) = eng.tasks_for(USER)
    t2 = time.perf_counter()
    eng.complete(view.id, USER, {"ok": True})
    return t1 - t0, t2 - t1, time.perf_counter() - t2


def turnus_lifecycles(eng: Engine, n: int, warmup: int) -> tuple[float, float, list[tuple[float, float, float]]]:
    timed(lambda: turnus_lifecycle(eng), warmup)
    parts: list[tuple[float, float, float]] = []
    wall, cpu = timed(lambda: parts.append(turnus_lifecycle(eng)), n)
    return wall, cpu, parts


# --- (2) and (3) completion cost as history grows -----------------------------------------------

def _row_len(row: Any) -> int:
    return sum(len(v) if isinstance(v, str | bytes) else len(str(v)) for v in row if v is not None)


def snapshot(db: DbEngine, case_id: str) -> dict[str, Any]:
    """Every stored row of one case, so a completion's writes can be measured as a row diff."""
    with db.connect() as conn:
        return {
            "case": _row_len(conn.execute(select(cases).where(cases.c.id == case_id)).one()),
            "header": conn.execute(select(case_state.c.header_json)
                                   .where(case_state.c.case_id == case_id)).scalar_one(),
            "bodies": dict(conn.execute(select(case_state_tasks.c.task_id, case_state_tasks.c.body_json)
                                        .where(case_state_tasks.c.case_id == case_id)).all()),
            "tasks": {r.id: tuple(r) for r in conn.execute(select(tasks).where(tasks.c.case_id == case_id))},
            "events": conn.execute(select(case_events).where(case_events.c.case_id == case_id)).all(),
        }


def bytes_between(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Payload bytes of rows inserted or changed from a to b (no index or page overhead)."""
    n = b["case"] + (len(b["header"]) if b["header"] != a["header"] else 0)
    n += sum(len(body) for tid, body in b["bodies"].items() if a["bodies"].get(tid) != body)
    n += sum(_row_len(row) for tid, row in b["tasks"].items() if a["tasks"].get(tid) != row)
    n += sum(_row_len(r) for r in b["events"][len(a["events"]):])
    return n


def io_written() -> int | None:
    """Bytes this process passed to write() (Linux /proc/self/io wchar): SQLite's WAL and checkpoints."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def history_growth(eng: Engine, samples: int, points: tuple[int, ...], sqlite: bool,
                   profile_at: int | None) -> list[dict[str, Any]]:
    """One case per point, brought to that many completed tasks, then completed in turn.

    Interleaving the timed completions (10, 100, 1000, 10, ...) puts every point under the same machine
    load; on this shared 2-core VM one point after another drifted by ±30 % between runs.
    """
    cases = {point: eng.start("loop", USER, {}) for point in points}
    done = dict.fromkeys(points, 0)

    def complete_next(point: int) -> tuple[float, float]:
        (view,) = [v for v in eng.tasks_for(USER) if v.case_id == cases[point]]
        done[point] += 1
        return timed(lambda: eng.complete(view.id, USER, {"done": False}), 1)

    for point in points:
        while done[point] < point:
            complete_next(point)
    times: dict[int, list[float]] = {p: [] for p in points}
    cpus: dict[int, list[float]] = {p: [] for p in points}
    for _ in range(samples):
        for point in points:
            wall, cpu = complete_next(point)
            times[point].append(wall)
            cpus[point].append(cpu)
    out = []
    for point in points:
        # Bytes after the timed completions: a snapshot reads every event of the case, and holding it
        # across a timed completion makes the collector's work grow with the history, not the engine's.
        row_bytes, ios = [], []
        for _ in range(BYTE_SAMPLES):
            before = snapshot(eng.db, cases[point])
            io0 = io_written()
            complete_next(point)
            io1 = io_written()
            row_bytes.append(bytes_between(before, snapshot(eng.db, cases[point])))
            if sqlite and io0 is not None and io1 is not None:
                ios.append(io1 - io0)  # includes any WAL checkpoint that fell inside the completion
        out.append({"point": point, "median": statistics.median(times[point]),
                    "cpu": statistics.median(cpus[point]), "row_bytes": statistics.median(row_bytes),
                    "io_bytes": statistics.median(ios) if ios else None,
                    "state_rows": len(snapshot(eng.db, cases[point])["bodies"])})
        if profile_at == point:
            run_profiled(f"20 completions of `loop` after {done[point]} completed tasks", 20,
                         lambda p=point: complete_next(p))
    return out


# --- profiling ----------------------------------------------------------------------------------

def run_profiled(title: str, n: int, fn: Callable[[], Any]) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    print(f"\n--- cProfile: {title} (cumulative s for all {n}; divide by {n} per call) ---")
    pstats.Stats(prof).strip_dirs().sort_stats("cumulative").print_stats(28)
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(15)


# --- databases ----------------------------------------------------------------------------------

@contextmanager
def database(pg_url: str | None) -> Iterator[str]:
    """A fresh database: a SQLite file in a temp dir, or a PostgreSQL schema dropped afterwards."""
    if pg_url is None:
        with tempfile.TemporaryDirectory(prefix="turnus-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import psycopg

    url = make_url(pg_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    if url.password:
        conninfo += f" password={url.password}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def new_engine(db_url: str, tmp: Path) -> Engine:
    eng = Engine.create(db_url, clock=FixedClock())
    (tmp / "tiny.bpmn").write_text(TINY_BPMN)
    eng.deploy_paths([tmp / "tiny.bpmn", LOOP_BPMN], actor="system")
    eng.add_user(USER, groups=["staff"])
    return eng


def run_backend(label: str, db_url: str, args: argparse.Namespace, bare: tuple[float, float]) -> None:
    with tempfile.TemporaryDirectory(prefix="turnus-bench-bpmn-") as tmp:
        eng = new_engine(db_url, Path(tmp))
    try:
        wall, cpu, parts = turnus_lifecycles(eng, args.cases, args.warmup)
        med = [statistics.median(p[i] for p in parts) for i in range(3)]
        n = args.cases
        print(f"\n== {label} ==")
        print("(1) lifecycles/s, one-task process (start + inbox query + complete), "
              f"{n} cases after {args.warmup} warm-up")
        print(f"    {'':<26}{'per s (wall)':>13}{'ms/case wall':>14}{'ms/case CPU':>13}")
        for name, (w, c) in (("Turnus, persisted", (wall, cpu)), ("SpiffWorkflow in memory", bare)):
            print(f"    {name:<26}{n / w:>13.0f}{w / n * 1000:>14.2f}{c / n * 1000:>13.2f}")
        ratio = wall / bare[0]
        print(f"    ratio persisted / bare: {ratio:.1f}x wall, {cpu / bare[1]:.1f}x CPU   target <= 2.0x: "
              f"{'MET' if ratio <= 2 else 'MISSED'}")
        print(f"    median wall per part: start {ms(med[0])}, tasks_for {ms(med[1])}, complete {ms(med[2])}")
        if args.profile:
            run_profiled("lifecycles of `tiny`", 100, lambda: turnus_lifecycle(eng))
        rows = history_growth(eng, args.samples, (10, 100, 1000), db_url.startswith("sqlite"),
                              1000 if args.profile else None)
        print(f"(2)+(3) one completion of `loop` with N completed tasks (time: median of {args.samples}, "
              f"the points interleaved; bytes: median of the {BYTE_SAMPLES} after them)")
        print(f"    {'N':>6} {'wall':>10} {'CPU':>10} {'row bytes':>10} {'write() bytes':>14} {'state rows':>11}")
        for r in rows:
            io = f"{r['io_bytes']:>14,.0f}" if r["io_bytes"] is not None else f"{'n/a':>14}"
            print(f"    {r['point']:>6} {ms(r['median']):>10} {ms(r['cpu']):>10} {r['row_bytes']:>10,.0f} "
                  f"{io} {r['state_rows']:>11}")
        growth = rows[-1]["median"] / rows[0]["median"]
        cpu_growth = rows[-1]["cpu"] / rows[0]["cpu"]
        print(f"    ratio 1000/10: {growth:.2f}x wall, {cpu_growth:.2f}x CPU   "
              f"target <= 1.2x CPU: {'MET' if cpu_growth <= 1.2 else 'MISSED'}")
    finally:
        eng.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=300, help="cases per lifecycle measurement")
    ap.add_argument("--warmup", type=int, default=30, help="cases run before measuring")
    ap.add_argument("--samples", type=int, default=20, help="completions timed at each history size")
    ap.add_argument("--db", default=None, help="also run on this PostgreSQL URL (in a fresh, dropped schema)")
    ap.add_argument("--profile", action="store_true", help="print cProfile tables for (1) and for (2) at 1,000")
    args = ap.parse_args()

    print("command: " + " ".join([Path(sys.executable).name, "-m", "tests.benchmarks.bench_engine", *sys.argv[1:]]))
    print(f"machine: {platform.node()}, nproc {os.cpu_count()}, {platform.machine()}, Python "
          f"{platform.python_version()}, SpiffWorkflow {version('SpiffWorkflow')}, "
          f"SQLAlchemy {version('SQLAlchemy')}, SQLite {sqlite3.sqlite_version}, load avg {os.getloadavg()[0]:.2f}")
    print("row bytes: payload bytes of rows inserted or changed by one completion (cases, case_state, "
          "case_state_tasks, tasks, case_events; sum of column text lengths, no index/page overhead).")
    print("write() bytes: SQLite only; bytes the process wrote to files (/proc/self/io wchar) per completion, "
          "i.e. WAL pages incl. any checkpoint in the window.")
    bare = bare_lifecycles(args.cases, args.warmup)
    with database(None) as url:
        run_backend("SQLite (file in a temp dir, WAL, synchronous=FULL: engine defaults)", url, args, bare)
    if args.db:
        with database(args.db) as url:
            run_backend(f"PostgreSQL ({make_url(args.db).render_as_string()}, fresh schema)", url, args, bare)
    print(f"\nload avg at end: {os.getloadavg()[0]:.2f} (other processes on this machine skew wall times)")


if __name__ == "__main__":
    main()
