"""Operations on one live SpiffWorkflow workflow, with the library's traps handled.

- Every task query passes a huge ``max_depth`` (the default 1000 silently hides deep tasks).
- ``run()`` is only ever called on a READY, manual task that the caller has checked.
- Timers fire with ``refresh_timers()`` + engine steps at the engine's clock; a step runs only a task still
  READY when its turn comes (``engine_steps``).
- Waiting conditional events are evaluated again on every advance (the library only evaluates one when its
  task is updated, so a condition false when reached would never fire).
- Completed loop iterations are pruned from the live tree so a case costs the same to run after
  1,000 passes as after 10; their history lives in Turnus' own tables (events, tasks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import StandardLoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask as CamundaParallelMI
from SpiffWorkflow.camunda.specs.multiinstance_task import SequentialMultiInstanceTask as CamundaSequentialMI
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime import compensation, cycles, scopes
from engine.runtime.clockpatch import engine_time
from engine.runtime.iterations import MergedIterations

DEPTH = 10**6
MAX_TREE_DEPTH = 900  # SpiffWorkflow's own walks misbehave near 1000 (ENGINE-NOTES, "Loops")


class TreeTooDeep(Exception):
    """A back-edge loop grew the task tree so deep the library would stall; modelled as an incident."""


class EndedWithoutEnd(Exception):
    """The library reports the case finished although no end event (or flow's end) was reached."""

    def __init__(self, element_id: str | None, element_name: str | None):
        self.element_id = element_id
        self.element_name = element_name
        super().__init__(
            "The engine stopped the case without reaching an end event, which no BPMN engine would do; "
            "nothing was saved. Please report this model to the Turnus maintainers")


@dataclass(frozen=True)
class HumanTask:
    """A READY user/manual task as the service layer sees it."""

    id: str
    element_id: str
    name: str
    lane: str | None
    data: dict


def all_tasks(wf: BpmnWorkflow) -> Iterator[Task]:
    yield from wf.tasks.values()
    for sp in wf.subprocesses.values():
        yield from sp.tasks.values()


def ready_human_tasks(wf: BpmnWorkflow) -> list[HumanTask]:
    out = []
    for task in all_tasks(wf):
        if task.state == TaskState.READY and task.task_spec.manual:
            spec = task.task_spec
            out.append(
                HumanTask(
                    id=str(task.id),
                    element_id=spec.bpmn_id or spec.name,
                    name=spec.bpmn_name or spec.bpmn_id or spec.name,
                    lane=getattr(spec, "lane", None),
                    data=task.data,
                )
            )
    return out


def get_task(wf: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        uid = UUID(task_id)
    except ValueError:
        return None
    return wf.get_task_from_id(uid) if _known(wf, uid) else None


def reached_by_reminder(wf: BpmnWorkflow, task_id: str) -> bool:
    """Whether a new human task came from a timer on the edge of an activity that goes on waiting: a reminder.

    Walks back through the automatic steps that led to it (gateways, scripts, subprocess entries) to the event
    that decides. A task after an intermediate timer, an interrupting timer or any other event is the process's
    next step, and its people hear of it as of any new task.
    """
    node = get_task(wf, task_id)
    node = node.parent if node is not None else None
    for _ in range(MAX_TREE_DEPTH):
        if node is None:
            return False
        spec = node.task_spec
        if isinstance(spec, BoundaryEvent):
            return isinstance(spec.event_definition, TimerEventDefinition) and not spec.cancel_activity
        if spec.manual or isinstance(spec, IntermediateCatchEvent):
            return False
        owner = getattr(node.workflow, "parent_task_id", None) if node.parent is None else None
        node = wf.get_task_from_id(owner) if owner is not None else node.parent
    return False


def _known(wf: BpmnWorkflow, uid: UUID) -> bool:
    return uid in wf.tasks or any(uid in sp.tasks for sp in wf.subprocesses.values())


def engine_steps(wf: BpmnWorkflow) -> None:
    """``wf.do_engine_steps()``, except that a task runs only if it is still READY when its turn comes.

    The library collects a scope's READY tasks, then runs each, and ``task.run()`` does not check the state
    (ENGINE-NOTES): a task that an earlier one in the list cancelled ran all the same. A parallel multi-
    instance script whose completionCondition held after its second instance still ran the others (the
    library cancels them in ``merge_child``); so did the READY siblings of a terminate end event.
    """
    def update(workflow: BpmnWorkflow) -> int:
        count = 0
        for task in workflow.get_tasks(state=TaskState.READY, max_depth=DEPTH):
            if task.state == TaskState.READY and not task.task_spec.manual:
                task.run()
                count += 1
        return count

    for _ in range(10**6):  # bounded by the work budget long before this
        active = wf.get_active_subprocesses()
        for sub in sorted(active, key=lambda v: v.depth, reverse=True):
            while update(sub) > 0:
                pass
            if sub.parent_task_id is not None:
                owner = wf.get_task_from_id(sub.parent_task_id)
                owner.task_spec._update(owner)
        if update(wf) == 0 and len(wf.get_active_subprocesses()) <= len(active):
            break
    wf.refresh_timers()


def advance(wf: BpmnWorkflow, now: datetime) -> None:
    """Run engine steps (scripts, gateways, due timers) until only waiting or human work is left."""
    with engine_time(now):
        _refresh_timers(wf, now)
        engine_steps(wf)
        # A timer the steps reached may be due already (a boundary timer at 08:00 leading to an end-date timer
        # at 08:00): refresh before deciding nothing is left, else it waits for the next round.
        for _ in range(100):
            _refresh_timers(wf, now)
            # A scope left with nothing but armed event subprocesses is done: disarm them and let it end.
            # A compensation throw waits for each handler in turn (engine/runtime/compensation.py).
            if _ready_engine_count(wf) == 0 and compensation.progress(wf) == 0 \
                    and scopes.disarm_idle_scopes(wf) == 0:
                break
            engine_steps(wf)
    cycles.refuse_zero_periods(list(wf.event_manager.tasks.values()))  # waiting events only, not the whole tree
    prune_finished_iterations(wf)
    check_depth(wf)


# SpiffWorkflow fires a timer only when its due instant is strictly before "now"; Turnus' rule (and the
# scheduler's, which selects cases whose next_timer_at <= now) is "due at T fires at T". Checking one
# microsecond later, the resolution of every stored instant, makes the two agree.
_AT_DUE = timedelta(microseconds=1)


def _refresh_timers(wf: BpmnWorkflow, now: datetime) -> None:
    cycles.collapse_missed(list(wf.event_manager.tasks.values()), now)  # the tasks the library refreshes
    with engine_time(now + _AT_DUE):
        wf.refresh_timers()
        # Through the workflow's (sandboxed) script engine, inside the command's work budget.
        for task in list(wf.event_manager.tasks.values()):
            if task.state == TaskState.WAITING and isinstance(
                    task.task_spec.event_definition, ConditionalEventDefinition):
                owner = scopes.esp_owner(task)
                if owner is not None:  # an armed event subprocess decides on its scope's data now
                    task.set_data(**scopes.scope_data(owner.workflow))
                task.task_spec._update(task)


def _ready_engine_count(wf: BpmnWorkflow) -> int:
    return sum(1 for t in all_tasks(wf) if t.state == TaskState.READY and not t.task_spec.manual)


def complete_human_task(wf: BpmnWorkflow, task: Task, data: dict, now: datetime) -> None:
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise ValueError("task is not ready")  # callers check first; this guards the library trap
    task.data.update(data)
    with engine_time(now):
        task.run()
    advance(wf, now)


def next_timer(wf: BpmnWorkflow) -> tuple[datetime, str] | None:
    """The earliest waiting timer (also those inside event-based gateways): its due time and its BPMN
    name (the element id when it has none)."""
    due: list[tuple[datetime, str]] = []
    for task in all_tasks(wf):
        if task.state != TaskState.WAITING:
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            if value.get("cycles") == 0:
                continue
            value = value.get("next")
        if isinstance(value, str):
            when = _parse_instant(value)
            if when is not None:
                spec = task.task_spec
                due.append((when, spec.bpmn_name or spec.bpmn_id or ""))
    return min(due, key=lambda d: d[0]) if due else None


def _parse_instant(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None  # a duration not yet started; SpiffWorkflow stores instants once armed
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def end_event(wf: BpmnWorkflow) -> tuple[str, str] | None:
    """(element id, name) of the top-level end event the case finished on (the last one reached)."""
    ends = [t for t in wf.tasks.values()
            if t.state == TaskState.COMPLETED and isinstance(t.task_spec, EndEvent) and t.task_spec.bpmn_id]
    if not ends:
        return None
    spec = max(ends, key=lambda t: t.last_state_change).task_spec
    return spec.bpmn_id, spec.bpmn_name or spec.bpmn_id


def check_finished(wf: BpmnWorkflow) -> None:
    """A finished case must have reached an end: an end event, or an element with no outgoing flow
    (BPMN's implicit end). Anything else is the library going wrong, never a completed case."""
    if not wf.is_completed():
        return
    end = wf.spec.end.name  # where end events lead; an element without outgoing flow has no outputs
    finished = [t for t in wf.tasks.values() if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id]
    if any(not t.task_spec.outputs or any(o.name == end for o in t.task_spec.outputs) for t in finished):
        return
    last = max(finished, key=lambda t: t.last_state_change, default=None)
    spec = last.task_spec if last is not None else None
    raise EndedWithoutEnd(spec.bpmn_id if spec else None, (spec.bpmn_name or spec.bpmn_id) if spec else None)


def reapply_multiinstance_inputs(wf: BpmnWorkflow) -> None:
    """Restore what Camunda multi-instance tasks set on their spec when they started.

    SpiffWorkflow's Camunda multi-instance points its spec's input at the collection at start-up,
    in memory only; a case restored from storage has a fresh spec, and each finished instance
    would then be appended to the collection instead of replacing its item.
    """
    for task in all_tasks(wf):
        spec = task.task_spec
        if not isinstance(spec, CamundaParallelMI | CamundaSequentialMI) or task.state not in (
                TaskState.WAITING, TaskState.STARTED) or spec.data_input is not None:
            continue
        if spec.cardinality is None and spec.data_output is not None and spec.output_item is not None:
            spec.data_input = TaskDataReference(spec.data_output.bpmn_id)
            spec.input_item = TaskDataReference(spec.output_item.bpmn_id)
        elif spec.cardinality is not None:
            value = wf.script_engine.evaluate(task, spec.cardinality)
            if not isinstance(value, int):
                spec.data_input = TaskDataReference(spec.cardinality)
                spec.input_item = TaskDataReference(spec.output_item.bpmn_id) if spec.output_item else None
                spec.cardinality = None


def prune_finished_iterations(wf: BpmnWorkflow) -> int:
    """Drop finished iterations of loop activities from the live tree; returns how many."""
    removed = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in list(workflow.tasks.values()):
            spec = task.task_spec
            if not isinstance(spec, StandardLoopTask):
                continue
            for child in list(task.children):
                if child.task_spec.name != spec.task_spec or not child.has_state(TaskState.FINISHED_MASK):
                    continue
                _remove_subtree(wf, child)
                task._children.remove(child.id)
                # A standard loop only ever reads how many iterations merged; keep the count, drop the id.
                merged = task.internal_data.get("merged", [])
                if not isinstance(merged, MergedIterations):
                    merged = task.internal_data["merged"] = MergedIterations(merged)
                merged.blank(str(child.id))
                removed += 1
    return removed


def prune_finished_ticks(wf: BpmnWorkflow) -> int:
    """Drop the finished branches a non-interrupting cycle timer started (a reminder, a progress note).

    Such a branch ends in a WAITING instance of its activity's BoundaryEventJoin; when the activity
    finishes, the join continues from the main path's instance and cancels the others without reading
    their data, so removing them changes nothing but the size of the live tree.
    """
    removed = 0
    for workflow in [wf, *wf.subprocesses.values()]:
        for task in list(workflow.tasks.values()):
            spec = task.task_spec
            if task.state != TaskState.WAITING or not isinstance(
                    getattr(spec, "event_definition", None), CycleTimerEventDefinition):
                continue
            for child in list(task.children):
                if _only_finished_or_parked(child):
                    _remove_subtree(wf, child)
                    task._children.remove(child.id)
                    removed += 1
    return removed


def _only_finished_or_parked(task: Task) -> bool:
    stack = [task]
    while stack:
        t = stack.pop()
        if not (t.has_state(TaskState.FINISHED_MASK)
                or (t.state == TaskState.WAITING and isinstance(t.task_spec, BoundaryEventJoin))):
            return False
        stack.extend(t.children)
    return True


def _remove_subtree(wf: BpmnWorkflow, task: Task) -> None:
    for child in list(task.children):
        _remove_subtree(wf, child)
    if task.id in wf.subprocesses:
        wf.delete_subprocess(task)
    task.workflow.tasks.pop(task.id, None)


def check_depth(wf: BpmnWorkflow) -> None:
    for workflow in [wf, *wf.subprocesses.values()]:
        depth, stack = 0, [(workflow.task_tree, 0)]
        while stack:
            task, d = stack.pop()
            depth = max(depth, d)
            stack.extend((c, d + 1) for c in task.children)
        if depth > MAX_TREE_DEPTH:
            raise TreeTooDeep(
                f"The case's task tree is {depth} levels deep: a loop modelled with a back-edge sequence "
                "flow has repeated too often. Model it as a loop activity (standardLoopCharacteristics)."
            )
