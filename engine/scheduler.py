"""The embedded default's timer loop: a daemon thread that fires due timers every few seconds.

Scale-out runs `turnus timers run` from cron or a systemd timer instead (several web processes
may also each run this thread: a case's timers fire once, because firing is an ordinary command
guarded by the case's version).
"""

from __future__ import annotations

import logging
import threading
import time

from engine.errors import TurnusError

log = logging.getLogger(__name__)
PURGE_EVERY = 3600.0  # seconds between access-log retention runs


class TimerThread(threading.Thread):
    def __init__(self, engine: object, interval: float = 30.0):
        super().__init__(name="turnus-timers", daemon=True)
        self.engine = engine
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        last_purge: float | None = None  # the first round purges (monotonic time may start near 0 after boot)
        while not self._stop_event.wait(self.interval):
            try:
                moved = self.engine.fire_timers()  # type: ignore[attr-defined]
                if moved:
                    log.info("timers moved %d case(s)", moved)
                if last_purge is None or time.monotonic() - last_purge > PURGE_EVERY:  # access-log retention, hourly
                    last_purge = time.monotonic()
                    purged = self.engine.purge_access_log()  # type: ignore[attr-defined]
                    if purged:
                        log.info("access log: %d entries past retention deleted", purged)
            except TurnusError as err:
                log.warning("timer run failed: %s", err)
            except Exception:  # keep the loop alive; the next round tries again
                log.exception("timer run crashed")

    def stop(self) -> None:
        self._stop_event.set()
