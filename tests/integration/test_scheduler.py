"""The embedded timer thread fires due timers by itself."""

from __future__ import annotations

import time
from datetime import timedelta

from engine.clock import FixedClock
from engine.scheduler import TimerThread
from engine.service import Engine
from tests.integration.support import PROCESSES


def test_timer_thread_fires_due_timers(engine: Engine, clock: FixedClock) -> None:
    engine.deploy_paths([PROCESSES / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("timers", "rita", {})
    clock.set(clock.now() + timedelta(hours=1, seconds=1))
    thread = TimerThread(engine, interval=0.05)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not engine.tasks_for("rita") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
        thread.join(5)
    assert [t.case_id for t in engine.tasks_for("rita")] == [case_id]
