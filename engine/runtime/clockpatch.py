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
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from engine.config import local_zone

_current: ContextVar[datetime | None] = ContextVar("turnus_now", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        pinned = _current.get()
        if pinned is None:
            return datetime.now(tz)
        return pinned.astimezone(tz) if tz is not None else pinned.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockedDatetime  # type: ignore[attr-defined]


@contextmanager
def engine_time(now: datetime) -> Iterator[None]:
    """Run the enclosed SpiffWorkflow calls as if it were ``now`` (aware datetime)."""
    # A computed timer date without an offset would be read in the server's zone; read it in the configured
    # one (TURNUS_TIME_ZONE), so the result does not depend on where the server runs.
    _timer_module.LOCALTZ = local_zone()  # type: ignore[attr-defined]
    token = _current.set(now)
    try:
        yield
    finally:
        _current.reset(token)
