"""A second Turnus process on the same database, driven line by line (tests/integration/test_live_cache.py).

Run as ``python -m tests.helpers.command_process DB_URL``. Each stdin line is a JSON command,
``{"complete": TASK_ID, "actor": NAME, "data": {...}}``; each reply line is ``{"ok": true}`` or
``{"error": "..."}``, with this process's live-workflow counts (engine/cases/live_cache.py) and how many kept
workflows the audit found differing from the stored state.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TURNUS_SPEC_CHECK_AUDIT", "1")  # before the engine is imported: every reuse is audited

from engine.cases import live_cache
from engine.clock import FixedClock
from engine.service import Engine


def main() -> None:
    engine = Engine.create(sys.argv[1], clock=FixedClock(), init=False)
    for line in sys.stdin:
        command = json.loads(line)
        reply: dict[str, object]
        try:
            engine.complete(command["complete"], command["actor"], command.get("data") or {})
            reply = {"ok": True}
        except Exception as err:  # reported to the test, which fails with it
            reply = {"error": f"{type(err).__name__}: {err}"}
        reply.update(stats=live_cache.stats, audit_missed=len(live_cache.missed))
        print(json.dumps(reply), flush=True)
    engine.close()


if __name__ == "__main__":
    main()
