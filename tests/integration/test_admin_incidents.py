"""The operator's console on the engine: open incidents listed and filtered, and retry, correct-and-retry and
cancel, each with a reason in the case history, refused when another administrator acted first."""

from __future__ import annotations

import pytest

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.service import Engine
from tests.helpers.support import PROCESSES


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "incident.bpmn", PROCESSES / "review.bpmn"], actor="system")
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("anna", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"])
    return engine


def _broken_case(eng: Engine) -> str:
    case_id = eng.start("incident", "rita", {})
    [task] = eng.tasks_for("rita")
    with pytest.raises(IncidentRaised):
        eng.complete(task.id, "rita", {"divisor": 0})
    return case_id


def _kinds(eng: Engine, case_id: str) -> list[str]:
    return [e.kind for e in eng.history(case_id, None)]


def test_list_shows_what_raised_it_and_filters(eng: Engine, clock: FixedClock) -> None:
    case_id = _broken_case(eng)
    eng.start("review", "rita", {"title": "Fine", "amount": 1, "needed_by": "2027-05-01"})
    [inc] = eng.incidents("admin")
    assert (inc.case_id, inc.element_id, inc.element_name, inc.command) == (case_id, "compute", "Compute share",
                                                                           "complete")
    assert "ZeroDivisionError" in inc.message and inc.line == 4 and inc.raised_by == "rita"
    assert eng.incident_count("admin") == 1
    assert eng.incidents("admin", process="review") == []
    assert eng.incidents("admin", element="other") == []
    assert eng.incidents("admin", older_than_hours=1) == []
    clock.advance(hours=2)
    assert [i.case_id for i in eng.incidents("admin", process="incident", element="compute",
                                             older_than_hours=1)] == [case_id]


@pytest.mark.parametrize("who", ["rita", "audrey"])
def test_only_administrators_see_or_act(eng: Engine, who: str) -> None:
    case_id = _broken_case(eng)
    token = eng.incident(case_id, "admin").token
    for call in (lambda: eng.incidents(who), lambda: eng.incident_count(who), lambda: eng.incident(case_id, who),
                 lambda: eng.retry_incident(case_id, who, token, "why"),
                 lambda: eng.cancel_incident_case(case_id, who, token, "why")):
        with pytest.raises(Forbidden):
            call()
    assert eng.incident(case_id, "admin") is not None


def test_correct_and_retry_runs_the_step_and_audits_the_reason(eng: Engine) -> None:
    case_id = _broken_case(eng)
    token = eng.incident(case_id, "admin").token
    with pytest.raises(InvalidInput):
        eng.correct_and_retry(case_id, "admin", token, {"divisor": 4}, "  ")
    eng.correct_and_retry(case_id, "admin", token, {"divisor": 4}, "Divisor was typed as 0")
    view = eng.case(case_id, None)
    assert view.status == "completed" and view.incident is None and view.data["share"] == 25
    events = eng.history(case_id, None)
    changed = next(e for e in events if e.kind == "data_changed")
    assert changed.actor == "admin" and changed.payload["reason"] == "Divisor was typed as 0"
    assert "incident_resolved" in _kinds(eng, case_id)
    assert eng.incidents("admin") == [] and eng.verify(case_id) == []
    # The second administrator, who opened the same incident a moment ago, is refused and nothing changes.
    before = _kinds(eng, case_id)
    with pytest.raises(Conflict) as err:
        eng.retry_incident(case_id, "anna", token, "retrying too")
    assert err.value.reason == "incident_gone"
    assert _kinds(eng, case_id) == before


def test_retry_that_fails_again_keeps_a_fresh_incident(eng: Engine) -> None:
    case_id = _broken_case(eng)
    first = eng.incident(case_id, "admin").token
    with pytest.raises(IncidentRaised):
        eng.retry_incident(case_id, "admin", first, "Try once more")
    second = eng.incident(case_id, "admin")
    assert second is not None and second.token != first and second.raised_by == "admin"
    assert "incident_retried" not in _kinds(eng, case_id)  # the failed retry changed nothing but the new mark
    with pytest.raises(Conflict) as err:  # acting on the old one names that it changed
        eng.cancel_incident_case(case_id, "anna", first, "stop it")
    assert err.value.reason == "incident_changed"


def test_cancel_ends_the_case_with_the_reason(eng: Engine) -> None:
    case_id = _broken_case(eng)
    token = eng.incident(case_id, "admin").token
    eng.cancel_incident_case(case_id, "admin", token, "Request withdrawn")
    view = eng.case(case_id, None)
    assert view.status == "cancelled" and view.incident is None
    cancelled = [e for e in eng.history(case_id, None) if e.kind == "case_cancelled"]
    assert cancelled[0].payload["reason"] == "Request withdrawn" and cancelled[0].actor == "admin"
    assert eng.incident_count("admin") == 0
