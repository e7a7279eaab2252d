"""One completion on the rotation process: Turnus against the bare engine doing the same step.

Run:  .venv/bin/python -m tests.benchmarks.bench_step [--cases 30] [--db URL]

Drives --cases rotation cases to the manager's approval of the agreement, then completes that task in each:
once with SpiffWorkflow alone on the case's workflow in memory (restored beforehand, untimed; SpiffWorkflow's
own script engine, nothing stored), and once through ``Engine.complete`` (authorization, restoring the case,
the sandbox, the audit chain, the inbox projection, notifications, one durable transaction). CPU is this
process's plus the sandbox workers'. Target (issue 11): Turnus at most 2x the bare engine's CPU.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy import select

from engine.cases import live
from engine.clock import FixedClock
from engine.service import Engine
from engine.store.tables import cases
from tests.benchmarks.support import cpu
from tests.scenarios.rotation import DRAFT, EMPLOYEE, LEADER, MANAGER, PROCESSES, SECRETARY, Rotation, at

STEP = "approve_agreement_manager"
DECISION = {"manager_decision": "approved", "manager_comment": "God fordeling."}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(at("2027-01-04T09:00+01:00").astimezone(UTC))
        eng = Engine.create(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}", clock=clock)
        eng.deploy_paths([PROCESSES], actor="system")
        for name, groups in ((EMPLOYEE, []), (MANAGER, ["leder"]), (SECRETARY, ["netvaerkssekretariat"]),
                             (LEADER, ["ledelsesteam"])):
            eng.add_user(name, groups=groups)
        tasks, workflows = [], []
        for _ in range(args.cases + 3):  # three to warm up
            rotation = Rotation(eng, clock).start().theme_approved()
            rotation.do("draft_agreement", DRAFT)
            [task] = rotation.tasks(STEP)
            tasks.append(task)
            with eng.db.connect() as conn:
                row = conn.execute(select(cases).where(cases.c.id == rotation.case_id)).first()
                wf = live.load(conn, row, eng.versions.get(conn, row.version_id), clock.now()).wf
            wf.script_engine = PythonScriptEngine()  # the bare engine evaluates in-process, unsandboxed
            workflows.append((wf, task.id))

        def bare(i: int) -> None:
            wf, task_id = workflows[i]
            task = next(t for t in wf.get_tasks() if str(t.id) == task_id)
            task.data.update(DECISION)
            task.run()
            wf.do_engine_steps()

        def turnus(i: int) -> None:
            eng.complete(tasks[i].id, tasks[i].assignee or MANAGER, DECISION)

        results = {}
        for label, fn in (("SpiffWorkflow in memory (bare)", bare), ("Turnus complete()", turnus)):
            for i in range(3):
                fn(i)
            c0, w0 = cpu(), time.perf_counter()
            for i in range(3, args.cases + 3):
                fn(i)
            results[label] = ((cpu() - c0) / args.cases * 1000, (time.perf_counter() - w0) / args.cases * 1000)
        base = results["SpiffWorkflow in memory (bare)"][0]
        print(f"rotation, step {STEP}, {args.cases} cases; load average {os.getloadavg()[0]:.2f}")
        print(f"{'runner':<34} {'ms CPU':>8} {'ms wall':>8} {'x bare':>7}")
        for label, (used, wall) in results.items():
            print(f"{label:<34} {used:>8.2f} {wall:>8.2f} {used / base:>7.1f}")
        eng.close()


if __name__ == "__main__":
    main()
