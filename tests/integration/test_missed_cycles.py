"""Issue 7: a cycle timer that was due several times while nothing ran fires once, then keeps its schedule.

The rule (engine/runtime/cycles.py, README "Timers"): after downtime or a clock jump, an overdue cycle
fires one occurrence and its next one is the first of its own schedule after now; a zero period stops
the command as an incident instead of firing without end.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.bounded_models import CYCLE_FROM_FORM


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.deploy_files({"cycle_from_form.bpmn": CYCLE_FROM_FORM}, actor="system")
    return engine


def _reminders(eng: Engine, case_id: str) -> int:
    return sum(1 for t in eng.case(case_id, "rita").open_tasks if t.element_id == "reminder")


def _next_timer(eng: Engine, case_id: str):
    with eng.db.connect() as conn:
        return conn.execute(select(cases.c.next_timer_at).where(cases.c.id == case_id)).scalar_one()


def test_months_of_missed_reminders_fire_once_and_the_schedule_goes_on(eng: Engine, clock: FixedClock) -> None:
    t0 = clock.now()
    case_id = eng.start("cycle_from_form", "rita", {"every": "R/P14D"})
    first_due = t0 + timedelta(days=14)
    # Six months of downtime: a dozen fortnightly occurrences were due.
    jump = t0 + timedelta(days=183, hours=3)
    assert eng.fire_timers(jump) == 1
    assert _reminders(eng, case_id) == 1
    # The next occurrence is the first on the case's own fortnightly grid after now, not now + 14 days.
    nxt = _next_timer(eng, case_id).replace(tzinfo=jump.tzinfo)
    assert nxt > jump and (nxt - first_due) % timedelta(days=14) == timedelta(0)
    assert nxt - jump < timedelta(days=14)
    # Nothing more until then; then exactly one more.
    assert eng.fire_timers(nxt - timedelta(seconds=1)) == 0
    assert eng.fire_timers(nxt + timedelta(seconds=1)) == 1
    assert _reminders(eng, case_id) == 2
    assert [e.kind for e in eng.history(case_id, None)].count("timer_fired") == 2
    assert eng.verify(case_id) == []


def test_a_bounded_cycle_counts_the_missed_occurrences(eng: Engine, clock: FixedClock) -> None:
    t0 = clock.now()
    case_id = eng.start("cycle_from_form", "rita", {"every": "R3/P1D"})
    assert eng.fire_timers(t0 + timedelta(days=30)) == 1
    assert _reminders(eng, case_id) == 1
    assert _next_timer(eng, case_id) is None  # all three occurrences were due: the cycle is spent
    assert eng.fire_timers(t0 + timedelta(days=60)) == 0
    assert _reminders(eng, case_id) == 1


def test_a_zero_period_from_a_form_is_an_incident_not_an_endless_timer(eng: Engine) -> None:
    with pytest.raises(IncidentRaised) as err:
        eng.start("cycle_from_form", "rita", {"every": "R/PT0S"})
    info = err.value.info
    assert info.kind == "budget" and info.element_id == "remind"
    assert "period of zero" in info.message and "R/P14D" in info.message
    assert eng.cases_for("rita") == []  # the start stored nothing
