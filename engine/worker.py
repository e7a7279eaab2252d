"""The timer loop shared by the embedded thread and `turnus worker` processes.

Each round fires the due cases (one transaction per case, claimed with a row lock), finds overdue tasks,
builds daily digests, sends the outbox, posts webhook deliveries and purges the access log hourly. Then it
sleeps until the earliest instant with work (one indexed query per kind of work, never a scan of the cases) or
until a command wakes it: in-process through ``Engine.wakeup``, across processes through PostgreSQL's
LISTEN/NOTIFY or, on SQLite, a once-a-second look at ``PRAGMA data_version``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from engine.errors import TurnusError
from engine.notify.outbox import WAKE_CHANNEL

log = logging.getLogger(__name__)
PURGE_EVERY = 3600.0  # seconds between access-log retention runs
SLICE = 1.0  # the longest uninterrupted wait, so a stop request is seen within a second
HEARTBEAT_EVERY = 15.0  # seconds between heartbeats, also while asleep (/readyz wants one under 60 s old)


class EventWaiter:
    """Wakes on the engine's in-process event (commands of this process)."""

    def __init__(self, engine: Any):
        self.event: threading.Event = engine.wakeup

    def wait(self, seconds: float) -> bool:
        woken = self.event.wait(seconds)
        self.event.clear()
        return woken

    def close(self) -> None:
        pass


class PgWaiter(EventWaiter):
    """Also wakes on NOTIFY from any process that commits an earlier timer or a new mail (PostgreSQL)."""

    def __init__(self, engine: Any):
        super().__init__(engine)
        self.raw = engine.db.raw_connection()
        self.pg = self.raw.driver_connection
        self.raw.commit()  # leave the pool's transaction; LISTEN must run outside one to take effect
        self.pg.autocommit = True
        self.pg.execute(f"LISTEN {WAKE_CHANNEL}")

    def wait(self, seconds: float) -> bool:
        if self.event.is_set():
            self.event.clear()
            return True
        woken = False
        for _ in self.pg.notifies(timeout=seconds, stop_after=1):
            woken = True
        for _ in self.pg.notifies(timeout=0):  # drain: many commits, one look at the database
            pass
        return woken

    def close(self) -> None:
        try:
            self.pg.execute(f"UNLISTEN {WAKE_CHANNEL}")
        finally:
            self.raw.close()


class SqliteWaiter(EventWaiter):
    """Also wakes, within a second, when another process committed to the SQLite file (a new timer or mail).

    ``PRAGMA data_version`` on a connection of its own changes whenever any other connection commits; reading
    it costs microseconds, and a change costs one round (about 2 ms at 100,000 waiting cases), so this is at
    most one round a second while other processes write. Its own round's commits cause one extra round.
    """

    def __init__(self, engine: Any):
        super().__init__(engine)
        self.raw = engine.db.raw_connection()  # autocommit (engine/store/db.py): the pragma sees every commit
        self.seen = self._version()

    def _version(self) -> int:
        return int(self.raw.driver_connection.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, seconds: float) -> bool:
        woken = super().wait(seconds)
        version = self._version()
        changed, self.seen = version != self.seen, version
        return woken or changed

    def close(self) -> None:
        self.raw.close()


def waiter_for(engine: Any) -> EventWaiter:
    """The waiter that hears other processes' commits on this database (an in-memory one has none)."""
    if engine.db.dialect.name == "postgresql":
        return PgWaiter(engine)
    if engine.db.url.database not in (None, "", ":memory:"):
        return SqliteWaiter(engine)
    return EventWaiter(engine)


class TimerLoop:
    def __init__(self, engine: Any, max_sleep: float, waiter: EventWaiter | None = None, kind: str = "worker"):
        self.engine = engine
        self.max_sleep = max_sleep
        self.waiter = waiter
        self.kind = kind  # worker (`turnus worker`) | thread (inside `turnus serve`)
        self.stopping = threading.Event()
        self._last_purge: float | None = None  # the first round purges
        self.worker_id: str | None = None
        self._work: deque[tuple[float, int]] = deque()  # (monotonic time, work done) of the last minute's rounds
        self._last_beat = 0.0

    def _count(self, done: dict[str, int]) -> None:
        now = time.monotonic()
        self._work.append((now, sum(done.values())))
        while self._work and self._work[0][0] < now - 60:
            self._work.popleft()

    def _beat(self, force: bool = False) -> None:
        """Write the heartbeat when it is due; a database that does not answer must not stop the loop."""
        if not force and time.monotonic() - self._last_beat < HEARTBEAT_EVERY:
            return
        self._last_beat = time.monotonic()
        try:
            if self.worker_id is None:
                self.worker_id = self.engine.register_worker(self.kind)
            self.engine.heartbeat(self.worker_id, sum(n for _, n in self._work), self.kind)
        except Exception as err:  # logged; the next heartbeat tries again
            log.warning("heartbeat not written: %s", err)

    def _unregister(self) -> None:
        if self.worker_id is None:
            return
        try:
            self.engine.unregister_worker(self.worker_id)
        except Exception as err:
            log.warning("heartbeat row not removed: %s", err)

    def tick(self) -> dict[str, int]:
        """One round; returns what it did (cases moved, overdue notices, digests, mails sent, webhooks delivered,
        purged)."""
        e = self.engine
        done = {"fired": e.fire_due(), "overdue": e.sweep_overdue(), "digests": e.make_digests()}
        done["sent"] = e.send_outbox().sent
        done["webhooks"] = e.deliver_webhooks().delivered
        if self._last_purge is None or time.monotonic() - self._last_purge > PURGE_EVERY:
            self._last_purge = time.monotonic()
            done["purged"] = e.purge_access_log()
        return done

    def seconds_to_next(self) -> float:
        nxt = self.engine.next_wake()
        if nxt is None:
            return self.max_sleep
        return max(0.0, min(self.max_sleep, (nxt - self.engine.clock.now()).total_seconds()))

    def run(self) -> None:
        waiter = self.waiter or waiter_for(self.engine)
        try:
            while not self.stopping.is_set():
                try:
                    done = self.tick()
                    self._count(done)
                    self._beat(force=self.worker_id is None)
                    if any(done.values()):
                        log.info("timer loop: %s", ", ".join(f"{k} {v}" for k, v in done.items() if v))
                    remaining = self.seconds_to_next()
                except TurnusError as err:
                    log.warning("timer round failed: %s", err)
                    remaining = min(self.max_sleep, 5.0)
                except Exception:  # keep the loop alive; the next round tries again
                    log.exception("timer round crashed")
                    remaining = min(self.max_sleep, 5.0)
                while remaining > 0 and not self.stopping.is_set():
                    step = min(SLICE, remaining)
                    if waiter.wait(step):
                        break
                    remaining -= step
                    self._beat()
        finally:
            self._unregister()
            if self.waiter is None:
                waiter.close()

    def stop(self) -> None:
        self.stopping.set()
        self.engine.wakeup.set()
