"""The embedded timer thread keeps running when one round fails."""

from __future__ import annotations

import time

from engine.scheduler import TimerThread


def test_timer_thread_survives_a_failing_round() -> None:
    calls: list[int] = []

    class FailingOnce:  # stands in for the engine: the point is an unexpected exception in a round
        def fire_timers(self) -> int:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("one bad run")
            return 1

    thread = TimerThread(FailingOnce(), interval=0.01)
    thread.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(5)
    assert not thread.is_alive() and len(calls) >= 3
