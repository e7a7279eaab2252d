"""The only place scripts and expressions are evaluated.

    sandbox = get_sandbox()
    sandbox.evaluate("a + 1", {"a": 1})                 # -> 2
    sandbox.execute("b = add_days(d, 14)", {"d": "2027-05-01"})  # -> {"d": ..., "b": "2027-05-15"}

Code is compiled with RestrictedPython (``compiler``) and run with its guards in a pool of worker
processes limited in memory and time (``pool``, ``worker``). Scripts see plain JSON data, a few
safe builtins and the pure ``HELPERS``; nothing else. Every failure is a ``ScriptFailed`` whose
``kind`` is "syntax", "forbidden", "error", "timeout" or "memory" and whose ``line`` (when known)
is the line of the failing statement. SpiffWorkflow integration is in ``engine.sandbox.spiff``.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping
from typing import Any

from engine.config import load_settings
from engine.errors import ScriptFailed
from engine.sandbox import inline
from engine.sandbox.compiler import check_source
from engine.sandbox.helpers import HELPERS
from engine.sandbox.pool import Pool

__all__ = ["HELPERS", "Sandbox", "check_source", "get_sandbox"]


class Sandbox:
    """Evaluates expressions and runs scripts in worker processes; thread-safe and fork-safe.

    ``timeout``: wall-clock seconds per call; ``memory_mb``: address-space limit of each worker;
    ``workers``: processes in the pool (calls beyond that wait for a free worker).
    """

    def __init__(self, timeout: float = 2.0, memory_mb: int = 512, workers: int = 2):
        self.timeout = timeout
        self._pool = Pool(timeout=timeout, memory_mb=memory_mb, workers=workers)

    def _run(self, mode: str, source: str, context: Mapping[str, Any],
             external_context: Mapping[str, Any] | None) -> Any:
        if not isinstance(source, str):
            raise ScriptFailed(f"expected code as text, got {type(source).__name__}", kind="syntax")
        reply = self._pool.run({"m": mode, "s": source, "c": dict(context),
                                "x": dict(external_context or {}), "t": self.timeout})
        if "err" in reply:
            kind, message, line = reply["err"]
            raise ScriptFailed(message, line=line, kind=kind)
        return reply["ok"]

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        """The value of ``expression`` (plain JSON data); names in both contexts are visible.

        A simple condition is answered in this process by ``inline``, exactly as a worker would answer it;
        anything else goes to a worker."""
        if not self._pool.closed:
            try:
                return inline.evaluate(expression, context, external_context)
            except inline.Declined:
                pass
        return self._run("eval", expression, context, external_context)

    def execute(self, script: str, context: Mapping[str, Any],
                external_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run ``script``; return the new full context (``context`` itself is not modified).

        The new context holds every variable the script left behind (deleted ones are gone),
        except names starting with "_" (passed through from ``context`` unchanged), names that
        came only from ``external_context``, and functions the script defined. Any other value
        that is not plain JSON data raises ScriptFailed naming the variable.
        """
        result: dict[str, Any] = self._run("exec", script, context, external_context)
        return result

    def close(self) -> None:
        """Stop the workers. The sandbox cannot be used afterwards."""
        self._pool.close()


_singleton: Sandbox | None = None
_singleton_pid = 0
_singleton_lock = threading.Lock()


def get_sandbox() -> Sandbox:
    """The process-wide sandbox, built from engine.config settings on first use.

    After ``os.fork`` the child gets its own workers on first use (the parent's are left alone).
    """
    global _singleton, _singleton_pid
    sandbox = _singleton
    if sandbox is not None and _singleton_pid == os.getpid():
        return sandbox
    with _singleton_lock:
        if _singleton is None:
            settings = load_settings()
            _singleton = Sandbox(timeout=settings.sandbox_timeout, memory_mb=settings.sandbox_memory_mb,
                                 workers=settings.sandbox_workers)
        _singleton_pid = os.getpid()  # the pool itself notices the fork and restarts its workers
        return _singleton


def _reset_lock_in_child() -> None:
    global _singleton_lock
    _singleton_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


@atexit.register
def _close_singleton() -> None:
    if _singleton is not None and _singleton_pid == os.getpid():
        _singleton.close()
