"""Load one case for a command, and write everything the command changed in one go.

``commit`` writes, in the command's transaction: audit events for what the engine did on its
own (gateways, timers, decisions, scripts, end), the inbox projection, the changed task rows of
the workflow state, and the case row guarded by its version (optimistic concurrency).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from engine.audit import EventWriter
from engine.cases import assignment, external_rows, incidents, live_cache, recipients, relations, subscriptions
from engine.cases.versions import VersionCache, VersionInfo
from engine.errors import Conflict, StaleCase
from engine.identity import User
from engine.notify.outbox import wake
from engine.runtime import budget
from engine.runtime import events as rt_events
from engine.runtime import state as st
from engine.runtime import workflow as rt
from engine.runtime.scripting import attach_script_engine
from engine.store.tables import case_state, case_state_tasks, cases, tasks

# The connection key of who passes the signals a case throws on to the other cases waiting for them
# (engine.messaging.delivery.relay). That layer sits above this one, since it loads and saves cases through
# it; the service layer puts the relay on every write transaction it opens.
RELAY = "turnus_relay"
Relay = Callable[[Connection, datetime, VersionCache | None, str, list[tuple[str, str]]], None]


@dataclass
class LiveCase:
    conn: Connection
    row: Any
    version: VersionInfo
    wf: BpmnWorkflow
    events: EventWriter
    now: datetime
    stored: st.StoredState | None = None
    states_before: dict[str, int] = field(default_factory=dict)
    cycles_before: dict[str, int] = field(default_factory=dict)
    status: str = "running"
    bytes_written: int = 0
    closing: tuple[str, str, dict[str, Any]] | None = None  # (kind, actor, payload) logged after the tasks close
    cache: VersionCache | None = None  # lets a thrown signal load the cases it reaches
    by_timer: bool = False  # a timer fired in this command: a new task may be a reminder (engine/notify)
    actor: User | None = None  # who runs the command, when a person does: not loaded again to be told of the end
    title: str = ""  # the title of a case being started (a loaded case has it on its row)
    external_before: set[str] = field(default_factory=set)  # external tasks waiting when loaded (rows exist)

    @property
    def id(self) -> str:
        return self.events.case_id


def case_data(wf: Any) -> dict[str, Any]:
    """The case's data as a person would see it: the end result, or what live tasks carry."""
    if wf.is_completed():
        return dict(wf.data)
    # Branches carry their own copies of the data; the latest value of each key across the finished and
    # live tasks is what a person expects (a branch waiting at a join still shows what it recorded).
    live = (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.COMPLETED)
    merged: dict[str, Any] = {}
    for task in sorted((t for t in rt.all_tasks(wf) if t.state in live), key=lambda t: t.last_state_change):
        merged.update(task.data)
    return merged


def data_json(data: dict[str, Any]) -> str | None:
    """``case_data`` as stored in ``cases.data_json``; None if JSON would not give it back exactly (a tuple, a
    date, a number as a key), and readers then restore the workflow instead."""
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == data else None


def _check_data_size(lc: LiveCase, data: dict[str, Any], text: str | None) -> None:
    """The work budget bounds how much data a command may leave on the case (engine/runtime/budget.py); data
    stored before the limit existed may shrink but not grow."""
    limit = budget.data_limit()
    if limit is None:
        return
    size = len((text if text is not None else json.dumps(data, default=str)).encode())
    if size <= limit:
        return
    stored = getattr(lc.row, "data_json", None) if lc.row is not None else None
    if stored and size <= len(stored.encode()):
        return
    changed = [t for t in rt.all_tasks(lc.wf) if lc.states_before.get(str(t.id)) != t.state and t.data]
    largest = max(changed, key=lambda t: len(json.dumps(t.data, default=str)), default=None)
    spec = largest.task_spec if largest is not None else None
    raise budget.case_data_too_large(size, limit, getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None))


def snapshot_states(wf: BpmnWorkflow) -> dict[str, int]:
    return {str(t.id): t.state for t in rt.all_tasks(wf)}


def _cycles_left(task: Any) -> int | None:
    value = task.internal_data.get("event_value")
    return value.get("cycles") if isinstance(value, dict) else None


def snapshot_cycles(wf: BpmnWorkflow) -> dict[str, int]:
    """Cycles left on each waiting cycle timer: a cycle timer fires without completing."""
    return {str(t.id): c for t in rt.all_tasks(wf)
            if isinstance(getattr(t.task_spec, "event_definition", None), CycleTimerEventDefinition)
            and (c := _cycles_left(t)) is not None}


def has_state(conn: Connection, case_id: str) -> bool:
    """False for a case brought back by `audit import` (history only), or one whose state was deleted."""
    return conn.execute(select(case_state.c.case_id).where(case_state.c.case_id == case_id)).first() is not None


# Built once: every command that runs a workflow sends these, and building one costs ~4x executing it.
_HEADER = select(case_state.c.header_json).where(case_state.c.case_id == bindparam("id"))
_BODIES = select(case_state_tasks.c.task_id, case_state_tasks.c.body_json).where(
    case_state_tasks.c.case_id == bindparam("id"))
_OPEN_ROWS = select(tasks.c.id, tasks.c.element_id).where(tasks.c.case_id == bindparam("id"), tasks.c.state == "open")
_NEW_HEADER = update(case_state).where(case_state.c.case_id == bindparam("id")).values(header_json=bindparam("h"))


def _stored(conn: Connection, case_id: str) -> st.StoredState | None:
    header = conn.execute(_HEADER, {"id": case_id}).scalar()
    if header is None:
        return None
    return st.StoredState(header, {r.task_id: r.body_json for r in conn.execute(_BODIES, {"id": case_id})})


def load(conn: Connection, row: Any, version: VersionInfo, now: datetime,
         cache: VersionCache | None = None, reuse: bool = True) -> LiveCase:
    """The case's workflow, ready for a command; ``reuse=False`` for a reader that will not commit it, which
    then neither takes nor disturbs the workflow kept for the next command (engine/cases/live_cache.py)."""
    specs = st.specs(version.spec_json)
    kept = live_cache.take(conn, row, version.id, specs, lambda: _stored(conn, row.id)) if reuse else None
    if kept is not None:  # this process ran the case's last command: its workflow is still current
        wf, stored = kept
    else:
        stored = _stored(conn, row.id)
        if stored is None:  # `audit import` brings back a case's history, not its workflow
            raise Conflict(f"Case {row.id} was imported from an audit export: it can be read, not worked on")
        wf = st.restore(version.spec_json, stored, specs)
    attach_script_engine(wf)
    rt.reapply_multiinstance_inputs(wf)
    events = EventWriter(conn, row.id, version.id, row.last_event_seq, row.last_event_hash, now)
    return LiveCase(conn, row, version, wf, events, now, stored, snapshot_states(wf), snapshot_cycles(wf),
                    row.status, cache=cache, external_before=external_rows.waiting_ids(wf))


def _engine_events(lc: LiveCase) -> None:
    """Audit what the engine did by itself during this command."""
    for tid, left in snapshot_cycles(lc.wf).items():
        before = lc.cycles_before.get(tid)
        task = rt.get_task(lc.wf, tid)
        # Bounded cycles count down to 0; unbounded ("R/...") ones start at -1 and count down too.
        if before is not None and task is not None and before > left:
            for _ in range(before - left):
                lc.events.add("timer_fired", "system", element_id=task.task_spec.bpmn_id,
                              name=task.task_spec.bpmn_name, cycles_left=left)
    for task in rt.all_tasks(lc.wf):
        tid = str(task.id)
        if task.state != TaskState.COMPLETED or lc.states_before.get(tid) == TaskState.COMPLETED:
            continue
        spec = task.task_spec
        eid = spec.bpmn_id
        if eid is None:
            continue
        if isinstance(spec, ExclusiveGateway | InclusiveGateway):
            taken = [c.task_spec.bpmn_id for c in task.children if c.state & TaskState.DEFINITE_MASK
                     or c.state == TaskState.COMPLETED]
            lc.events.add("gateway_taken", "system", element_id=eid, name=spec.bpmn_name, targets=taken)
        elif isinstance(spec, IntermediateCatchEvent | BoundaryEvent) and isinstance(
                spec.event_definition, TimerEventDefinition) and not isinstance(
                spec.event_definition, CycleTimerEventDefinition):
            lc.events.add("timer_fired", "system", element_id=eid, name=spec.bpmn_name,
                          due=_due_of(task.internal_data))
        elif isinstance(spec, BusinessRuleTaskMixin):
            before = task.parent.data if task.parent else {}
            lc.events.add("decision_evaluated", "system", element_id=eid, name=spec.bpmn_name,
                          outputs={k: v for k, v in task.data.items() if before.get(k) != v})
        elif isinstance(spec, ScriptTask):
            before = task.parent.data if task.parent else {}
            lc.events.add("script_run", "system", element_id=eid, name=spec.bpmn_name,
                          changed={k: {"before": before.get(k), "after": v} for k, v in task.data.items()
                                   if before.get(k) != v})
        elif isinstance(spec, EndEvent) and task.workflow is lc.wf:
            lc.events.add("end_reached", "system", element_id=eid, name=spec.bpmn_name)


def _due_of(internal: dict[str, Any]) -> Any:
    value = internal.get("event_value")
    return value.get("next") if isinstance(value, dict) else value


def sync_projection(lc: LiveCase) -> list[str]:
    """Bring the inbox rows of this case in line with the workflow's READY human tasks."""
    conn = lc.conn
    open_rows = {} if lc.row is None else {  # a case being started has no inbox rows yet
        r.id: r for r in conn.execute(_OPEN_ROWS, {"id": lc.id})}
    ready = {t.id: t for t in rt.ready_human_tasks(lc.wf)}
    for tid, r in open_rows.items():
        if tid not in ready:
            conn.execute(update(tasks).where(tasks.c.id == tid).values(state="cancelled", completed_at=lc.now))
            relations.task_closed(conn, tid)
            lc.events.add("task_cancelled", "system", element_id=r.element_id, task_id=tid)
    created = []
    for tid, t in ready.items():
        if tid in open_rows:
            continue
        meta = lc.version.user_tasks.get(t.element_id)
        raw = meta.raw if meta else {}
        a = assignment.resolve(raw, t.lane, t.data, lc.now)
        conn.execute(insert(tasks).values(
            id=tid, case_id=lc.id, element_id=t.element_id, name=t.name, lane=t.lane, state="open",
            case_title=lc.row.title if lc.row is not None else lc.title,
            assignee=a.assignee, candidate_users=json.dumps(a.candidate_users),
            candidate_groups=json.dumps(a.candidate_groups), due_at=a.due_at, follow_up_at=a.follow_up_at,
            priority=a.priority, created_at=lc.now, overdue_check_at=a.due_at,
        ))
        relations.write_candidates(conn, tid, a.candidate_users, a.candidate_groups)
        relations.add_participants(conn, lc.id, lc.row.started_at if lc.row is not None else lc.now,
                                   users=[a.assignee, *a.candidate_users], groups=a.candidate_groups)
        lc.events.add("task_created", "system", element_id=t.element_id, task_id=tid, name=t.name,
                      assignee=a.assignee, candidate_users=list(a.candidate_users),
                      candidate_groups=list(a.candidate_groups),
                      due_at=a.due_at.isoformat() if a.due_at else None)
        created.append(tid)
    return created


def commit(lc: LiveCase) -> None:
    """Write the command's effects; raises StaleCase if another command won the race."""
    _engine_events(lc)
    thrown = rt_events.thrown_signals(lc.wf, lc.states_before)
    for name, element_id in thrown:
        lc.events.add("signal_thrown", "system", element_id=element_id, name=name)
    created = sync_projection(lc)
    external = external_rows.sync(lc.conn, lc.id, lc.wf, lc.status == "running", lc.external_before, lc.events,
                                  lc.now)
    # Decided before pruning, which may drop the finished boundary event the walk back needs.
    reminders = {tid for tid in created if rt.reached_by_reminder(lc.wf, tid)} if lc.by_timer else set()
    rt.prune_finished_iterations(lc.wf)
    rt.prune_finished_ticks(lc.wf)
    rt.check_depth(lc.wf)
    after = st.dump(lc.wf)
    change = st.diff(lc.stored, after)
    lc.bytes_written = change.bytes_written
    conn = lc.conn
    timer = rt.next_timer(lc.wf)
    data = case_data(lc.wf)
    text = data_json(data)
    _check_data_size(lc, data, text)
    held = _held_incident(lc)
    values: dict[str, Any] = {"next_timer_at": timer[0] if timer else None,
                              "next_timer_name": timer[1][:300] if timer else None,
                              "data_json": text, "incident_json": held, **lc.events.seal()}
    if lc.wf.is_completed() and lc.status == "running":
        rt.check_finished(lc.wf)  # the general guard: finished without an end is an incident
        end = rt.end_event(lc.wf)
        lc.status = "completed"
        lc.events.add("case_completed", "system", element_id=end[0] if end else None,
                      end_event=end[1] if end else None)
        values.update(status="completed", ended_at=lc.now, end_event=end[0] if end else None,
                      next_timer_at=None, next_timer_name=None, **lc.events.seal())
    elif lc.status != "running":
        if lc.closing:
            kind, actor, payload = lc.closing
            lc.events.add(kind, actor, **payload)
        values.update(status=lc.status, ended_at=lc.now, next_timer_at=None, next_timer_name=None,
                      **lc.events.seal())
    if lc.row is None:
        _insert_new(lc, after, values)
    else:
        _update(lc, change, values)
    if lc.status == "running":
        live_cache.keep_after_commit(conn, lc.id, lc.version.id, 0 if lc.row is None else lc.row.row_version + 1,
                                     values["last_event_hash"], lc.wf, after)
    if external and lc.status == "running":
        external_rows.keep_incident(conn, lc.id)
    _notify(lc, created, reminders, values["next_timer_at"])
    subscriptions.sync(conn, lc.id, rt_events.subscriptions(lc.wf) if lc.status == "running" else set(),
                       new=lc.row is None)
    if thrown:
        relay = conn.info.get(RELAY)
        if relay is None:  # a signal must never be dropped silently
            raise RuntimeError("a signal was thrown in a transaction that has no relay; open it with Engine._write")
        relay(conn, lc.now, lc.cache, lc.id, thrown)


def holds_incident(lc: LiveCase) -> bool:
    """Whether the case, as the command leaves it, holds an error nothing caught (an incident)."""
    return incidents.uncaught_error(lc.wf) is not None


def _held_incident(lc: LiveCase) -> str | None:
    """The incident the case goes on carrying after this command (an error nothing caught), else None: a
    command that ran clears the incident it was retried for. A newly held one is recorded in the history."""
    info = incidents.uncaught_error(lc.wf) if lc.status == "running" else None
    if info is None:
        return None
    text = json.dumps(asdict(info))
    if lc.row is None or lc.row.incident_json != text:
        lc.events.add("incident_raised", "system", element_id=info.element_id, name=info.element_name,
                      message=info.message, line=None, error_kind=info.kind, command=info.command["kind"])
    return text


def _notify(lc: LiveCase, created: list[str], reminders: set[str], next_timer_at: datetime | None) -> None:
    """Outbox rows for what this command caused, in its transaction; wake the timer loops for an earlier timer."""
    for task_id in created:
        recipients.new_task(lc.conn, task_id, lc.cache, lc.now, reminder=task_id in reminders)
    if lc.status != "running" and (lc.row is None or lc.row.status == "running"):
        recipients.case_finished(lc.conn, lc.id, lc.status, lc.now, known=lc.actor)
    before = lc.row.next_timer_at if lc.row is not None else None
    if next_timer_at is not None and (before is None or next_timer_at < before):
        wake(lc.conn)


def _update(lc: LiveCase, change: st.StateDiff, values: dict[str, Any]) -> None:
    conn = lc.conn
    result = conn.execute(update(cases).where(cases.c.id == lc.id, cases.c.row_version == lc.row.row_version)
                          .values(row_version=lc.row.row_version + 1, **values))
    if result.rowcount != 1:
        raise StaleCase(lc.id)
    if change.header is not None:
        conn.execute(_NEW_HEADER, {"id": lc.id, "h": change.header})
    if change.deletes:
        conn.execute(delete(case_state_tasks).where(case_state_tasks.c.case_id == lc.id,
                                                    case_state_tasks.c.task_id.in_(change.deletes)))
    existing = lc.stored.tasks if lc.stored else {}
    updates = [(tid, body) for tid, body in change.upserts.items() if tid in existing]
    inserts = [{"case_id": lc.id, "task_id": tid, "body_json": body}
               for tid, body in change.upserts.items() if tid not in existing]
    if updates:
        conn.execute(update(case_state_tasks).where(case_state_tasks.c.case_id == bindparam("c"),
                                                    case_state_tasks.c.task_id == bindparam("t"))
                     .values(body_json=bindparam("b")), [{"c": lc.id, "t": t, "b": b} for t, b in updates])
    if inserts:
        conn.execute(insert(case_state_tasks), inserts)


def _insert_new(lc: LiveCase, after: st.StoredState, values: dict[str, Any]) -> None:
    # The case row itself was inserted before the first event; only state rows are new here.
    lc.conn.execute(update(cases).where(cases.c.id == lc.id).values(**values))
    lc.conn.execute(insert(case_state).values(case_id=lc.id, header_json=after.header))
    if after.tasks:
        lc.conn.execute(insert(case_state_tasks),
                        [{"case_id": lc.id, "task_id": t, "body_json": b} for t, b in after.tasks.items()])
    lc.bytes_written = len(after.header) + sum(len(b) for b in after.tasks.values())
