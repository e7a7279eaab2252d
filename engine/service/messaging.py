"""The Engine's message and signal commands (issue 12); each delivery is one transaction under the work budget.

Delivery and the variable-name rule (engine.definitions.camunda, lxml) are imported by the commands that use
them: every command imports this module through ``Engine``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine import identity
from engine.cases import subscriptions
from engine.cases.incidents import IncidentRaised
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.identity import User
from engine.messaging import starts
from engine.service.base import EngineCore
from engine.store.tables import cases

MAX_PAYLOAD_BYTES = 65_536


@dataclass(frozen=True)
class Delivery:
    case_id: str
    started: bool  # a new case was started by the event
    elements: tuple[str, ...] = ()  # the elements that caught it
    incident: str | None = None  # set when this case's delivery failed (an incident is recorded)


def _checked(name: str, data: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    from engine.definitions.camunda import NAME_RE

    if not name or len(name) > 200 or name != name.strip():
        raise InvalidInput(f"Give the {what}'s name as written in the model (1 to 200 characters)")
    values = dict(data or {})
    for key in values:
        if not NAME_RE.match(key):
            raise InvalidInput(f"{what.capitalize()} data key {key!r} is not a variable name (letters, digits and "
                               "_; it may not start with _ or a digit)")
    if len(json.dumps(values)) > MAX_PAYLOAD_BYTES:
        raise InvalidInput(f"{what.capitalize()} data is larger than {MAX_PAYLOAD_BYTES:,} bytes")
    return values


class MessagingCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def _sender(self, conn: Connection, actor: str) -> User:
        user = self._user(conn, actor)
        if not identity.may_send_events(user):
            raise Forbidden(f"{actor} may not send messages or signals (needs the admin or integration role)",
                            reason="events_not_allowed")
        return user

    def send_message(self, name: str, actor: str, *, case_id: str | None = None, business_key: str | None = None,
                     data: Mapping[str, Any] | None = None) -> Delivery:
        """Deliver message ``name`` to the case waiting for it (by case id or business key), or start a case of
        the process whose start event it is. Refused, changing nothing, when no case or process takes it."""
        from engine.messaging import delivery

        values = _checked(name, data, "message")
        if case_id is not None and business_key is not None:
            raise InvalidInput("Give either a case id or a business key, not both")

        def run(conn: Connection, now: datetime) -> Delivery:
            user = self._sender(conn, actor)
            ctx = self._ctx(conn, now)
            if case_id is not None:
                return self._to_case(ctx, case_id, name, values, actor)
            waiting = subscriptions.waiting_cases(conn, "message", name, business_key=business_key)
            if business_key is not None and len(waiting) > 1:
                raise Conflict(f"{len(waiting)} cases with business key {business_key!r} wait for message "
                               f"'{name}': send it to one of them with --case ({', '.join(waiting[:5])})")
            if business_key is not None and waiting:
                return self._to_case(ctx, waiting[0], name, values, actor)
            versions = starts.started_by(conn, ctx.cache, "message", name)
            if len(versions) > 1:
                raise Conflict(f"Message '{name}' starts several processes ({', '.join(v.key for v in versions)}); "
                               "rename the message in all but one")
            if not versions:
                if waiting:
                    raise InvalidInput(f"{len(waiting)} case(s) wait for message '{name}': say which with --case "
                                       "or --business-key")
                keyed = f" with business key {business_key!r}" if business_key is not None else ""
                raise NotFound(f"No case{keyed} waits for message '{name}', and no process starts with it")
            started = delivery.start_by(ctx, user, versions[0], "message", name, values, business_key)
            return Delivery(started, True, ())

        command = {"kind": "message", "name": name, "data": values}
        return self._write(run, case_id=case_id, actor=actor, command=command)

    def _to_case(self, ctx: Any, case_id: str, name: str, values: dict[str, Any], actor: str) -> Delivery:
        from engine.messaging import delivery

        status = ctx.conn.execute(select(cases.c.status).where(cases.c.id == case_id)).scalar()
        if status is None:
            raise NotFound(f"No case {case_id!r}")
        if status != "running":
            raise Conflict(f"Case {case_id} is {status}; it takes no more messages")
        caught = delivery.deliver(ctx, case_id, "message", name, values, actor)
        if not caught:
            raise Conflict(f"Case {case_id} is not waiting for message '{name}' now")
        return Delivery(case_id, False, tuple(caught))

    def send_signal(self, name: str, actor: str, data: Mapping[str, Any] | None = None) -> list[Delivery]:
        """Broadcast signal ``name`` to every case waiting for it and start every process it starts: one
        transaction per case, so a case whose model fails gets an incident and the others still receive it."""
        from engine.messaging import delivery

        values = _checked(name, data, "signal")

        def targets(conn: Connection) -> tuple[list[str], list[Any]]:
            self._sender(conn, actor)
            return (subscriptions.waiting_cases(conn, "signal", name),
                    starts.started_by(conn, self.versions, "signal", name))
        waiting, versions = self._read(targets)
        command = {"kind": "signal", "name": name, "data": values}
        results: list[Delivery] = []
        for case_id in waiting:
            def deliver(conn: Connection, now: datetime, cid: str = case_id) -> list[str]:
                self._sender(conn, actor)
                return delivery.deliver(self._ctx(conn, now), cid, "signal", name, values, actor)
            try:
                caught = self._write(deliver, case_id=case_id, actor=actor, command=command)
            except IncidentRaised as err:
                results.append(Delivery(case_id, False, (), str(err)))
                continue
            if caught:  # a case that stopped waiting meanwhile is left out
                results.append(Delivery(case_id, False, tuple(caught)))
        for version in versions:
            def start(conn: Connection, now: datetime, v: Any = version) -> str:
                user = self._sender(conn, actor)
                return delivery.start_by(self._ctx(conn, now), user, v, "signal", name, values)
            try:
                results.append(Delivery(self._write(start, actor=actor, command=command), True))
            except IncidentRaised as err:
                results.append(Delivery("-", True, (), str(err)))
        return results
