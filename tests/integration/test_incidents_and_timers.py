"""Failing scripts become incidents that change nothing; timers of every kind fire on a fake clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden
from engine.service import Engine
from tests.helpers.support import PROCESSES


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "incident.bpmn", PROCESSES / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    return engine


def _task(eng: Engine, user: str = "rita") -> str:
    [task] = eng.tasks_for(user)
    return task.id


def test_failing_script_raises_incident_and_changes_nothing(eng: Engine) -> None:
    case_id = eng.start("incident", "rita", {})
    task = _task(eng)
    before = [e.kind for e in eng.history(case_id, None)]
    with pytest.raises(IncidentRaised) as err:
        eng.complete(task, "rita", {"divisor": 0})
    assert "Compute share" in str(err.value) and "ZeroDivisionError" in str(err.value)
    assert "line 4" in str(err.value) and "Nothing was changed" in str(err.value)
    view = eng.case(case_id, "rita")
    assert view.incident["element_id"] == "compute" and view.incident["line"] == 4
    assert view.status == "running" and [t.id for t in view.open_tasks] == [task]
    assert "partial" not in view.data and "divisor" not in view.data  # no partial writes
    assert [e.kind for e in eng.history(case_id, None)] == [*before, "incident_raised"]
    # A retry with the same input fails the same way and still changes nothing.
    with pytest.raises(Forbidden):
        eng.retry(case_id, "rita")
    with pytest.raises(IncidentRaised):
        eng.retry(case_id, "admin")
    # The fix: the person completes again with good input; the incident is resolved.
    eng.complete(task, "rita", {"divisor": 4})
    view = eng.case(case_id, "rita")
    assert view.status == "completed" and view.incident is None and view.data["share"] == 25
    assert "incident_resolved" in [e.kind for e in eng.history(case_id, None)]
    assert eng.verify(case_id) == []
    with pytest.raises(Conflict, match="no incident"):
        eng.retry(case_id, "admin")


def test_infinite_loop_ends_as_timeout_incident_and_the_engine_stays_up(eng: Engine) -> None:
    case_id = eng.start("incident", "rita", {})
    started = time.monotonic()
    with pytest.raises(IncidentRaised) as err:
        eng.complete(_task(eng), "rita", {"divisor": 1, "spin": True})
    assert time.monotonic() - started < 15
    assert err.value.info.kind == "timeout"
    other = eng.start("incident", "rita", {})  # the engine still serves other cases
    eng.complete(next(t.id for t in eng.tasks_for("rita") if t.case_id == other), "rita", {"divisor": 2})
    assert eng.case(other, "rita").data["share"] == 50
    assert eng.case(case_id, "rita").incident["kind"] == "timeout"


def test_duration_cycle_and_date_timers(eng: Engine, clock: FixedClock) -> None:
    case_id = eng.start("timers", "rita", {})
    view = eng.case(case_id, "rita")
    assert view.open_tasks == [] and view.next_timer_at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert eng.fire_timers(datetime(2027, 1, 4, 8, 59, tzinfo=UTC)) == 0
    clock.set(datetime(2027, 1, 4, 9, 0, 1, tzinfo=UTC))
    assert eng.fire_timers() == 1
    task = _task(eng)
    # The cycle boundary ticks daily without interrupting the task, three times at most.
    for day in (5, 6, 7, 8):
        clock.set(datetime(2027, 1, day, 9, 1, tzinfo=UTC))
        eng.fire_timers()
        assert [t.id for t in eng.tasks_for("rita")] == [task]
    ticks = [e for e in eng.history(case_id, None) if e.kind == "timer_fired" and e.element_id == "every_day"]
    assert len(ticks) == 3
    # The interrupting date boundary cancels the task and ends the case.
    clock.set(datetime(2027, 1, 10, 11, 0, 1, tzinfo=UTC))
    assert eng.fire_timers() == 1
    view = eng.case(case_id, "rita")
    assert view.status == "completed" and view.end_event == "too_late" and view.open_tasks == []
    kinds = [e.kind for e in eng.history(case_id, None)]
    assert "task_cancelled" in kinds and eng.verify(case_id) == []


def test_timers_run_cli_fires_at_the_given_instant(eng: Engine, db_url: str) -> None:
    import subprocess
    import sys

    case_id = eng.start("timers", "rita", {})
    cmd = [sys.executable, "-m", "engine.cli", "--db", db_url, "timers", "run"]
    early = subprocess.run([*cmd, "--now", "2027-01-04T09:30:00+01:00"], capture_output=True, text=True)
    assert early.returncode == 0 and early.stdout.strip() == "0 cases moved"
    late = subprocess.run([*cmd, "--now", "2027-01-04T10:30:00+01:00"], capture_output=True, text=True)
    assert late.stdout.strip() == "1 case moved"
    assert len(eng.tasks_for("rita")) == 1 and eng.case(case_id, "rita").open_tasks
    bad = subprocess.run([*cmd, "--now", "tomorrow"], capture_output=True, text=True)
    assert bad.returncode == 1 and "not an ISO 8601" in bad.stderr
    naive = subprocess.run([*cmd, "--now", "2027-01-04T10:30:00"], capture_output=True, text=True)
    assert naive.returncode == 1 and "offset" in naive.stderr


def test_unbounded_cycle_timer_firings_are_audited(engine: Engine, clock: FixedClock, tmp_path) -> None:
    source = (PROCESSES / "timers.bpmn").read_text().replace('"R3/P1D"', '"R/P1D"')
    (tmp_path / "timers.bpmn").write_text(source)
    engine.deploy_paths([tmp_path / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("timers", "rita", {})
    for day in (4, 5, 6, 7, 8):
        clock.set(datetime(2027, 1, day, 9, 1, tzinfo=UTC))
        engine.fire_timers()
    ticks = [e for e in engine.history(case_id, None) if e.kind == "timer_fired" and e.element_id == "every_day"]
    # Armed on the 4th at 09:01, due daily from the 5th at 09:01: a tick at the due instant fires (issue 12).
    assert len(ticks) == 4
