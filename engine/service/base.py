"""The core every capability of the ``Engine`` builds on: the settings, database, clock and version cache it holds,
the one-transaction runners (``_write`` retried on optimistic-lock conflicts, ``_read``), and the few helpers
several capabilities share (the acting user, a command's context, who may read a case).

Import policy: engine.cases.commands pulls in SpiffWorkflow and the definition parser, which a command-line
read such as `turnus users list` or `turnus tasks` never needs; it is imported inside the methods that run a
command, so a read pays only for what it uses (tests/unit/test_cli_read_imports.py checks it).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import IntegrityError, OperationalError

from engine import identity, logs
from engine.cases import queries
from engine.cases.external_locks import open_steps
from engine.cases.incidents import IncidentRaised, describe_failure, record_incident
from engine.cases.versions import VersionCache
from engine.clock import Clock, SystemClock
from engine.config import Settings, load_settings
from engine.errors import Busy, Conflict, Forbidden, NotFound, ScriptFailed, StaleCase, TurnusError
from engine.identity import User
from engine.runtime.budget import work_budget
from engine.store import schema
from engine.store.db import AFTER_COMMIT, is_busy, is_retryable, make_engine
from engine.store.tables import cases

if TYPE_CHECKING:
    from engine.cases import commands

T = TypeVar("T")
E = TypeVar("E", bound="EngineCore")


def _retry_or_raise(err: OperationalError) -> None:
    """Return when running the transaction again is the remedy; otherwise raise what the caller should see."""
    if is_retryable(err):
        return
    if is_busy(err):
        raise Busy() from None
    raise err


logger = logging.getLogger(__name__)


def _relay_signals(conn: Connection, now: datetime, cache: Any, source: str, thrown: list[tuple[str, str]]) -> None:
    """Deliver the signals a case threw to the other cases (engine.cases.live calls it through the connection)."""
    from engine.messaging.delivery import relay  # with SpiffWorkflow, already loaded by the command that threw

    relay(conn, now, cache, source, thrown)


class EngineCore:
    def __init__(self, db: DbEngine, clock: Clock, settings: Settings):
        self.db = db
        self.clock = clock
        self.settings = settings
        self.versions = VersionCache()
        # Set after a command commits an earlier timer or a new mail: the in-process timer thread wakes on it.
        self.wakeup = threading.Event()
        # Told (command name, seconds) after every command; the web sets it to feed /metrics (web/metrics.py).
        self.on_command: Callable[[str, float], None] | None = None

    @classmethod
    def create(cls: type[E], database_url: str | None = None, *, clock: Clock | None = None,
               settings: Settings | None = None, init: bool = True) -> E:
        settings = settings or load_settings()
        eng = cls(make_engine(database_url or settings.database_url, settings.lock_wait_seconds),
                  clock or SystemClock(), settings)
        if init:
            eng.init_schema()
        return eng

    def init_schema(self) -> str:
        return schema.upgrade(self.db)

    def close(self) -> None:
        self.db.dispose()

    # --- transactions -------------------------------------------------------------------

    def _write(self, fn: Callable[[Connection, datetime], T], *, case_id: str | None = None,
               actor: str = "system", command: dict[str, Any] | None = None) -> T:
        """Run ``fn`` in one write transaction; retry if another command changed the case meanwhile."""
        name = sys._getframe(1).f_code.co_name  # the Engine method that runs the command: a bounded label set
        with logs.bound(command=name, case_id=case_id or (command or {}).get("case_id")):
            if self.on_command is None:
                return self._write_now(fn, case_id, actor, command)
            started = time.perf_counter()
            try:
                return self._write_now(fn, case_id, actor, command)
            finally:
                self.on_command(name, time.perf_counter() - started)

    def _write_now(self, fn: Callable[[Connection, datetime], T], case_id: str | None, actor: str,
                   command: dict[str, Any] | None) -> T:
        for _ in range(self.settings.conflict_retries):
            now = self.clock.now()
            try:
                with self.db.connect().execution_options(turnus_write=True) as conn:
                    conn.info.pop("turnus_wake", None)
                    conn.info.pop(AFTER_COMMIT, None)  # conn.info outlives a transaction: the pool reuses it
                    conn.info["turnus_relay"] = _relay_signals  # engine.cases.live.RELAY (not imported: Spiff)
                    with conn.begin(), work_budget(self.settings.work_max_steps, self.settings.work_max_seconds,
                                                         self.settings.max_case_data_bytes):
                        result = fn(conn, now)
                    if conn.info.pop("turnus_wake", None):  # committed: the timer loop has something new
                        self.wakeup.set()
                    for after in conn.info.pop(AFTER_COMMIT, ()):  # committed: e.g. keep the live workflows
                        after()
                    return result
            except (StaleCase, IntegrityError):
                # Lost a race on the case row or its next event number: reload and try again.
                continue
            except OperationalError as err:
                _retry_or_raise(err)  # a deadlock or serialization failure: the loser runs again
                continue
            except TurnusError as err:
                if not isinstance(err, ScriptFailed) or command is None:
                    raise
                failure: Exception = err
            except Exception as err:  # a failure inside the workflow library
                if command is None:
                    raise
                failure = err
            info = describe_failure(failure, command)
            case_id = case_id or command.get("case_id") or (
                self._case_of_task(command["task_id"]) if "task_id" in command else None)
            if case_id is not None:
                self._record_incident(case_id, info, actor, now)
            raise IncidentRaised(info, case_id) from None
        raise Conflict("The case kept changing while this command ran; please try again", reason="kept_changing")

    def _record_incident(self, case_id: str, info: Any, actor: str, now: datetime) -> None:
        """Mark the case in a transaction of its own, retried like a command when it loses a race."""
        for _ in range(self.settings.conflict_retries):
            try:
                with self.db.connect().execution_options(turnus_write=True) as conn:
                    conn.info.pop("turnus_wake", None)
                    with conn.begin():
                        record_incident(conn, case_id, info, actor, now)
                    if conn.info.pop("turnus_wake", None):  # e.g. an incident.raised webhook delivery
                        self.wakeup.set()
                return
            except IntegrityError:
                continue
            except OperationalError as err:
                _retry_or_raise(err)
                continue
        raise Conflict("The case kept changing while its incident was recorded; please try again",
                       reason="kept_changing")

    def _read(self, fn: Callable[[Connection], T]) -> T:
        try:
            with self.db.connect() as conn, conn.begin():
                return fn(conn)
        except OperationalError as err:
            if is_busy(err) or is_retryable(err):
                raise Busy() from None
            raise

    def _user(self, conn: Connection, name: str) -> User:
        return identity.load_user(conn, name)

    # --- shared by the capabilities -----------------------------------------------------

    def _as_user(self, conn: Connection, actor: User | str) -> User:
        """A user loaded earlier in the same request (the web's signed-in user) is used as it is."""
        return actor if isinstance(actor, User) else self._user(conn, actor)

    def _ctx(self, conn: Connection, now: datetime) -> commands.Ctx:
        from engine.cases import commands

        return commands.Ctx(conn, now, self.versions)

    def _may_read(self, conn: Connection, user: User, case_id: str) -> bool:
        people, groups = queries.participants(conn, case_id)
        return identity.may_read_case(user, people, groups)

    def _readable_case(self, conn: Connection, case_id: str, actor: str | None) -> Any:
        """The case row, if ``actor`` may read it; ``None`` is the operator at the command line."""
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"No case {case_id!r}")
        if actor is not None and not self._may_read(conn, self._user(conn, actor), case_id):
            raise Forbidden(f"You do not take part in case {case_id}", reason="not_participant")
        return row

    def _case_of_task(self, task_id: str) -> str | None:
        return self._read(lambda conn: conn.execute(select(queries.tasks.c.case_id)
                                                    .where(queries.tasks.c.id == task_id)).scalar())

    def _case_view(self, conn: Connection, row: Any) -> queries.CaseView:
        version = self.versions.get(conn, row.version_id)
        if row.data_json is not None:  # written by the last command that ran the workflow: no restore
            data = json.loads(row.data_json)
        else:  # imported here: restoring needs SpiffWorkflow, which `case show` otherwise does not load
            from engine.cases import consistency, live

            if live.has_state(conn, row.id):
                data = live.case_data(live.load(conn, row, version, row.started_at, reuse=False).wf)
            else:  # imported by `audit import`: the data as its events recorded it
                data = consistency.expected_from_events(conn, row.id)["data"]
        open_rows = queries.open_tasks_of_case(conn, self.versions, row.id)
        return queries.CaseView(
            id=row.id, key=row.key, version=version.version, name=version.name, title=row.title,
            status=row.status, started_by=row.started_by, started_at=row.started_at, ended_at=row.ended_at,
            end_event=row.end_event, end_event_name=version.element_names.get(row.end_event or ""),
            # A case in an incident fires no timer until it is resolved (retry): no "next timer" to show.
            next_timer_at=None if row.incident_json else row.next_timer_at,
            next_timer_name=None if row.incident_json else row.next_timer_name,
            incident=json.loads(row.incident_json) if row.incident_json else None,
            data=data, open_tasks=open_rows, initiator_variable=version.initiator_variable,
            external_steps=open_steps(conn, row.id) if row.status == "running" else (),
        )
