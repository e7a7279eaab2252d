"""Cycle timers on a clock that can jump: missed occurrences collapse into one, a zero period is refused.

SpiffWorkflow fires a cycle timer once per ``refresh_timers()`` call whenever its next occurrence lies
before now, and moves it on by one period; a case that was not looked at for months (downtime, a clock
jump, a worker outage) would therefore fire every missed occurrence in a row — six reminder tasks at
once. The rule here (README, "Timers"): **a cycle that was due several times fires once**, and its next
occurrence is the first one of its own schedule after now (the time of day and the spacing stay as
modelled). The skipped occurrences count against a bounded cycle (``R3/…``), but at least one fire
always remains for a cycle that was due.

A period of zero (``R/PT0S``, possible from a form value that lint cannot see) would be due again at
once, forever; it stops the command like any other runaway, through the work budget's exception.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime.budget import WorkBudgetExceeded


def _waiting_cycles(tasks: list[Task]) -> list[tuple[Task, dict]]:
    out = []
    for task in tasks:
        if task.state != TaskState.WAITING:
            continue
        if not isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition):
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict) and value.get("cycles") != 0:
            out.append((task, value))
    return out


def _refuse_zero_period(task: Task, value: dict) -> None:
    if float(value.get("duration") or 0) > 0:
        return
    spec = task.task_spec
    name = spec.bpmn_name or spec.bpmn_id
    raise WorkBudgetExceeded(
        f"Stopped: the cycle timer '{name}' has a period of zero and would fire without end. Give the cycle a "
        "period (for example R/P14D), in the model or in the data that sets it (nothing was saved)",
        spec.bpmn_id, spec.bpmn_name)


def collapse_missed(tasks: list[Task], now: datetime) -> None:
    """Before timers are refreshed: leave each overdue cycle exactly one occurrence to fire."""
    for task, value in _waiting_cycles(tasks):
        _refuse_zero_period(task, value)
        nxt = datetime.fromisoformat(value["next"])
        if nxt.tzinfo is None:
            nxt = nxt.replace(tzinfo=UTC)
        if nxt > now:
            continue  # not due: an occurrence fires at its instant (engine/runtime/workflow.py, _AT_DUE)
        period = timedelta(seconds=float(value["duration"]))
        due = (now - nxt) // period + 1  # occurrences at or before now
        skip = due - 1
        if value["cycles"] > 0:
            skip = min(skip, value["cycles"] - 1)
        if skip <= 0:
            continue
        value["next"] = (nxt + skip * period).isoformat()
        if value["cycles"] > 0:
            value["cycles"] -= skip
        task._set_internal_data(event_value=value)


def refuse_zero_periods(tasks: list[Task]) -> None:
    """After the steps: a cycle armed during this command with a zero period stops it here."""
    for task, value in _waiting_cycles(tasks):
        _refuse_zero_period(task, value)
