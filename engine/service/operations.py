"""The Engine's figures for operators: what /metrics exports and what /readyz checks. Every figure is read from
the database, so every web process and worker tells the same truth; each is one count on an index (open
incidents: a scan of the running cases' rows, which the status index narrows)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, text

from engine.service.base import EngineCore
from engine.store import schema
from engine.store.tables import cases, outbox, tasks, worker_heartbeats


@functools.cache
def _head() -> str:
    return schema.head_revision()  # the migration files of this installation: read once per process


@dataclass(frozen=True)
class Figures:
    incidents_open: int
    cases: dict[str, int]  # by status
    tasks_open: int
    tasks_overdue: int
    outbox_pending: int
    outbox_failed: int
    timers_due: int
    heartbeat_age_seconds: float | None  # of the newest heartbeat of any timer loop; None: no loop has run


class OperationsQueries(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py): figures and readiness."""

    def figures(self, now: datetime | None = None) -> Figures:
        at = now or self.clock.now()

        def run(conn: Connection) -> Figures:
            def count(query: object) -> int:
                return int(conn.execute(query).scalar() or 0)  # type: ignore[call-overload]

            by_status = dict(conn.execute(select(cases.c.status, func.count()).group_by(cases.c.status)).all())
            beat = conn.execute(select(func.max(worker_heartbeats.c.last_beat_at))).scalar()
            return Figures(
                incidents_open=count(select(func.count()).select_from(cases).where(
                    cases.c.status == "running", cases.c.incident_json.is_not(None))),
                cases={s: int(n) for s, n in by_status.items()},
                tasks_open=count(select(func.count()).select_from(tasks).where(tasks.c.state == "open")),
                tasks_overdue=count(select(func.count()).select_from(tasks).where(
                    tasks.c.state == "open", tasks.c.due_at < at)),
                outbox_pending=count(select(func.count()).select_from(outbox).where(
                    outbox.c.status.in_(("pending", "sending")))),
                outbox_failed=count(select(func.count()).select_from(outbox).where(outbox.c.status == "failed")),
                timers_due=count(select(func.count()).select_from(cases).where(
                    cases.c.next_timer_at <= at, cases.c.incident_json.is_(None))),
                heartbeat_age_seconds=max(0.0, (at - beat).total_seconds()) if beat else None,
            )
        return self._read(run)

    def readiness(self, max_heartbeat_age: float = 60.0) -> dict[str, str]:
        """What is not ready, by check (empty: ready): the database answers, the schema is at the newest
        migration, and with TURNUS_TIMERS=workers some worker's heartbeat is recent."""
        failed: dict[str, str] = {}
        try:
            with self.db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as err:  # whatever the driver says, the load balancer only needs "not ready"
            return {"database": f"does not answer ({type(err).__name__})"}
        current, head = schema.current_revision(self.db), _head()
        if current != head:
            failed["schema"] = f"at {current or 'nothing'}, not at {head} (run `turnus init`)"
        if self.settings.timers == "workers":
            beat = self._read(lambda conn: conn.execute(select(func.max(worker_heartbeats.c.last_beat_at))
                                                        .where(worker_heartbeats.c.kind == "worker")).scalar())
            age = (self.clock.now() - beat).total_seconds() if beat else None
            if age is None or age > max_heartbeat_age:
                failed["workers"] = ("no worker has run" if age is None
                                     else f"the newest worker heartbeat is {age:.0f} s old")
        return failed
