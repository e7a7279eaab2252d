"""The embedded timer thread fires due timers by itself."""

from __future__ import annotations

import time
from datetime import timedelta

from engine.clock import FixedClock
from engine.scheduler import TimerThread
from engine.service import Engine
from tests.helpers.support import PROCESSES


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


def test_timer_thread_purges_the_access_log_past_retention(engine: Engine, clock: FixedClock) -> None:
    engine.deploy_paths([PROCESSES / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("timers", "rita", {})
    engine.case(case_id, "rita", purpose="case work")  # one access-log row, now old enough to go
    clock.set(clock.now() + timedelta(days=engine.settings.access_log_retention_days + 1))
    thread = TimerThread(engine, interval=0.05)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not engine.access_log(None, action="purge_access_log")[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
        thread.join(5)
    assert engine.access_log(None, actor="rita", action="read_case") == ([], 0)
    [purge] = engine.access_log(None, action="purge_access_log")[0]
    assert (purge.actor, purge.object.split()[0], purge.purpose) == ("system", "1", "retention of 183 days")


def test_timer_thread_sleeping_long_is_woken_by_a_command(engine: Engine, clock: FixedClock) -> None:
    """The thread sleeps until the earliest due time (here an hour away, on a fixed clock) and wakes early when
    a command commits something new: no polling of the cases."""
    engine.deploy_paths([PROCESSES / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    first = engine.start("timers", "rita", {})
    thread = TimerThread(engine, interval=3600)
    thread.start()
    try:
        clock.set(clock.now() + timedelta(hours=1, seconds=1))  # due now, but nobody told the thread
        engine.start("timers", "rita", {})  # a command that commits a timer: the thread wakes and fires
        deadline = time.monotonic() + 20
        while not engine.tasks_for("rita") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
        thread.join(5)
    assert not thread.is_alive()
    assert [t.case_id for t in engine.tasks_for("rita")] == [first]
