"""Read models for whole web pages, each in one transaction with one user lookup (issue 11).

The page used to gather its parts through several engine calls, each a transaction of its own that loaded the
user and the case's participants again; these methods return the same parts with the same checks, once.

engine.cases.commands (and engine.attachments, which imports it) load the workflow library; they are imported
where a case page or a task is read, so the inbox and the command-line reads do without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from engine import identity
from engine.cases import queries
from engine.cases.inbox import InboxPage, inbox_page
from engine.errors import Forbidden, NotFound, TurnusError
from engine.forms import FormSchema
from engine.identity import User
from engine.service.base import EngineCore
from engine.store.tables import tasks

if TYPE_CHECKING:
    from engine import attachments


@dataclass(frozen=True)
class CasePage:
    case: queries.CaseView
    events: list[queries.EventView]
    files: list[attachments.Attachment]
    forms: dict[str, FormSchema]  # by element id: the form of the first completed task of that element
    start_form: FormSchema  # of the process's latest version (empty if it is gone)


@dataclass(frozen=True)
class TaskPage:
    task: queries.TaskView
    draft: dict[str, Any] | None  # the actor's saved draft, if they may work the open task
    case: CasePage


class PageQueries(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py): the pages the web shows."""

    def inbox(self, actor: User | str, *, view: str = "", q: str = "", overdue_only: bool = False,
              sort: str = "due", page: int = 1, size: int = 25, now: datetime | None = None) -> InboxPage:
        """One page of "my tasks" or "group tasks" with both lists' counts."""
        at = now or self.clock.now()
        return self._read(lambda conn: inbox_page(
            conn, self.versions, self._as_user(conn, actor), view=view, q=q,
            overdue_only=overdue_only, sort=sort, page=page, size=size, now=at))

    def case_page(self, case_id: str, actor: User | str, purpose: str = "case work") -> CasePage:
        """What ``case``, ``history``, the attachment list and the forms of its steps return, together."""
        def run(conn: Connection, now: datetime) -> CasePage:
            return self._case_page(conn, now, case_id, self._as_user(conn, actor), purpose)
        return self._write(run)

    def task_page(self, task_id: str, actor: User | str) -> TaskPage:
        """``task`` (same checks), the actor's draft when they may work it, and the case page of its case."""
        def run(conn: Connection, now: datetime) -> TaskPage:
            user = self._as_user(conn, actor)
            view, _ = self._task_checked(conn, user, task_id)
            draft = None
            if view.state == "open" and identity.may_work(user, _access(view)):
                draft = queries.draft_of(conn, task_id, user.name)
            return TaskPage(view, draft, self._case_page(conn, now, view.case_id, user, "case work"))
        return self._write(run)

    def _task_checked(self, conn: Connection, user: User, task_id: str,
                      may_read: bool | None = None) -> tuple[queries.TaskView, bool]:
        """The task if ``user`` may see it (the rule of ``Engine.task``), and whether they may read its case."""
        from engine.cases import commands

        view = queries.task_view(conn, self.versions, task_id)
        if view is None:
            raise NotFound(f"No task {task_id!r}")
        row = commands.task_row(conn, task_id)
        access = commands.access_of(conn, row, self.versions)
        if not (identity.may_see_task(user, access) or row.completed_by == user.name):
            if may_read is None:
                may_read = self._may_read(conn, user, view.case_id)
            if not (may_read and row.state != "open"):
                raise Forbidden(f"Task {task_id} is not yours to see", reason="task_not_visible")
        return dataclasses.replace(view, barred=access.barred), bool(may_read)

    def _case_page(self, conn: Connection, now: datetime, case_id: str, user: User, purpose: str) -> CasePage:
        from engine import attachments

        row = conn.execute(select(queries.cases).where(queries.cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"No case {case_id!r}")
        people, groups = queries.participants(conn, case_id)  # once for the case, its history and its files
        if not identity.may_read_case(user, people, groups):
            raise Forbidden(f"You do not take part in case {case_id}", reason="not_participant")
        queries.log_access(conn, user.name, "read_case", case_id, purpose, row.started_by, now)
        case = self._case_view(conn, row)
        queries.log_access(conn, user.name, "read_history", case_id, purpose, row.started_by, now)
        events = queries.history(conn, self.versions, case_id)
        files = attachments.listed(conn, case_id)
        start_form = FormSchema()
        if any(e.kind == "case_started" for e in events):
            with contextlib.suppress(TurnusError):  # the process was removed: no labels for the start data
                start_form = self.versions.latest(conn, case.key).start_form
        return CasePage(case, events, files, self._step_forms(conn, user, events), start_form)

    def _step_forms(self, conn: Connection, user: User, events: list[queries.EventView]) -> dict[str, FormSchema]:
        """Per element, the form of its first completed task the reader may see (else an empty form)."""
        first: dict[str, str] = {}
        for event in events:
            if event.kind == "task_completed":
                first.setdefault(event.element_id or "", event.task_id or "")
        if not first:
            return {}
        rows = {r.id: r for r in conn.execute(
            select(*queries._TASK_COLUMNS).join(queries.cases, queries.cases.c.id == tasks.c.case_id)
            .where(tasks.c.id.in_(set(first.values()))))}
        forms: dict[str, FormSchema] = {}
        for key, task_id in first.items():
            row = rows.get(task_id)
            if row is None:
                forms[key] = FormSchema()
            elif row.state != "open":  # the reader reads the case, so a finished task is theirs to see
                forms[key] = queries._view(row, self.versions, conn).form
            else:
                try:
                    forms[key] = self._task_checked(conn, user, task_id, may_read=True)[0].form
                except TurnusError:
                    forms[key] = FormSchema()
        return forms


def _access(view: queries.TaskView) -> identity.TaskAccess:
    return identity.TaskAccess(view.state, view.assignee, frozenset(view.candidate_users),
                               frozenset(view.candidate_groups), view.barred)
