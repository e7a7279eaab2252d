"""The embedded timer thread keeps running when one round fails."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine

from engine.scheduler import TimerThread


def test_timer_thread_survives_a_failing_round() -> None:
    calls: list[int] = []

    class FailingOnce:  # stands in for the engine: the point is an unexpected exception in a round
        wakeup = threading.Event()
        db = create_engine("sqlite://")  # in memory, never connected: the loop waits on the event alone

        class clock:
            @staticmethod
            def now() -> datetime:
                return datetime(2027, 1, 1, tzinfo=UTC)

        def fire_due(self) -> int:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("one bad run")
            return 1

        def sweep_overdue(self) -> int:
            return 0

        def make_digests(self) -> int:
            return 0

        def send_outbox(self) -> object:
            return type("Report", (), {"sent": 0})()

        def deliver_webhooks(self) -> object:
            return type("Report", (), {"delivered": 0})()

        def purge_access_log(self) -> int:
            return 0

        def next_wake(self) -> datetime:
            return datetime(2027, 1, 1, tzinfo=UTC)  # always due: the loop goes round at once

    thread = TimerThread(FailingOnce(), interval=0.01)
    thread.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(5)
    assert not thread.is_alive() and len(calls) >= 3
