"""Each timer loop records a heartbeat that operators can read (issue 24): host, pid, kind, last round, and
the work of the last minute; a loop that stops cleanly removes its row."""

from __future__ import annotations

import os
import threading
import time

from engine.clock import FixedClock
from engine.service import Engine
from engine.worker import TimerLoop


def test_a_running_loop_is_listed_with_its_heartbeat_and_removed_when_it_stops(engine: Engine,
                                                                                clock: FixedClock) -> None:
    loop = TimerLoop(engine, max_sleep=0.2, kind="thread")
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not engine.workers() and time.monotonic() < deadline:
            time.sleep(0.05)
        (info,) = engine.workers()
        assert (info.kind, info.pid) == ("thread", os.getpid())
        assert info.host and info.last_beat_at == clock.now() and info.age_seconds(clock.now()) == 0
        assert engine.newest_heartbeat("thread") == clock.now() and engine.newest_heartbeat("worker") is None
    finally:
        loop.stop()
        thread.join(10)
    assert engine.workers() == []


def test_a_heartbeat_for_a_row_an_operator_removed_writes_it_again(engine: Engine, clock: FixedClock) -> None:
    worker_id = engine.register_worker("worker")
    engine.unregister_worker(worker_id)
    clock.advance(seconds=30)
    engine.heartbeat(worker_id, 7)
    (info,) = engine.workers()
    assert (info.id, info.kind, info.work_last_minute, info.last_beat_at) == (worker_id, "worker", 7, clock.now())
