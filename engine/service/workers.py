"""The Engine's record of its timer loops: each `turnus worker` process and each timer thread inside `turnus serve`
writes a heartbeat, so operators (the console, /readyz, /metrics) can see which are alive and what they did."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from engine.service.base import EngineCore
from engine.store.tables import worker_heartbeats


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    kind: str  # worker | thread
    host: str
    pid: int
    started_at: datetime
    last_beat_at: datetime
    work_last_minute: int

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.last_beat_at).total_seconds())


class WorkerRecords(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py): the timer loops' heartbeats."""

    def register_worker(self, kind: str) -> str:
        """A new row for this loop (host and process id of the caller); returns its id."""
        worker_id = str(uuid.uuid4())
        now = self.clock.now()
        self._write(lambda conn, _now: conn.execute(insert(worker_heartbeats).values(
            id=worker_id, kind=kind, host=socket.gethostname()[:200], pid=os.getpid(), started_at=now,
            last_beat_at=now, work_last_minute=0)))
        return worker_id

    def heartbeat(self, worker_id: str, work_last_minute: int, kind: str = "worker") -> None:
        """Record a round; a row removed meanwhile (an operator's clean-up) is written again."""
        def run(conn: Connection, now: datetime) -> None:
            done = conn.execute(update(worker_heartbeats).where(worker_heartbeats.c.id == worker_id)
                                .values(last_beat_at=now, work_last_minute=work_last_minute)).rowcount
            if not done:
                conn.execute(insert(worker_heartbeats).values(
                    id=worker_id, kind=kind, host=socket.gethostname()[:200], pid=os.getpid(),
                    started_at=now, last_beat_at=now, work_last_minute=work_last_minute))
        self._write(run)

    def unregister_worker(self, worker_id: str) -> None:
        self._write(lambda conn, _now: conn.execute(delete(worker_heartbeats)
                                                     .where(worker_heartbeats.c.id == worker_id)))

    def workers(self) -> list[WorkerInfo]:
        """Every loop that has a row, the most recent heartbeat first."""
        rows = self._read(lambda conn: conn.execute(
            select(worker_heartbeats).order_by(worker_heartbeats.c.last_beat_at.desc())).all())
        return [WorkerInfo(r.id, r.kind, r.host, r.pid, r.started_at, r.last_beat_at, r.work_last_minute)
                for r in rows]

    def newest_heartbeat(self, kind: str | None = None) -> datetime | None:
        """The last heartbeat of any loop (of ``kind``, if given): one indexed read for /readyz and /metrics."""
        query = select(worker_heartbeats.c.last_beat_at).order_by(worker_heartbeats.c.last_beat_at.desc()).limit(1)
        if kind is not None:
            query = query.where(worker_heartbeats.c.kind == kind)
        return self._read(lambda conn: conn.execute(query).scalar())
