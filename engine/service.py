"""The composition root: ``Engine`` wires settings, database, clock and sandbox, and runs each
command in exactly one transaction (retried on optimistic-lock conflicts).

Web and CLI talk only to this class.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import IntegrityError, OperationalError

from engine import audit, identity
from engine.audit import access, digest, export, search, xes
from engine.cases import catalog, commands, consistency, migration, queries
from engine.cases import timers as timer_cmds
from engine.cases.incidents import IncidentRaised, describe_failure, record_incident
from engine.cases.live import StaleCase
from engine.cases.versions import DeployResult, VersionCache, deploy_bundles
from engine.clock import Clock, SystemClock
from engine.config import Settings, load_settings
from engine.definitions.diff import VersionDiff
from engine.errors import (
    Busy,
    Conflict,
    DefinitionInvalid,
    Forbidden,
    InvalidInput,
    NotFound,
    Problem,
    ScriptFailed,
    TurnusError,
)
from engine.forms import FormSchema
from engine.identity import User
from engine.runtime.budget import work_budget
from engine.store import schema
from engine.store.db import is_busy, is_retryable, make_engine
from engine.store.tables import cases

T = TypeVar("T")
logger = logging.getLogger(__name__)


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that it rolls back; carries the would-be result."""

    def __init__(self, result: migration.MigrationResult):
        self.result = result


class Engine:
    def __init__(self, db: DbEngine, clock: Clock, settings: Settings):
        self.db = db
        self.clock = clock
        self.settings = settings
        self.versions = VersionCache()

    @classmethod
    def create(cls, database_url: str | None = None, *, clock: Clock | None = None,
               settings: Settings | None = None, init: bool = True) -> Engine:
        settings = settings or load_settings()
        eng = cls(make_engine(database_url or settings.database_url), clock or SystemClock(), settings)
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
                with (self.db.connect().execution_options(turnus_write=True) as conn, conn.begin(),
                      work_budget(self.settings.work_max_steps, self.settings.work_max_seconds)):
                    return fn(conn, now)
            except (StaleCase, IntegrityError):
                # Lost a race on the case row or its next event number: reload and try again.
                continue
            except OperationalError as err:
                if is_retryable(err):  # PostgreSQL deadlock or serialization failure: the loser retries
                    continue
                if is_busy(err):
                    raise Busy() from None
                raise
            except TurnusError as err:
                if not isinstance(err, ScriptFailed) or command is None:
                    raise
                failure: Exception = err
            except Exception as err:  # a failure inside the workflow library
                if command is None:
                    raise
                failure = err
            info = describe_failure(failure, command)
            case_id = case_id or (self._case_of_task(command["task_id"]) if "task_id" in command else None)
            if case_id is not None:
                self._record_incident(case_id, info, actor, now)
            raise IncidentRaised(info, case_id) from None
        raise Conflict("The case kept changing while this command ran; please try again")

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
                if is_retryable(err):
                    continue
                if is_busy(err):
                    raise Busy() from None
                raise
        raise Conflict("The case kept changing while its incident was recorded; please try again")

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
            raise Forbidden(f"{actor} may not deploy definitions (needs the process-owner or admin role)")
        return deploy_bundles(conn, bundles, actor, now)

    def validate_files(self, files: Mapping[str, bytes], actor: str) -> tuple[list[str], list[Problem]]:
        """(keys that would deploy, every finding) of a deploy, without deploying anything."""
        from engine.definitions import load_bundles

        self._require_owner(actor)
        try:
            bundles = load_bundles(files)
        except DefinitionInvalid as err:
            return [], list(err.problems)
        return [b.key for b in bundles], [w for b in bundles for w in b.warnings]

    def _require_owner(self, actor: str) -> User:
        user = self.user(actor)
        if not identity.may_deploy(user):
            raise Forbidden(f"{actor} may not work on definitions (needs the process-owner or admin role)")
        return user

    def definition_overview(self, actor: str) -> list[catalog.DefinitionOverview]:
        self._require_owner(actor)
        return self._read(catalog.overview)

    def versions_of(self, key: str) -> list[catalog.VersionSummary]:
        return self._read(lambda conn: catalog.versions(conn, key))

    def version_files(self, key: str, version: int | None, actor: str) -> dict[str, bytes]:
        self._require_owner(actor)
        return self._read(lambda conn: catalog.files(conn, key, version))

    def version_diff(self, key: str, old: int, new: int) -> VersionDiff:
        return self._read(lambda conn: catalog.diff(conn, key, old, new))

    def migrate(self, key: str, to_version: int, actor: str, *, from_version: int | None = None,
                case_ids: Sequence[str] = (), dry_run: bool = False) -> list[migration.MigrationResult]:
        """Move running cases of ``key`` to ``to_version``, each in its own transaction; a dry run
        runs the same steps and rolls every one of them back."""
        self._require_owner(actor)

        def targets(conn: Connection) -> tuple[migration.VersionInfo, list[str]]:
            target = self.versions.get(conn, catalog.version_id(conn, key, to_version))
            return target, migration.candidates(conn, key, target.id, from_version, list(case_ids))
        target, found = self._read(targets)
        results = [migration.MigrationResult(c, False, "not a running case of this definition on another "
                                             "version") for c in case_ids if c not in found]
        for case_id in found:
            def run(conn: Connection, now: datetime, cid: str = case_id) -> migration.MigrationResult:
                result = migration.migrate_case(self._ctx(conn, now), actor, cid, target)
                if dry_run:
                    raise _DryRun(result)
                return result
            try:
                results.append(self._write(run))
            except _DryRun as done:
                results.append(done.result)
            except migration.Refused as refused:
                results.append(migration.MigrationResult(case_id, False, str(refused)))
            except (TurnusError, IncidentRaised) as err:
                results.append(migration.MigrationResult(case_id, False, str(err)))
            except Exception as err:  # the library failed on this case's state: refuse it, keep going
                logger.exception("migration of case %s to %s v%s failed", case_id, key, to_version)
                results.append(migration.MigrationResult(
                    case_id, False, f"the case's state could not be moved ({type(err).__name__}); it is unchanged"))
        return results

    def add_user(self, name: str, *, groups: Sequence[str] = (), roles: Sequence[str] = (),
                 display_name: str | None = None, email: str | None = None,
                 password_hash: str | None = None) -> tuple[User, bool]:
        return self._write(lambda conn, now: identity.save_user(
            conn, name, now=now, display_name=display_name, email=email, group_names=groups, roles=roles,
            password_hash=password_hash))

    def user(self, name: str) -> User:
        return self._read(lambda conn: self._user(conn, name))

    def password_hash(self, name: str) -> str | None:
        return self._read(lambda conn: identity.password_hash_of(conn, name))

    def users(self) -> list[User]:
        return self._read(identity.list_users)

    # --- commands -----------------------------------------------------------------------

    def _ctx(self, conn: Connection, now: datetime) -> commands.Ctx:
        return commands.Ctx(conn, now, self.versions)

    def start(self, key: str, actor: str, data: Mapping[str, Any] | None = None,
              business_key: str | None = None) -> str:
        return self._write(lambda conn, now: commands.start(
            self._ctx(conn, now), self._user(conn, actor), key, dict(data or {}), business_key),
            actor=actor, command={"kind": "start"})

    def complete(self, task_id: str, actor: str, data: Mapping[str, Any] | None = None) -> None:
        self._write(lambda conn, now: commands.complete(self._ctx(conn, now), self._user(conn, actor),
                                                        task_id, dict(data or {})),
                    actor=actor,
                    command={"kind": "complete", "task_id": task_id, "actor": actor, "data": dict(data or {})})

    def claim(self, task_id: str, actor: str) -> None:
        self._write(lambda conn, now: commands.claim(self._ctx(conn, now), self._user(conn, actor), task_id))

    def release(self, task_id: str, actor: str) -> None:
        self._write(lambda conn, now: commands.release(self._ctx(conn, now), self._user(conn, actor), task_id))

    def assign(self, task_id: str, actor: str, to_user: str) -> None:
        self._write(lambda conn, now: commands.assign(self._ctx(conn, now), self._user(conn, actor),
                                                      task_id, to_user))

    def save_draft(self, task_id: str, actor: str, data: Mapping[str, Any]) -> None:
        self._write(lambda conn, now: commands.save_draft(self._ctx(conn, now), self._user(conn, actor),
                                                          task_id, dict(data)))

    def comment(self, case_id: str, actor: str, text: str) -> None:
        def run(conn: Connection, now: datetime) -> None:
            user = self._user(conn, actor)
            commands.comment(self._ctx(conn, now), user, case_id, text, self._may_read(conn, user, case_id))
        self._write(run)

    def cancel(self, case_id: str, actor: str, reason: str) -> None:
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
                raise Forbidden("Only an administrator may retry an incident")
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
        def run(conn: Connection) -> queries.TaskView:
            user = self._user(conn, actor)
            view = queries.task_view(conn, self.versions, task_id)
            if view is None:
                raise NotFound(f"No task {task_id!r}")
            row = commands.task_row(conn, task_id)
            access = commands.access_of(conn, row, self.versions)
            if not (identity.may_see_task(user, access) or row.completed_by == actor
                    or (self._may_read(conn, user, view.case_id) and row.state != "open")):
                raise Forbidden(f"Task {task_id} is not yours to see")
            return dataclasses.replace(view, barred=access.barred)
        return self._read(run)

    def _readable_case(self, conn: Connection, case_id: str, actor: str | None) -> Any:
        """The case row, if ``actor`` may read it; ``None`` is the operator at the command line."""
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"No case {case_id!r}")
        if actor is not None and not self._may_read(conn, self._user(conn, actor), case_id):
            raise Forbidden(f"You do not take part in case {case_id}")
        return row

    def case(self, case_id: str, actor: str | None, purpose: str = "case work") -> queries.CaseView:
        def run(conn: Connection, now: datetime) -> queries.CaseView:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor or "operator", "read_case", case_id, purpose, row.started_by, now)
            return self._case_view(conn, row)
        return self._write(run)

    def _case_view(self, conn: Connection, row: Any) -> queries.CaseView:
        from engine.cases.live import load

        version = self.versions.get(conn, row.version_id)
        lc = load(conn, row, version, row.started_at)
        open_rows = [t for t in queries.tasks_for_case(conn, self.versions, row.id) if t.state == "open"]
        return queries.CaseView(
            id=row.id, key=row.key, version=version.version, name=version.name, title=row.title,
            status=row.status, started_by=row.started_by, started_at=row.started_at, ended_at=row.ended_at,
            end_event=row.end_event, end_event_name=version.element_names.get(row.end_event or ""),
            next_timer_at=row.next_timer_at,
            incident=json.loads(row.incident_json) if row.incident_json else None,
            data=queries.case_data(lc.wf), open_tasks=open_rows,
        )

    def history(self, case_id: str, actor: str | None, purpose: str = "case work") -> list[queries.EventView]:
        def run(conn: Connection, now: datetime) -> list[queries.EventView]:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor or "operator", "read_history", case_id, purpose, row.started_by, now)
            return queries.history(conn, self.versions, case_id)
        return self._write(run)

    def cases_for(self, actor: str, status: str | None = None) -> list[queries.CaseSummary]:
        """"My cases": those the user takes part in, with what each is waiting on."""
        return self._read(lambda conn: queries.cases_for(conn, self._user(conn, actor), status=status))

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

    # --- audit (auditors and administrators; every read of case data is in the access log) -------

    def _auditor(self, conn: Connection, actor: str | None) -> str:
        """The actor's name if they may audit; ``None`` is the operator at the command line."""
        if actor is None:
            return "operator"
        if not identity.may_audit(self._user(conn, actor)):
            raise Forbidden("Only an auditor or an administrator may do this")
        return actor

    def audit_search(self, actor: str, f: search.CaseFilter, page: int = 1, page_size: int = 25,
                     purpose: str = "audit") -> tuple[list[search.CaseHit], int]:
        def run(conn: Connection, now: datetime) -> tuple[list[search.CaseHit], int]:
            who = self._auditor(conn, actor)
            found = search.search_cases(conn, f, page, page_size)
            shown = {k: v for k, v in vars(f).items() if v not in (None, "")}
            access.log(conn, who, "search_cases", json.dumps(shown, default=str, sort_keys=True)[:200], purpose,
                       f.participant, now)
            return found
        return self._write(run)

    def audit_runs(self, case_id: str) -> dict[str, Any]:
        return self._read(lambda conn: search.case_runs(conn, case_id))

    def export_case(self, case_id: str, actor: str | None, fmt: str = "json", purpose: str = "audit export") -> str:
        if fmt not in ("json", "csv"):
            raise InvalidInput(f"Unknown format {fmt!r}: choose json or csv (xes is for a selection of cases)")

        def run(conn: Connection, now: datetime) -> str:
            who = self._auditor(conn, actor)
            row = self._readable_case(conn, case_id, None)
            names = dict(self.versions.get(conn, row.version_id).element_names)
            doc = export.case_document(conn, case_id, names)
            access.log(conn, who, f"export_case_{fmt}", case_id, purpose, row.started_by, now)
            return export.to_json(doc) if fmt == "json" else export.to_csv(doc)
        return self._write(run)

    def export_xes(self, out: Any, actor: str | None, key: str | None = None, since: datetime | None = None,
                   purpose: str = "process mining") -> int:
        def run(conn: Connection, now: datetime) -> int:
            who = self._auditor(conn, actor)
            access.log(conn, who, "export_xes", f"key={key or '*'} since={since.isoformat() if since else '*'}",
                       purpose, None, now)
            return xes.write_xes(conn, out, lambda vid: self.versions.get(conn, vid).element_names,
                                 key=key, since=since)
        return self._write(run)

    def element_stats(self, actor: str | None, key: str, version: int | None = None) -> tuple[Any, list[Any]]:
        def run(conn: Connection) -> tuple[Any, list[Any]]:
            self._auditor(conn, actor)
            info = self.versions.latest(conn, key) if version is None else self.versions.get(
                conn, self._version_id(conn, key, version))
            return info, search.element_stats(conn, info.id)
        return self._read(run)

    def _version_id(self, conn: Connection, key: str, version: int) -> int:
        from engine.store.tables import definition_versions as dv

        vid = conn.execute(select(dv.c.id).where(dv.c.key == key, dv.c.version == version)).scalar()
        if vid is None:
            raise NotFound(f"No version {version} of {key!r}")
        return int(vid)

    def definition_xml(self, actor: str | None, version_id: int) -> bytes:
        """The BPMN file a case's version was deployed from (for the diagram)."""
        from engine.store.tables import definition_files

        def run(conn: Connection) -> bytes:
            self._auditor(conn, actor)
            for r in conn.execute(select(definition_files).where(definition_files.c.version_id == version_id)
                                  .order_by(definition_files.c.file_name)):
                if r.file_name.lower().endswith(".bpmn"):
                    return bytes(r.content)
            raise NotFound(f"No BPMN file for definition version {version_id}")
        return self._read(run)

    def case_version_id(self, case_id: str) -> int:
        return self._read(lambda conn: self._readable_case(conn, case_id, None).version_id)

    def make_digest(self) -> dict[str, Any]:
        key = digest.load_key(self.settings.audit_key_file)
        return self._read(lambda conn: digest.make_digest(conn, key, self.clock.now()))

    def verify_against(self, digest_text: str | bytes) -> list[audit.VerifyFailure]:
        doc = digest.parse_digest(digest_text, digest.load_key(self.settings.audit_key_file))
        return self._read(lambda conn: digest.check_against(conn, doc) + audit.verify_all(conn))

    def check_live_state(self, case_id: str | None = None) -> list[str]:
        def run(conn: Connection) -> list[str]:
            ids = [case_id] if case_id else [r.id for r in conn.execute(select(cases.c.id).order_by(cases.c.id))]
            return [p for cid in ids for p in consistency.check_case(conn, self.versions, cid)]
        return self._read(run)

    def access_log(self, reader: str | None, purpose: str = "audit of the access log",
                   **filters: Any) -> tuple[list[access.AccessEntry], int]:
        def run(conn: Connection, now: datetime) -> tuple[list[access.AccessEntry], int]:
            who = self._auditor(conn, reader)
            found = access.search(conn, **filters)
            access.log(conn, who, "search_access_log", json.dumps(
                {k: v for k, v in filters.items() if v}, default=str)[:200], purpose, filters.get("subject"), now)
            return found
        return self._write(run)

    def purge_access_log(self) -> int:
        """Delete access-log entries past the retention period (the deletion is logged)."""
        days = self.settings.access_log_retention_days
        return self._write(lambda conn, now: access.purge(conn, now, days))

    def my_data(self, actor: str) -> dict[str, Any]:
        """A person's own report: their cases and when and why their data was looked at (no names)."""
        def run(conn: Connection) -> dict[str, Any]:
            user = self._user(conn, actor)
            return {"user": user, "cases": queries.cases_for(conn, user, limit=500),
                    "accesses": access.about(conn, actor)}
        return self._read(run)
