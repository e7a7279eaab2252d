"""A bench-only profiler: the CPU of a command split into named phases, each counted exclusively.

    with PhaseProfile() as prof:
        prof.wrap(live, "commit", "commit")          # the attribute callers look up, patched until exit
        prof.watch_sql(eng.db, "SQL driver")         # cursor executes, via SQLAlchemy's engine events
        with prof.command():
            eng.complete(...)
    prof.phases["commit"].cpu, prof.phases[UNACCOUNTED].cpu, prof.total

A stack of open phases is kept: the clock's time since the last switch is charged to the phase on top, so a
phase nested in another is subtracted from it, and the phases (with UNACCOUNTED, the command's own time outside
every phase) add up to the command's total by construction. Only calls inside ``command()`` on the thread that
opened the profile are counted; a call elsewhere goes straight through. Each counted call costs two clock reads,
charged to the phases around it: compare totals with the profile off to see that overhead.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

UNACCOUNTED = "unaccounted"


@dataclass
class Phase:
    cpu: float = 0.0  # seconds, exclusive of the phases nested in it
    calls: int = 0


class PhaseProfile:
    def __init__(self, clock: Callable[[], float] = time.thread_time) -> None:
        self.clock = clock  # thread CPU: the stack describes one thread
        self.phases: dict[str, Phase] = {}
        self.commands = 0
        self.total = 0.0  # summed command clock, measured apart from the phases (checks the accounting)
        self._stack: list[Phase] = []
        self._last = 0.0
        self._thread = threading.get_ident()
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> PhaseProfile:
        return self

    def __exit__(self, *_: object) -> None:
        while self._undo:
            self._undo.pop()()

    def phase(self, name: str) -> Phase:
        return self.phases.setdefault(name, Phase())

    def _counting(self) -> bool:
        return bool(self._stack) and threading.get_ident() == self._thread

    def enter(self, phase: Phase) -> None:
        now = self.clock()
        if self._stack:
            self._stack[-1].cpu += now - self._last
        self._stack.append(phase)
        phase.calls += 1
        self._last = now

    def leave(self) -> None:
        now = self.clock()
        self._stack.pop().cpu += now - self._last
        self._last = now

    @contextmanager
    def command(self) -> Iterator[None]:
        """One command: its time outside every phase is UNACCOUNTED."""
        if self._stack:
            raise RuntimeError("commands do not nest")
        started = self._last = self.clock()
        self._stack.append(self.phase(UNACCOUNTED))
        try:
            yield
        finally:
            self.leave()
            self.total += self._last - started
            self.commands += 1

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Count calls of ``owner.attr`` (a module's function or a class's method) as phase ``name``.

        Patch where the callers look the name up: after ``from x import f`` a module calls its own ``f``."""
        static = inspect.getattr_static(owner, attr)
        if not inspect.isfunction(static):
            raise TypeError(f"{owner!r}.{attr} is not a plain function (a staticmethod or builtin?)")
        phase = self.phase(name)
        own = attr in vars(owner)

        @functools.wraps(static)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if not self._counting():
                return static(*args, **kwargs)
            self.enter(phase)
            try:
                return static(*args, **kwargs)
            finally:
                self.leave()

        setattr(owner, attr, counted)
        self._undo.append(lambda: setattr(owner, attr, static) if own else delattr(owner, attr))

    def watch_sql(self, engine: Any, name: str) -> None:
        """Count each statement the DBAPI cursor executes on ``engine`` (one per batch) as phase ``name``."""
        phase = self.phase(name)
        active = [False]  # a statement that failed never reaches after_cursor_execute

        def before(*_: Any) -> None:
            if self._counting():
                self.enter(phase)
                active[0] = True

        def after(*_: Any) -> None:
            if active[0]:
                active[0] = False
                self.leave()

        listeners = (("before_cursor_execute", before), ("after_cursor_execute", after), ("handle_error", after))
        for kind, fn in listeners:
            event.listen(engine, kind, fn)
        self._undo.append(lambda: [event.remove(engine, kind, fn) for kind, fn in listeners])

    def accounted(self) -> float:
        """Every phase's CPU, UNACCOUNTED included: equals ``total`` up to float rounding."""
        return sum(p.cpu for p in self.phases.values())
