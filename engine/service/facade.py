"""The composition root: ``Engine`` wires settings, database, clock and sandbox, and runs each
command in exactly one transaction (retried on optimistic-lock conflicts).

Web and CLI talk only to this class.

Import policy: engine.cases.commands pulls in SpiffWorkflow and the definition parser, which a command-line
read such as `turnus users list` or `turnus tasks` never needs; it is imported inside the methods that run a
command, so a read pays only for what it uses (tests/unit/test_cli_read_imports.py checks it).
engine.cases.timers and engine.cases.incidents keep their own heavy imports inside their functions.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import IntegrityError, OperationalError

from engine import audit, identity
from engine.cases import queries
from engine.cases import timers as timer_cmds
from engine.cases.incidents import IncidentRaised, describe_failure, record_incident
from engine.cases.versions import DeployResult, VersionCache, deploy_bundles
from engine.clock import Clock, SystemClock
from engine.config import Settings, load_settings
from engine.errors import (
    Busy,
    Conflict,
    Forbidden,
    NotFound,
    ScriptFailed,
    StaleCase,
    TurnusError,
)
from engine.forms import FormSchema
from engine.identity import User
from engine.runtime.budget import work_budget
from engine.service.audit import AuditQueries
from engine.service.data import DataCommands
from engine.service.definitions import DefinitionCommands
from engine.service.messaging import MessagingCommands
from engine.service.notify import NotifyCommands
from engine.service.pages import PageQueries
from engine.service.sessions import SessionCommands
from engine.service.users import UserCommands
from engine.store import schema
from engine.store.db import is_busy, is_retryable, make_engine
from engine.store.tables import cases

if TYPE_CHECKING:
    from engine.cases import commands

T = TypeVar("T")


def _retry_or_raise(err: OperationalError) -> None:
    """Return when running the transaction again is the remedy; otherwise raise what the caller should see."""
    if is_retryable(err):
        return
    if is_busy(err):
        raise Busy() from None
    raise err
logger = logging.getLogger(__name__)


class Engine(DefinitionCommands, DataCommands, MessagingCommands, NotifyCommands, AuditQueries, SessionCommands,
             PageQueries, UserCommands):
    def __init__(self, db: DbEngine, clock: Clock, settings: Settings):
        self.db = db
        self.clock = clock
        self.settings = settings
        self.versions = VersionCache()
        # Set after a command commits an earlier timer or a new mail: the in-process timer thread wakes on it.
        self.wakeup = threading.Event()

    @classmethod
    def create(cls, database_url: str | None = None, *, clock: Clock | None = None,
               settings: Settings | None = None, init: bool = True) -> Engine:
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
        for _ in range(self.settings.conflict_retries):
            now = self.clock.now()
            try:
                with self.db.connect().execution_options(turnus_write=True) as conn:
                    conn.info.pop("turnus_wake", None)
                    with conn.begin(), work_budget(self.settings.work_max_steps, self.settings.work_max_seconds):
                        result = fn(conn, now)
                    if conn.info.pop("turnus_wake", None):  # committed: the timer loop has something new
                        self.wakeup.set()
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
                with self.db.connect().execution_options(turnus_write=True) as conn, conn.begin():
                    record_incident(conn, case_id, info, actor, now)
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

    # --- definitions and users ----------------------------------------------------------

    def deploy_files(self, files: Mapping[str, bytes], actor: str) -> list[DeployResult]:
        from engine.definitions import load_bundles

        bundles = load_bundles(files)  # parse and lint before touching the database
        return self._write(lambda conn, now: self._deploy(conn, now, bundles, actor))

    def deploy_paths(self, paths: Sequence[Path | str], actor: str) -> list[DeployResult]:
        from engine.definitions import load_paths

        bundles = load_paths([Path(p) for p in paths])
        return self._write(lambda conn, now: self._deploy(conn, now, bundles, actor))

    def _deploy(self, conn: Connection, now: datetime, bundles: list[Any], actor: str) -> list[DeployResult]:
        if actor != "system" and not identity.may_deploy(self._user(conn, actor)):
            raise Forbidden(f"{actor} may not deploy definitions (needs the process-owner or admin role)",
                            reason="process_owner_only")
        return deploy_bundles(conn, bundles, actor, now)

    # --- commands -----------------------------------------------------------------------

    def _ctx(self, conn: Connection, now: datetime) -> commands.Ctx:
        from engine.cases import commands

        return commands.Ctx(conn, now, self.versions)

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
        at = now or self.clock.now()
        due = self._read(lambda conn: timer_cmds.due_cases(conn, at))
        fired = 0
        for case_id in due:
            try:
                if self._write(lambda conn, _now, cid=case_id: timer_cmds.fire(self._ctx(conn, at), cid),
                               case_id=case_id, command={"kind": "timers", "now": at.isoformat()}):
                    fired += 1
            except IncidentRaised:
                continue  # recorded on the case; the other cases still fire
        return fired

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
        if command["kind"] == "complete":
            self.complete(command["task_id"], command["actor"], command["data"])
        elif command["kind"] == "timers":
            self._write(lambda conn, now: timer_cmds.fire(self._ctx(conn, now), case_id, resolve_by=actor),
                        case_id=case_id, command=command)
        else:
            raise Conflict(f"An incident raised by {command['kind']!r} cannot be retried")

    def _case_of_task(self, task_id: str) -> str | None:
        return self._read(lambda conn: conn.execute(select(queries.tasks.c.case_id)
                                                    .where(queries.tasks.c.id == task_id)).scalar())

    # --- queries ------------------------------------------------------------------------

    def _may_read(self, conn: Connection, user: User, case_id: str) -> bool:
        people, groups = queries.participants(conn, case_id)
        return identity.may_read_case(user, people, groups)

    def tasks_for(self, actor: str, scope: str = "workable") -> list[queries.TaskView]:
        return self._read(lambda conn: queries.tasks_for(conn, self.versions, self._user(conn, actor),
                                                         scope=scope))

    def task(self, task_id: str, actor: str) -> queries.TaskView:
        from engine.cases import commands

        def run(conn: Connection) -> queries.TaskView:
            user = self._user(conn, actor)
            view = queries.task_view(conn, self.versions, task_id)
            if view is None:
                raise NotFound(f"No task {task_id!r}")
            row = commands.task_row(conn, task_id)
            access = commands.access_of(conn, row, self.versions)
            if not (identity.may_see_task(user, access) or row.completed_by == actor
                    or (self._may_read(conn, user, view.case_id) and row.state != "open")):
                raise Forbidden(f"Task {task_id} is not yours to see", reason="task_not_visible")
            return dataclasses.replace(view, barred=access.barred)
        return self._read(run)

    def _readable_case(self, conn: Connection, case_id: str, actor: str | None) -> Any:
        """The case row, if ``actor`` may read it; ``None`` is the operator at the command line."""
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"No case {case_id!r}")
        if actor is not None and not self._may_read(conn, self._user(conn, actor), case_id):
            raise Forbidden(f"You do not take part in case {case_id}", reason="not_participant")
        return row

    def case(self, case_id: str, actor: str | None, purpose: str = "case work") -> queries.CaseView:
        def run(conn: Connection, now: datetime) -> queries.CaseView:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor or "operator", "read_case", case_id, purpose, row.started_by, now)
            return self._case_view(conn, row)
        return self._write(run)

    def _case_view(self, conn: Connection, row: Any) -> queries.CaseView:
        version = self.versions.get(conn, row.version_id)
        if row.data_json is not None:  # written by the last command that ran the workflow: no restore
            data = json.loads(row.data_json)
        else:  # imported here: restoring needs SpiffWorkflow, which `case show` otherwise does not load
            from engine.cases import consistency, live

            if live.has_state(conn, row.id):
                data = live.case_data(live.load(conn, row, version, row.started_at).wf)
            else:  # imported by `audit import`: the data as its events recorded it
                data = consistency.expected_from_events(conn, row.id)["data"]
        open_rows = [t for t in queries.tasks_for_case(conn, self.versions, row.id) if t.state == "open"]
        return queries.CaseView(
            id=row.id, key=row.key, version=version.version, name=version.name, title=row.title,
            status=row.status, started_by=row.started_by, started_at=row.started_at, ended_at=row.ended_at,
            end_event=row.end_event, end_event_name=version.element_names.get(row.end_event or ""),
            next_timer_at=row.next_timer_at, next_timer_name=row.next_timer_name,
            incident=json.loads(row.incident_json) if row.incident_json else None,
            data=data, open_tasks=open_rows, initiator_variable=version.initiator_variable,
        )

    def history(self, case_id: str, actor: str | None, purpose: str = "case work") -> list[queries.EventView]:
        def run(conn: Connection, now: datetime) -> list[queries.EventView]:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor or "operator", "read_history", case_id, purpose, row.started_by, now)
            return queries.history(conn, self.versions, case_id)
        return self._write(run)

    def cases_for(self, actor: User | str, status: str | None = None, *, offset: int = 0,
                  limit: int = 200) -> list[queries.CaseSummary]:
        """"My cases": those the user takes part in, newest first, with what each is waiting on."""
        return self._read(lambda conn: queries.cases_for(conn, self._as_user(conn, actor), status=status,
                                                         offset=offset, limit=limit))

    def definitions(self) -> list[queries.DefinitionSummary]:
        """The latest version of every deployed process (what can be started)."""
        return self._read(queries.definitions_list)

    def start_form(self, key: str) -> tuple[str, FormSchema]:
        """(process name, start form) of the latest version of ``key``."""
        def run(conn: Connection) -> tuple[str, FormSchema]:
            version = self.versions.latest(conn, key)
            return version.name, version.start_form
        return self._read(run)

    def draft(self, task_id: str, actor: str) -> dict[str, Any] | None:
        """The actor's saved draft of a task's form, if any."""
        return self._read(lambda conn: queries.draft_of(conn, task_id, actor))

    def verify(self, case_id: str | None = None) -> list[audit.VerifyFailure]:
        def run(conn: Connection) -> list[audit.VerifyFailure]:
            if case_id is None:
                return audit.verify_all(conn)
            failure = audit.verify_case(conn, case_id)
            return [failure] if failure else []
        return self._read(run)
