"""One completion on the rotation process: Turnus against the bare engine doing the same step.

Run:  .venv/bin/python -m tests.benchmarks.bench_step [--cases 30] [--db URL]

Drives --cases rotation cases to the manager's approval of the agreement, then completes that task in each:
once with SpiffWorkflow alone on the case's workflow in memory (restored beforehand, untimed; SpiffWorkflow's
own script engine, nothing stored), and once through ``Engine.complete`` (authorization, restoring the case,
the sandbox, the audit chain, the inbox projection, notifications, one durable transaction). CPU is this
process's plus the sandbox workers'. Target (issue 11): Turnus at most 2x the bare engine's CPU.

Then the floor: what a completion cannot do without, each part timed alone — restoring the case's state (the
spec already cached), dumping it, the sandbox round trips it makes and the statements it sends (counted on
extra cases, each costed as the cheapest statement there is: a prebuilt primary-key read).

Last, where a completion's CPU goes, phase by phase (tests/helpers/command_phases.py), on --phase-cases more.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy import bindparam, event, select

from engine.cases import live, live_cache
from engine.clock import FixedClock
from engine.runtime import state as st
from engine.sandbox import get_sandbox
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.bench import cpu
from tests.helpers.command_phases import compare, print_report
from tests.helpers.rotation import DRAFT, EMPLOYEE, LEADER, MANAGER, PROCESSES, SECRETARY, Rotation, at

STEP = "approve_agreement_manager"
FLOOR_CASES = 10  # completed once more, counting their statements and sandbox round trips
DECISION = {"manager_decision": "approved", "manager_comment": "God fordeling."}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--db", default=None)
    ap.add_argument("--phase-cases", type=int, default=60, help="completions profiled (half with the profile off)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(at("2027-01-04T09:00+01:00").astimezone(UTC))
        eng = Engine.create(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}", clock=clock)
        eng.deploy_paths([PROCESSES], actor="system")
        for name, groups in ((EMPLOYEE, []), (MANAGER, ["leder"]), (SECRETARY, ["netvaerkssekretariat"]),
                             (LEADER, ["ledelsesteam"])):
            eng.add_user(name, groups=groups)
        tasks, workflows = [], []
        for _ in range(args.cases + 3 + FLOOR_CASES + args.phase_cases):  # warm-up, timed, floor, phases
            rotation = Rotation(eng, clock).start().theme_approved()
            rotation.do("draft_agreement", DRAFT)
            [task] = rotation.tasks(STEP)
            tasks.append(task)
            with eng.db.connect() as conn:
                row = conn.execute(select(cases).where(cases.c.id == rotation.case_id)).first()
                wf = live.load(conn, row, eng.versions.get(conn, row.version_id), clock.now(), reuse=False).wf
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
        print(f"live workflows kept between commands (engine/cases/live_cache.py), setup included: {live_cache.stats}")
        floor(eng, tasks[args.cases + 3:args.cases + 3 + FLOOR_CASES], base)
        print_report("Turnus complete()", compare(eng.db, lambda t: eng.complete(t.id, t.assignee or MANAGER, DECISION),
                                                  tasks[args.cases + 3 + FLOOR_CASES:]))
        eng.close()


def _per_call_ms(fn: Callable[[], object], n: int) -> float:
    c0 = cpu()
    for _ in range(n):
        fn()
    return (cpu() - c0) / n * 1000


def floor(eng: Engine, tasks: list[Any], bare_ms: float) -> None:
    """The parts of a completion that the house rules require, timed alone (see the module docstring)."""
    statements, round_trips = 0, 0

    def count_statement(*_: object) -> None:
        nonlocal statements
        statements += 1

    sandbox = get_sandbox()
    original = sandbox._run

    def counted_run(*a: Any, **kw: Any) -> Any:
        nonlocal round_trips
        round_trips += 1
        return original(*a, **kw)

    with eng.db.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == tasks[0].case_id)).one()
        version = eng.versions.get(conn, row.version_id)
        lc = live.load(conn, row, version, row.started_at, reuse=False)
    restore_ms = _per_call_ms(lambda: st.restore(version.spec_json, lc.stored), 50)
    dump_ms = _per_call_ms(lambda: st.dump(lc.wf), 50)
    sandbox_ms = _per_call_ms(lambda: sandbox.evaluate("decision == 'approved'", {"decision": "approved"}), 200)
    by_id = select(cases.c.id).where(cases.c.id == bindparam("i"))
    with eng.db.connect() as conn:
        statement_ms = _per_call_ms(lambda: conn.execute(by_id, {"i": row.id}).first(), 500)
    event.listen(eng.db, "before_cursor_execute", count_statement)
    sandbox._run = counted_run  # type: ignore[method-assign]
    try:
        for task in tasks:
            eng.complete(task.id, task.assignee or MANAGER, DECISION)
    finally:
        event.remove(eng.db, "before_cursor_execute", count_statement)
        del sandbox._run  # the class's method again (profiles wrap it there)
    n = len(tasks)
    parts = [("restore the case's state (spec cached)", 1, restore_ms), ("dump it", 1, dump_ms),
             ("sandbox round trips", round_trips / n, sandbox_ms), ("SQL statements", statements / n, statement_ms)]
    total = sum(count * ms for _, count, ms in parts)
    print(f"\nfloor of one completion, each part alone (per completion; {n} cases counted):")
    for label, count, ms in parts:
        print(f"  {label:<40} {count:>5.1f} x {ms:.3f} ms = {count * ms:6.2f} ms CPU")
    print(f"  {'sum':<40} {'':>15} {total:6.2f} ms CPU = {total / bare_ms:.1f}x bare; 2x bare is "
          f"{2 * bare_ms:.2f} ms (without the restore: {(total - restore_ms) / bare_ms:.1f}x)")


if __name__ == "__main__":
    main()
