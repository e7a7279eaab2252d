"""The Engine's commands on cases and tasks: start, complete, claim, release, assign, drafts, comments, cancel,
timers and the retry of an incident. Each is one transaction (``EngineCore._write``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine import identity
from engine.cases import timers as timer_cmds
from engine.cases.incidents import IncidentRaised, refuse_uncaught_retry
from engine.errors import Conflict, Forbidden, NotFound
from engine.service.base import EngineCore
from engine.store.tables import cases


@dataclass
class TimerRun:
    moved: int = 0
    incidents: list[tuple[str, str]] = field(default_factory=list)  # (case id, what happened)


class CaseCommands(EngineCore):
    def start(self, key: str, actor: str, data: Mapping[str, Any] | None = None,
              business_key: str | None = None) -> str:
        from engine.cases import commands

        return self._write(lambda conn, now: commands.start(
            self._ctx(conn, now), self._user(conn, actor), key, dict(data or {}), business_key),
            actor=actor, command={"kind": "start"})

    def complete(self, task_id: str, actor: str, data: Mapping[str, Any] | None = None) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.complete(self._ctx(conn, now), self._user(conn, actor),
                                                        task_id, dict(data or {})),
                    actor=actor,
                    command={"kind": "complete", "task_id": task_id, "actor": actor, "data": dict(data or {})})

    def claim(self, task_id: str, actor: str) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.claim(self._ctx(conn, now), self._user(conn, actor), task_id))

    def release(self, task_id: str, actor: str) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.release(self._ctx(conn, now), self._user(conn, actor), task_id))

    def assign(self, task_id: str, actor: str, to_user: str) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.assign(self._ctx(conn, now), self._user(conn, actor),
                                                      task_id, to_user))

    def save_draft(self, task_id: str, actor: str, data: Mapping[str, Any]) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.save_draft(self._ctx(conn, now), self._user(conn, actor),
                                                          task_id, dict(data)))

    def comment(self, case_id: str, actor: str, text: str) -> None:
        from engine.cases import commands

        def run(conn: Connection, now: datetime) -> None:
            user = self._user(conn, actor)
            commands.comment(self._ctx(conn, now), user, case_id, text, self._may_read(conn, user, case_id))
        self._write(run)

    def cancel(self, case_id: str, actor: str, reason: str) -> None:
        from engine.cases import commands

        self._write(lambda conn, now: commands.cancel(self._ctx(conn, now), self._user(conn, actor),
                                                      case_id, reason), case_id=case_id, actor=actor,
                    command={"kind": "cancel"})

    def fire_timers(self, now: datetime | None = None) -> int:
        """Fire every timer due at ``now`` (default: the clock); returns how many cases moved."""
        return self.run_timers(now).moved

    def run_timers(self, now: datetime | None = None) -> TimerRun:
        """Fire every timer due at ``now``: how many cases moved, and the incidents raised on the way (each case
        is its own transaction, so one case's incident does not stop the others)."""
        at = now or self.clock.now()
        due = self._read(lambda conn: timer_cmds.due_cases(conn, at))
        run = TimerRun()
        for case_id in due:
            try:
                if self._write(lambda conn, _now, cid=case_id: timer_cmds.fire(self._ctx(conn, at), cid),
                               case_id=case_id, command={"kind": "timers", "now": at.isoformat()}):
                    run.moved += 1
            except IncidentRaised as err:
                run.incidents.append((case_id, str(err)))
        return run

    def retry(self, case_id: str, actor: str) -> None:
        """Run the command that raised the case's incident again."""
        def incident(conn: Connection) -> dict[str, Any]:
            user = self._user(conn, actor)
            if not user.has_role("admin") or not identity.may_mutate(user):
                raise Forbidden("Only an administrator may retry an incident", reason="admin_only")
            row = conn.execute(select(cases.c.incident_json).where(cases.c.id == case_id)).first()
            if row is None:
                raise NotFound(f"No case {case_id!r}")
            if not row.incident_json:
                raise Conflict(f"Case {case_id} has no incident to retry")
            return json.loads(row.incident_json)["command"]
        command = self._read(incident)
        refuse_uncaught_retry(command)
        if command["kind"] == "complete":
            self.complete(command["task_id"], command["actor"], command["data"])
        elif command["kind"] == "timers":
            self._write(lambda conn, now: timer_cmds.fire(self._ctx(conn, now), case_id, resolve_by=actor),
                        case_id=case_id, command=command)
        elif command["kind"] in ("external_complete", "external_task"):
            from engine.cases import external

            def run(conn: Connection, now: datetime) -> None:
                ctx = self._ctx(conn, now)
                if command["kind"] == "external_task":
                    external.retry_failed(ctx, case_id, command["external_task_id"])
                else:
                    external.complete(ctx, self._user(conn, command["actor"]), command["external_task_id"], None,
                                      command["data"])
            self._write(run, case_id=case_id, actor=actor, command=command)
        else:
            raise Conflict(f"An incident raised by {command['kind']!r} cannot be retried")
