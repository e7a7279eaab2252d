"""The operator's console on the running machinery: the timer loops (worker processes and the thread inside
`turnus serve`, from their heartbeats) and the timers due and overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from engine.cases import timer_queries
from engine.service.admin import _require_admin
from engine.service.base import EngineCore
from engine.service.workers import WorkerInfo


class AdminOperations(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def worker_overview(self, actor: str) -> list[WorkerInfo]:
        """Every timer loop with its host, pid, start, last heartbeat and work in the last minute."""
        self._read(lambda conn: _require_admin(self._user(conn, actor)))
        return self.workers()  # type: ignore[attr-defined]  (WorkerRecords, beside this class in Engine)

    def timers_due(self, actor: str, within: timedelta = timedelta(hours=1)) -> list[timer_queries.TimerRow]:
        """Timers due now or within ``within``, earliest first; overdue ones are a minute past their instant."""
        until = self.clock.now() + within

        def run(conn: Connection) -> list[timer_queries.TimerRow]:
            _require_admin(self._user(conn, actor))
            return timer_queries.due_timers(conn, until)
        return self._read(run)
