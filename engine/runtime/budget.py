"""Bounded work per command: every engine step a command causes is counted against a budget.

SpiffWorkflow runs loops, cycle timers, multi-instance activities and parallel splits inside one
``do_engine_steps()`` call with no limit of its own (ENGINE-NOTES: a loop whose condition stays true, a
cycle of ``R/PT0S`` or a multi-instance over 20,000 items run for minutes in the calling process, holding
the write transaction). All of them change task states, and every state change goes through
``Task._set_state``; wrapping that one method counts them all with one mechanism. When a command's count
or its wall time passes the budget, the step raises ``WorkBudgetExceeded``; the service layer rolls the
command back whole and records an incident naming the element that changed state most often.

Outside a budget (tests of the runtime alone, deploy-time parsing) the wrapper costs one context-variable
read per state change. The wrapper is installed when ``engine.runtime.state`` is imported (every workflow a
command runs is created or restored there) or when a budget is entered with the library already loaded, not
when this module is imported: a command-line read (`tasks`, `case show`) enters a budget for its access log
but never needs the workflow library, and importing it would double the command's start-up.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from SpiffWorkflow.task import Task


class WorkBudgetExceeded(Exception):
    """A command did more engine work than one command may; ``element_id`` is the likeliest runaway."""

    def __init__(self, message: str, element_id: str | None, element_name: str | None):
        self.element_id = element_id
        self.element_name = element_name
        super().__init__(message)


class CaseDataTooLarge(WorkBudgetExceeded):
    """A command would leave the case with more data than ``TURNUS_MAX_CASE_DATA_BYTES``."""


@dataclass
class _Budget:
    max_steps: int
    seconds: float
    deadline: float
    max_data_bytes: int | None = None
    steps: int = 0
    per_element: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    names: dict[str, str | None] = field(default_factory=dict)
    exceeded: WorkBudgetExceeded | None = None

    def tick(self, task: Task) -> None:
        if self.exceeded is not None:  # keep refusing while the library unwinds
            raise self.exceeded
        self.steps += 1
        spec = task.task_spec
        element = getattr(spec, "bpmn_id", None)
        if element:
            self.per_element[element] += 1
            if not self.names.get(element):  # a loop's wrapper and its body share the id; one has the name
                self.names[element] = getattr(spec, "bpmn_name", None)
        if self.steps > self.max_steps:
            self._stop(f"the command did more than {self.max_steps:,} engine steps")
        elif time.monotonic() > self.deadline:  # every step: one step of a wide join can take 100 ms
            self._stop(f"the command ran longer than {self.seconds:g} seconds")

    def _stop(self, why: str) -> None:
        element, count = self.per_element.most_common(1)[0] if self.per_element else (None, 0)
        name = self.names.get(element) if element else None
        where = f"; '{name or element}' ran {count:,} steps" if element else ""
        self.exceeded = WorkBudgetExceeded(
            f"Stopped: {why}{where}. A loop, cycle timer, multi-instance or parallel split does not end or is "
            "too large for one command; fix the model or the data that drives it (nothing was saved)",
            element, name)
        raise self.exceeded


_active: ContextVar[_Budget | None] = ContextVar("turnus_work_budget", default=None)
_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Wrap ``Task._set_state`` once per process (any thread may get here first)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from SpiffWorkflow.task import Task

        original = Task._set_state

        def _counted_set_state(self: Task, value: int) -> None:
            budget = _active.get()
            if budget is not None and value != self._state:
                budget.tick(self)
            original(self, value)

        Task._set_state = _counted_set_state  # type: ignore[method-assign]
        _installed = True


def data_limit() -> int | None:
    """Bytes of case data the running command may leave (None outside a budget)."""
    budget = _active.get()
    return budget.max_data_bytes if budget is not None else None


def case_data_too_large(size: int, limit: int, element_id: str | None, element_name: str | None) -> CaseDataTooLarge:
    where = f" ('{element_name or element_id}' added the most)" if element_id else ""
    return CaseDataTooLarge(
        f"Stopped: the case data would be {size:,} bytes, over the limit of {limit:,} bytes "
        f"(TURNUS_MAX_CASE_DATA_BYTES){where}; nothing was saved. Keep large content in attachments, not in "
        "variables", element_id, element_name)


@contextmanager
def work_budget(max_steps: int, seconds: float, max_data_bytes: int | None = None) -> Iterator[Any]:
    """Count the engine steps of the enclosed command against ``max_steps`` and ``seconds`` of wall time, and
    bound the case data it may leave (``max_data_bytes``)."""
    if not _installed and "SpiffWorkflow.task" in sys.modules:
        install()
    token = _active.set(_Budget(max_steps, seconds, time.monotonic() + seconds, max_data_bytes))
    try:
        yield
    finally:
        _active.reset(token)
