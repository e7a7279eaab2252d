"""Make SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow 3.2.0 calls ``datetime.now(timezone.utc)`` inside its timer module only (checked:
no other module reads the time for decisions). We swap that module's ``datetime`` for a subclass
whose ``now`` returns the instant the running command set in a context variable, so tests and
``timers run --now`` are exact and threads never see each other's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_current: ContextVar[datetime | None] = ContextVar("turnus_now", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        pinned = _current.get()
        if pinned is None:
            return datetime.now(tz)
        return pinned.astimezone(tz) if tz is not None else pinned.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockedDatetime  # type: ignore[attr-defined]
# A computed timer date without an offset would be read in the server's zone; read it in
# Copenhagen's instead, so the result does not depend on where the server runs.
_timer_module.LOCALTZ = ZoneInfo("Europe/Copenhagen")  # type: ignore[attr-defined]


@contextmanager
def engine_time(now: datetime) -> Iterator[None]:
    """Run the enclosed SpiffWorkflow calls as if it were ``now`` (aware datetime)."""
    token = _current.set(now)
    try:
        yield
    finally:
        _current.reset(token)


# Missed occurrences of a cycle timer fire once. SpiffWorkflow moves a cycle's next due time on by one
# period each time it fires, so a cycle that was due several times while nothing ran (downtime, a clock
# jump, a zero period such as R/PT0S) fires every missed occurrence in one command: six reminders at once.
# The rule here: a due cycle fires once, and its next occurrence is scheduled one period from now.
_original_cycle_complete = _timer_module.CycleTimerEventDefinition.cycle_complete


def _cycle_complete_once(self: Any, my_task: Any) -> bool:
    ready = _original_cycle_complete(self, my_task)
    value = my_task._get_internal_data("event_value")
    if ready and isinstance(value, dict) and value.get("cycles") != 0:
        now = _ClockedDatetime.now(UTC)
        if datetime.fromisoformat(value["next"]) <= now:
            value["next"] = (now + timedelta(seconds=value["duration"])).isoformat()
            my_task._set_internal_data(event_value=value)
    return ready


_timer_module.CycleTimerEventDefinition.cycle_complete = _cycle_complete_once  # type: ignore[method-assign]
