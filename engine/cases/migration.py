"""Move a running case to another version of its definition, or say exactly why it cannot move.

Elements are aligned with SpiffWorkflow's ``diff_workflow``; only READY tasks are reset and
re-predicted on the new spec (waiting timers keep their due times). A case is refused, never
bent, when its live state does not fit the new version:
- a step the case has reached (ready, waiting, running, done) was removed;
- a step it has passed changed its flows (the tree would no longer match the diagram);
- a step it is waiting on or running (timer, event, subprocess, multi-instance) changed;
- after migration, any task still points at an element of the old version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, select, update

from engine.audit import stats
from engine.cases import assignment, live, relations
from engine.cases.commands import Ctx
from engine.cases.versions import VersionInfo
from engine.definitions import restore_spec
from engine.definitions.bundle import _registry
from engine.errors import InvalidInput, NotFound
from engine.runtime import workflow as rt
from engine.store.tables import cases, definition_versions, tasks

STRUCTURE = {"typename", "inputs", "outputs"}  # attributes that tie a passed step to the tree below it
MAX_CASES = 10_000  # one request migrates at most this many cases (each in its own transaction)


class Refused(Exception):
    """This case cannot move to the target version; the message says why (English, for logs and the CLI),
    ``code`` and ``params`` let a page say it in its own language."""

    def __init__(self, message: str, code: str = "", **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class MigrationResult:
    case_id: str
    ok: bool
    reason: str = ""
    from_version: int = 0
    to_version: int = 0
    refreshed_tasks: tuple[str, ...] = ()
    code: str = ""  # why a case was refused, for a translated text (Refused.code, or a TurnusError's reason)
    params: Mapping[str, Any] = field(default_factory=dict)


def version_row(conn: Connection, key: str, version: int) -> Any:
    row = conn.execute(select(definition_versions.c.id).where(definition_versions.c.key == key,
                                                              definition_versions.c.version == version)).first()
    if row is None:
        raise NotFound(f"{key} has no version {version}")
    return row


def candidates(conn: Connection, key: str, to_id: int, from_version: int | None,
               case_ids: list[str]) -> list[str]:
    """Ids of the running cases the request names (all running cases of ``key`` not on the target)."""
    query = (select(cases.c.id).join(definition_versions, definition_versions.c.id == cases.c.version_id)
             .where(cases.c.key == key, cases.c.status == "running", cases.c.version_id != to_id))
    if from_version is not None:
        query = query.where(definition_versions.c.version == from_version)
    if case_ids:
        query = query.where(cases.c.id.in_(case_ids))
    found = list(conn.execute(query.order_by(cases.c.started_at, cases.c.id).limit(MAX_CASES + 1)).scalars())
    if len(found) > MAX_CASES:
        raise InvalidInput(f"More than {MAX_CASES} cases match; migrate them in smaller groups (--from, --case)")
    return found


def _state(task: Any) -> str:
    return TaskState.get_name(task.state).lower()


def _element(task: Any) -> str:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None)
    eid = getattr(spec, "bpmn_id", None) or spec.name
    return f"'{name}' ({eid})" if name else f"'{eid}'"


def _check(wf_diff: Any, spec_changes: dict[Any, list[str]]) -> None:
    for task in wf_diff.removed:
        if not task.has_state(TaskState.PREDICTED_MASK | TaskState.FUTURE):
            raise Refused(f"step {_element(task)} is {_state(task)} in this case but was removed in the new version",
                          "step_removed", step=_element(task))
    for task in wf_diff.changed:
        attrs = set(spec_changes.get(task.task_spec, ()))
        if task.state == TaskState.COMPLETED and attrs & STRUCTURE:
            raise Refused(f"the case has passed step {_element(task)}, whose flows changed in the new version",
                          "passed_step_flows_changed", step=_element(task))
        if task.state == TaskState.STARTED and isinstance(task.task_spec, SubWorkflowTask):
            # A running subprocess: what changed inside it is checked against its own diff.
            if attrs & STRUCTURE:
                raise Refused(f"the case is inside {_element(task)}, whose flows changed in the new version",
                              "inside_step_flows_changed", step=_element(task))
            continue
        if task.state in (TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
            raise Refused(f"the case is {_state(task)} at step {_element(task)}, which changed in the new "
                          f"version ({', '.join(sorted(attrs))}); migrate it once that step is done",
                          "at_changed_step", step=_element(task), what=tuple(sorted(attrs)))


def migrate_case(ctx: Ctx, actor: str, case_id: str, target: VersionInfo) -> MigrationResult:
    """Move one case (inside the caller's transaction); raises Refused with the reason."""
    conn = ctx.conn
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"No case {case_id!r}")
    if row.status != "running":
        raise Refused(f"the case is {row.status}", "case_not_running", status=row.status)
    if row.incident_json:
        raise Refused("the case has an open incident; resolve it (case retry) before migrating", "open_incident")
    source = ctx.cache.get(conn, row.version_id)
    if source.key != target.key:
        raise Refused(f"the case runs {source.key}, not {target.key}", "other_definition", have=source.key,
                      want=target.key)
    if source.id == target.id:
        raise Refused(f"the case already runs on version {target.version}", "already_on_version",
                      version=target.version)
    lc = live.load(conn, row, source, ctx.now)
    wf = lc.wf
    new_top, new_deps = restore_spec(target.spec_json)
    top_diff, sp_diffs = diff_workflow(_registry, wf, new_top, new_deps)
    _check(top_diff, SpecDiff(_registry, wf.spec, new_top).changed)
    for sp_id, sp_diff in sp_diffs.items():
        sp = wf.subprocesses[sp_id]
        if sp_diff is None:
            raise Refused(f"the case is inside subprocess '{sp.spec.name}', which the new version no longer has",
                          "subprocess_removed", name=sp.spec.name)
        _check(sp_diff, SpecDiff(_registry, sp.spec, new_deps[sp.spec.name]).changed)
    migrate_workflow(top_diff, wf, new_top, reset_mask=TaskState.READY)
    for sp_id, sp_diff in sp_diffs.items():
        sp = wf.subprocesses[sp_id]
        migrate_workflow(sp_diff, sp, new_deps[sp.spec.name], reset_mask=TaskState.READY)
    wf.subprocess_specs = new_deps
    known = {id(s) for s in new_top.task_specs.values()}
    known |= {id(s) for dep in new_deps.values() for s in dep.task_specs.values()}
    stale = [t for t in rt.all_tasks(wf) if id(t.task_spec) not in known]
    if stale:
        raise Refused(f"the case's path still runs through {_element(stale[0])}, which the new version does "
                      "not have", "path_through_removed_step", step=_element(stale[0]))
    rt.advance(wf, ctx.now)
    lc.version = target
    lc.events.version_id = target.id
    lc.events.add("case_migrated", actor, from_version=source.version, to_version=target.version,
                  from_version_id=source.id, to_version_id=target.id)
    refreshed = refresh_open_tasks(lc)
    live.commit(lc)
    conn.execute(update(cases).where(cases.c.id == case_id).values(version_id=target.id))
    stats.case_moved(conn, case_id, target.id)
    return MigrationResult(case_id, True, "", source.version, target.version, tuple(refreshed))


def refresh_open_tasks(lc: live.LiveCase) -> list[str]:
    """Give the inbox rows of tasks that stay open the new version's name, lane and assignment.

    A person's claim stays unless the new version names an assignee itself; due dates count from
    when the task was created, as they did before.
    """
    conn = lc.conn
    ready = {t.id: t for t in rt.ready_human_tasks(lc.wf)}
    rows = conn.execute(select(tasks).where(tasks.c.case_id == lc.id, tasks.c.state == "open")).all()
    refreshed = []
    for r in rows:
        t = ready.get(r.id)
        if t is None:
            continue  # closed by commit's projection sync
        meta = lc.version.user_tasks.get(t.element_id)
        a = assignment.resolve(meta.raw if meta else {}, t.lane, t.data, r.created_at)
        conn.execute(update(tasks).where(tasks.c.id == r.id).values(
            element_id=t.element_id, name=t.name, lane=t.lane, assignee=a.assignee or r.assignee,
            candidate_users=json.dumps(a.candidate_users), candidate_groups=json.dumps(a.candidate_groups),
            due_at=a.due_at, follow_up_at=a.follow_up_at, priority=a.priority))
        relations.write_candidates(conn, r.id, a.candidate_users, a.candidate_groups, replace=True)
        lc.events.add("task_updated", "system", element_id=t.element_id, task_id=r.id, name=t.name,
                      assignee=a.assignee or r.assignee, candidate_users=list(a.candidate_users),
                      candidate_groups=list(a.candidate_groups),
                      due_at=a.due_at.isoformat() if a.due_at else None, reason="migrated")
        refreshed.append(r.id)
    if refreshed:
        relations.rebuild_participants(conn, lc.id)  # candidates and assignees may have changed
    return refreshed
