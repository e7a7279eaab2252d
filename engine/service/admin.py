"""The operator's console on the engine: open incidents and the three ways out of one (retry, correct the data
and retry, cancel the case). Each action names the incident the administrator saw (its token), gives a reason
that goes into the case history, and runs in one transaction; when another administrator acted first it is
refused with a Conflict and changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from engine import identity
from engine.cases import incident_queries as iq
from engine.cases import timers as timer_cmds
from engine.cases.incidents import refuse_uncaught_retry
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.identity import User
from engine.service.base import EngineCore

MAX_REASON = 1000


def _require_admin(user: User) -> None:
    if not identity.may_administer(user):
        raise Forbidden("Only an administrator may use the operator's console", reason="admin_only")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason: it is written into the case history", reason="admin_reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"A reason can be at most {MAX_REASON} characters", reason="admin_reason_long",
                           count=MAX_REASON)
    return reason


class AdminIncidents(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def incidents(self, actor: str, *, process: str | None = None, element: str | None = None,
                  older_than_hours: float | None = None) -> list[iq.OpenIncident]:
        """Open incidents, newest first; filtered by process key, element id, and age of the incident."""
        def run(conn: Connection) -> list[iq.OpenIncident]:
            _require_admin(self._user(conn, actor))
            return iq.open_incidents(conn)
        found = self._read(run)
        cutoff = self.clock.now() - timedelta(hours=older_than_hours) if older_than_hours else None
        return [i for i in found if (not process or i.key == process) and (not element or i.element_id == element)
                and (cutoff is None or (i.raised_at is not None and i.raised_at <= cutoff))]

    def incident_count(self, actor: str) -> int:
        def run(conn: Connection) -> int:
            _require_admin(self._user(conn, actor))
            return iq.count_open(conn)
        return self._read(run)

    def incident(self, case_id: str, actor: str) -> iq.OpenIncident | None:
        """The case's open incident, or None when it has none (any more)."""
        def run(conn: Connection) -> iq.OpenIncident | None:
            _require_admin(self._user(conn, actor))
            found = iq.open_incidents(conn, case_id)
            return found[0] if found else None
        return self._read(run)

    def _incident_command(self, case_id: str, actor: str, token: str, reason: str) -> dict[str, Any]:
        def run(conn: Connection) -> dict[str, Any]:
            _require_admin(self._user(conn, actor))
            return iq.still_open(conn, case_id, token)[1]
        _reason(reason)
        return self._read(run)

    def retry_incident(self, case_id: str, actor: str, token: str, reason: str) -> None:
        """Run the command that raised the incident again; a new failure records a new incident."""
        from engine.cases import commands, external

        command = self._incident_command(case_id, actor, token, reason)
        refuse_uncaught_retry(command)
        if command["kind"] not in ("complete", "timers", "external_complete", external.INCIDENT_KIND):
            raise Conflict(f"An incident raised by {command['kind']!r} cannot be retried; cancel the case",
                           reason="incident_not_retriable", command=command["kind"])

        def run(conn: Connection, now: datetime) -> None:
            iq.still_open(conn, case_id, token)  # again, inside the transaction: someone may have just acted
            iq.note(conn, case_id, "incident_retried", actor, now, reason=_reason(reason))
            ctx = self._ctx(conn, now)
            if command["kind"] == "complete":
                commands.complete(ctx, self._user(conn, command["actor"]), command["task_id"], command["data"])
            elif command["kind"] == "external_complete":  # the worker's data again, its lock long gone
                external.complete(ctx, self._user(conn, command["actor"]), command["external_task_id"], None,
                                  command["data"])
            elif command["kind"] == external.INCIDENT_KIND:  # Camunda's "set retries": fetchable again
                external.retry_failed(ctx, case_id, command["external_task_id"])
            else:
                timer_cmds.fire(ctx, case_id, resolve_by=actor)
        self._write(run, case_id=case_id, actor=actor, command=command)

    def correct_and_retry(self, case_id: str, actor: str, token: str, data: Mapping[str, Any],
                          reason: str) -> None:
        """``case set-data`` with the corrected values, then the failed command again, in one transaction."""
        from engine.cases import commands, data_edit, external

        values = data_edit.checked_values(data)
        command = self._incident_command(case_id, actor, token, reason)
        refuse_uncaught_retry(command)

        def run(conn: Connection, now: datetime) -> None:
            iq.still_open(conn, case_id, token)
            ctx = self._ctx(conn, now)
            data_edit.set_data(ctx, self._user(conn, actor), case_id, values, _reason(reason))
            if command["kind"] == "complete":  # the corrected values win over what the form had sent
                commands.complete(ctx, self._user(conn, command["actor"]), command["task_id"],
                                  {**command["data"], **values})
            elif command["kind"] == "external_complete":
                external.complete(ctx, self._user(conn, command["actor"]), command["external_task_id"], None,
                                  {**command["data"], **values})
            elif command["kind"] == "timers":
                timer_cmds.fire(ctx, case_id)  # set-data already ran the due timers; this fires any left
        self._write(run, case_id=case_id, actor=actor, command=command)

    def cancel_incident_case(self, case_id: str, actor: str, token: str, reason: str) -> None:
        from engine.cases import commands

        self._incident_command(case_id, actor, token, reason)

        def run(conn: Connection, now: datetime) -> None:
            iq.still_open(conn, case_id, token)
            commands.cancel(self._ctx(conn, now), self._user(conn, actor), case_id, _reason(reason))
        self._write(run, case_id=case_id, actor=actor)
