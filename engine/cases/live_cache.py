"""Live workflows kept between commands in a long-running process, reused only while provably current.

Restoring a case (reading its state rows, parsing them, rebuilding the task tree around the spec) is most of
a command's CPU outside the engine run itself (docs/BENCHMARKS.md). A web or worker process that ran the last
command on a case still holds that workflow; this keeps it for the next command on the case.

An entry is reused only when all of these hold; otherwise the case is restored from the database as before:
- the case row, as the command has just read it, still carries the row version and last event hash the entry
  was committed with. Every write of a case's state bumps its version under the version guard
  (``live._update``), so a command committed by another process or thread is never missed;
- the entry was put here after its transaction committed, so a rolled-back command leaves nothing behind;
- the workflow's specs are the very objects the spec cache hands out now, unchanged since they were restored
  (``spec_cache.snapshot``): a spec mutated by this case or another one is never carried into a command.

A command takes its entry out (two threads never hold one workflow) and the workflow goes back only when the
command's transaction has committed (``engine.store.db.AFTER_COMMIT``, run by the service layer). Entries are
per thread, as the specs they point at are, and per database. Under TURNUS_SPEC_CHECK_AUDIT (the test suite)
reuses are also compared with the state stored in the database (the first 64 of a process, then every 8th),
and a difference is recorded in ``missed`` and fails the suite (tests/conftest.py).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Connection

from engine.config import load_settings
from engine.runtime import spec_cache
from engine.runtime import state as st
from engine.store.db import AFTER_COMMIT

KEEP_PER_THREAD = load_settings().live_cases  # TURNUS_LIVE_CASES (engine/config.py)
missed: list[str] = []  # under spec_cache.AUDIT: case ids whose cached workflow differed from the stored state
# This process's counts, for the benchmarks and tests: reused, and restored for each reason.
stats = {"hits": 0, "misses": 0, "absent": 0, "moved_on": 0, "spec_changed": 0}


@dataclass
class _Entry:
    version_id: int
    row_version: int
    last_hash: str
    wf: BpmnWorkflow
    stored: st.StoredState  # what the database holds for the case, as this workflow's last commit wrote it


class _PerThread(threading.local):
    def __init__(self) -> None:
        # Keyed by the SQLAlchemy engine: two databases in one process (the tests) never share entries.
        self.by_db: weakref.WeakKeyDictionary[Any, OrderedDict[str, _Entry]] = weakref.WeakKeyDictionary()


_local = _PerThread()


def _entries(engine: Any) -> OrderedDict[str, _Entry]:
    """This thread's entries for the database behind ``engine`` (a SQLAlchemy Engine)."""
    entries = _local.by_db.get(engine)
    if entries is None:
        entries = _local.by_db[engine] = OrderedDict()
    return entries


def _specs_current(wf: BpmnWorkflow, specs: tuple[Any, dict[str, Any]]) -> bool:
    spec, subprocess_specs = specs
    held = wf.subprocess_specs
    return wf.spec is spec and len(held) == len(subprocess_specs) and all(
        held.get(name) is s for name, s in subprocess_specs.items())


_audited = [0]  # reuses this process has seen under the audit


def _audit_due() -> bool:
    """Under the audit: the first 64 reuses of a process, then every 8th (a 900-step loop test would otherwise
    pay a full dump and read per step, as much as the restore the reuse saves)."""
    _audited[0] += 1
    return _audited[0] <= 64 or _audited[0] % 8 == 0


def take(conn: Connection, row: Any, version_id: int, specs: tuple[Any, dict[str, Any]],
         stored_now: Callable[[], st.StoredState | None]) -> tuple[BpmnWorkflow, st.StoredState] | None:
    """The case's workflow as its last commit left it, if still current (see the module docstring), else None.

    ``specs`` are what the spec cache hands out for the case's version now; ``stored_now`` reads the stored
    state, and is called only under the audit."""
    entry = _entries(conn.engine).pop(row.id, None)
    why = ("absent" if entry is None else
           "moved_on" if (entry.row_version, entry.last_hash, entry.version_id) != (
               row.row_version, row.last_event_hash, version_id) else
           "spec_changed" if not _specs_current(entry.wf, specs) else None)
    if why is not None:
        stats["misses"] += 1
        stats[why] += 1
        return None
    if spec_cache.AUDIT and _audit_due():
        stored = stored_now()
        current = st.dump(entry.wf)
        if stored != entry.stored or current != entry.stored:
            missed.append(row.id)
            stats["misses"] += 1
            return None
    stats["hits"] += 1
    return entry.wf, entry.stored


def keep_after_commit(conn: Connection, case_id: str, version_id: int, row_version: int, last_hash: str,
                      wf: BpmnWorkflow, stored: st.StoredState) -> None:
    """Offer the workflow to the next command on the case, once this transaction has committed."""
    entry = _Entry(version_id, row_version, last_hash, wf, stored)
    engine = conn.engine

    def keep() -> None:
        entries = _entries(engine)
        entries[case_id] = entry
        entries.move_to_end(case_id)
        while len(entries) > KEEP_PER_THREAD:  # 0: nothing is kept
            entries.popitem(last=False)

    conn.info.setdefault(AFTER_COMMIT, []).append(keep)


def carry(conn: Connection, case_id: str, row_version: int, last_hash: str, new_version: int,
          new_hash: str) -> None:
    """A command that wrote events but not the workflow (a claim, a comment) moved the case row on: once it has
    committed, the workflow kept for the row it read is still the case's, under the row's new version."""
    engine = conn.engine

    def move() -> None:
        entries = _local.by_db.get(engine)
        entry = entries.get(case_id) if entries is not None else None
        if entry is not None and (entry.row_version, entry.last_hash) == (row_version, last_hash):
            entry.row_version, entry.last_hash = new_version, new_hash

    conn.info.setdefault(AFTER_COMMIT, []).append(move)


def clear() -> None:
    """Forget every workflow this thread holds (tests, benchmarks)."""
    _local.by_db.clear()
