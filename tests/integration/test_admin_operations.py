"""Workers and timers in the operator's console: the loops from their heartbeats, timers due within the hour
with overdue ones told apart; only administrators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.clock import FixedClock
from engine.errors import Forbidden
from engine.service import Engine
from tests.helpers.support import PROCESSES


def test_timers_due_and_overdue_and_the_loops(engine: Engine, clock: FixedClock) -> None:
    engine.deploy_paths([PROCESSES / "short_timer.bpmn"], actor="system")
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    now = clock.now()
    soon = engine.start("short_timer", "rita", {"due": (now + timedelta(minutes=30)).isoformat()})
    engine.start("short_timer", "rita", {"due": (now + timedelta(hours=3)).isoformat()})
    assert [t.case_id for t in engine.timers_due("admin")] == [soon]
    clock.advance(minutes=32)  # no loop fired it: two minutes past its instant
    [row] = engine.timers_due("admin")
    assert row.name == "Until due" and row.overdue(clock.now()) and not row.stuck
    assert engine.worker_overview("admin") == []
    engine.register_worker("worker")
    [w] = engine.worker_overview("admin")
    assert w.kind == "worker" and w.pid > 0
    with pytest.raises(Forbidden):
        engine.timers_due("rita")
    with pytest.raises(Forbidden):
        engine.worker_overview("rita")
