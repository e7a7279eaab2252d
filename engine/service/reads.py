"""The Engine's reads of cases and tasks: the inbox list, one task, one case and its history (both logged in the
access log), "my cases", the definitions that can be started, start forms, drafts, and the chain check."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine import audit, identity
from engine.cases import queries
from engine.errors import Forbidden, NotFound
from engine.forms import FormSchema
from engine.identity import User
from engine.service.base import EngineCore


class CaseReads(EngineCore):
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

    def case(self, case_id: str, actor: str | None, purpose: str = "case work") -> queries.CaseView:
        def run(conn: Connection, now: datetime) -> queries.CaseView:
            row = self._readable_case(conn, case_id, actor)
            queries.log_access(conn, actor or "operator", "read_case", case_id, purpose, row.started_by, now)
            return self._case_view(conn, row)
        return self._write(run)

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
