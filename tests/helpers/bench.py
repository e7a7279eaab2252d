"""What the benchmarks that bulk-insert cases share."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text

from engine.store import schema
from engine.store.tables import case_participants, open_candidates


def fill_relations(conn: Any) -> None:
    """Fill the relations the commands keep (and the tasks' case titles) for bulk-inserted rows, with the very
    statements the schema migration backfills them with."""
    path = schema.MIGRATIONS / "versions" / "0007_participants.py"
    spec = importlib.util.spec_from_file_location("backfill_0007", path)
    assert spec and spec.loader
    backfill = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(backfill)
    conn.execute(delete(open_candidates))
    conn.execute(delete(case_participants))
    for statement in (backfill.BACKFILL_TITLES, backfill.BACKFILL_OPEN, backfill.BACKFILL_PARTICIPANTS):
        conn.execute(text(statement))


def child_cpu() -> float:
    """CPU seconds used so far by this process's live children (the sandbox workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu() -> float:
    return time.process_time() + child_cpu()
