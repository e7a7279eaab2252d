"""The embedded default's timer thread (TURNUS_TIMERS=thread): the timer loop of engine/worker.py inside
`turnus serve`. With TURNUS_TIMERS=workers the web processes run none and `turnus worker` processes do the work.
"""

from __future__ import annotations

import threading
from typing import Any

from engine.worker import TimerLoop


class TimerThread(threading.Thread):
    def __init__(self, engine: Any, interval: float = 30.0):
        """``interval`` is the longest sleep: the thread wakes earlier at the next due time or on a command."""
        super().__init__(name="turnus-timers", daemon=True)
        # its own waiter (made and closed by the loop), so commands of other processes (the CLI) wake it too
        self.loop = TimerLoop(engine, interval, kind="thread")

    def run(self) -> None:
        self.loop.run()

    def stop(self) -> None:
        self.loop.stop()
