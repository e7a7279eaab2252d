"""Where a Turnus command's CPU goes, phase by phase (issue 26): the wrap points and the printed table.

Used by tests/benchmarks/bench_peer.py (``start``) and bench_step.py (``complete``). Each wrap point is the
attribute its callers look up (``commands`` calls ``live.commit``, ``live`` calls its own ``sync_projection``),
read from engine/cases/commands.py and live.py. A phase is exclusive: the SQL a projection write sends is
counted under SQL, not under the projection.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import base as sa_base
from sqlalchemy.engine.result import Result
from sqlalchemy.sql.elements import CompilerElement

from engine import form_rules, identity
from engine.audit import chain
from engine.cases import (
    commands,
    deployments,
    duties,
    external_rows,
    live,
    live_cache,
    relations,
    subscriptions,
    versions,
)
from engine.forms import FormSchema
from engine.runtime import events as rt_events
from engine.runtime import state, workflow
from engine.sandbox import Sandbox
from tests.helpers.phases import UNACCOUNTED, PhaseProfile

SQL_BUILD = "SQL: SQLAlchemy execute (cache key, parameters, result)"
SQL_DRIVER = "SQL: sqlite3/psycopg driver"
SANDBOX = "sandbox round trips"

# (phase, [(owner, attribute)]), in the order of the table.
POINTS: list[tuple[str, list[tuple[Any, str]]]] = [
    ("connection, begin, close", [(sa_base.Engine, "connect"), (sa_base.Connection, "_begin_impl"),
                                  (sa_base.Connection, "close")]),
    ("user, authorization, forms", [(identity, "load_user"), (commands, "access_of"),
                                    (duties, "check_user_fields"), (deployments, "require_startable"),
                                    (FormSchema, "validate"), (form_rules, "check")]),
    ("spec lookup+restore", [(versions.VersionCache, "get"), (versions.VersionCache, "latest"),
                             (state, "specs")]),
    ("case state restore / new workflow", [(state, "restore"), (state, "new_workflow")]),
    ("live workflow kept: check and keep", [(live_cache, "take"), (live_cache, "keep_after_commit")]),
    ("case load: task-state snapshots, MI inputs", [(live, "load"), (live, "snapshot_states"),
                                                    (live, "snapshot_cycles"),
                                                    (workflow, "reapply_multiinstance_inputs"),
                                                    (external_rows, "waiting_ids")]),
    ("engine run", [(workflow, "advance"), (workflow, "complete_human_task")]),
    (SANDBOX, [(Sandbox, "_run")]),
    ("audit: engine's own events", [(live, "_engine_events"), (rt_events, "thrown_signals")]),
    ("audit hashing", [(chain.EventWriter, "add")]),
    ("audit writes + webhook outbox", [(chain.EventWriter, "seal")]),
    ("projection writes", [(live, "sync_projection"), (external_rows, "sync"), (subscriptions, "sync"),
                           (relations, "add_participants"), (relations, "task_closed")]),
    ("notifications", [(live, "_notify")]),
    ("pruning, case data, next timer", [(workflow, "prune_finished_iterations"), (workflow, "prune_finished_ticks"),
                                        (workflow, "check_depth"), (workflow, "next_timer"),
                                        (live, "case_data"), (live, "data_json"), (live, "_held_incident")]),
    ("state dump+diff", [(state, "dump"), (state, "diff")]),
    ("case row + state rows", [(live, "_update"), (live, "_insert_new")]),
    (SQL_BUILD, [(sa_base.Connection, "execute")]),
    # Only on a compiled-cache miss, or for a statement with no cache key (a multi-row VALUES).
    ("SQL: compiling statements", [(CompilerElement, "_compiler")]),
    (SQL_DRIVER, []),
    # Iterating a result row by row is left to its caller: a wrapper per row would cost more than the row.
    ("SQL: fetching rows (first, all, scalar, ...)", [(Result, m) for m in (
        "first", "all", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none", "fetchone", "fetchall")]),
    ("commit", [(sa_base.Connection, "_commit_impl")]),
]


def profiler(db: Any) -> PhaseProfile:
    """A profile with every wrap point of POINTS applied (undone when the profile's ``with`` ends)."""
    prof = PhaseProfile()
    for name, points in POINTS:
        for owner, attr in points:
            prof.wrap(owner, attr, name)
    prof.watch_sql(db, SQL_DRIVER)
    return prof


@dataclass
class Report:
    off_ms: float  # CPU per command of this thread with the profile off
    prof: PhaseProfile
    workers_ms: float  # the sandbox workers' CPU per command (other processes; not in the total)


def workers_cpu() -> float:
    """CPU seconds of this process's children (the sandbox workers), to the nanosecond (/proc/PID/schedstat;
    the clock ticks of /proc/PID/stat are 10 ms, a few commands' worth)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except OSError:
                continue
    return total / 1e9


def compare(db: Any, run: Callable[[Any], object], items: Sequence[Any], rounds: int = 4) -> Report:
    """``run`` each item once: in each round half the items unprofiled, half profiled, in alternating order."""
    per = len(items) // (2 * rounds)
    off = 0.0
    w0 = workers_cpu()
    with profiler(db) as prof:
        for r in range(rounds):
            chunk = items[2 * per * r: 2 * per * (r + 1)]
            plain, profiled = (chunk[:per], chunk[per:]) if r % 2 == 0 else (chunk[per:], chunk[:per])
            for item in profiled:
                with prof.command():
                    run(item)
            c0 = time.thread_time()
            for item in plain:
                run(item)
            off += time.thread_time() - c0
    return Report(off / (per * rounds) * 1000, prof, (workers_cpu() - w0) / (2 * per * rounds) * 1000)


def print_report(title: str, report: Report) -> None:
    prof, n = report.prof, report.prof.commands
    total = prof.total / n * 1000
    print(f"\n{title}: CPU of this thread per command, by phase (exclusive; {n} profiled commands)")
    print(f"  {'phase':<56} {'ms CPU':>7} {'%':>6} {'calls':>6}")
    order = [name for name, _ in POINTS] + [UNACCOUNTED]
    for name in order:
        phase = prof.phases[name]
        calls = f"{phase.calls / n:6.1f}" if name != UNACCOUNTED else ""
        print(f"  {name:<56} {phase.cpu / n * 1000:>7.3f} {phase.cpu / prof.total * 100:>5.1f}% {calls:>6}")
    print(f"  {'total (profile on)':<56} {total:>7.3f} {100:>5.1f}%   (sum of the phases: "
          f"{prof.accounted() / n * 1000:.3f})")
    print(f"  {'total (profile off, same commands interleaved)':<56} {report.off_ms:>7.3f}   "
          f"profile overhead {(total - report.off_ms) / report.off_ms * 100:+.0f} %")
    trips = prof.phases[SANDBOX].calls / n
    each = f"   ({report.workers_ms / trips:.3f} per round trip)" if trips else ""
    print(f"  {'+ sandbox workers (other processes, profile on and off)':<56} {report.workers_ms:>7.3f}{each}")
