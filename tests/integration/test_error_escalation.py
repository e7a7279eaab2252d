"""Issue 28: error and escalation event subprocesses and boundary events catch what a scope throws, by code
before catch-all, the innermost scope first; a throw from inside a handler goes to the next scope out; an
escalation nobody catches lets the flow go on; a non-interrupting escalation handler runs beside the work."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.bpmn_models import flow, process, user_task
from tests.helpers.coverage_support import (
    EVENTS,
    error,
    open_elements,
    restarted,
)
from tests.helpers.error_models import MODELS, error_scope


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    for pid, content in MODELS.items():
        engine.deploy_files({f"{pid}.bpmn": content}, "system")
    return engine


def _run(eng: Engine, pid: str, outcome: str) -> str:
    case_id = eng.start(pid, "rita")
    work = next(t for t in eng.case(case_id, None).open_tasks if t.element_id == "work")
    eng.complete(work.id, "rita", {"outcome": outcome})
    return case_id


def _complete(eng: Engine, case_id: str, element: str) -> None:
    eng.complete(next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == element), "rita")


@pytest.mark.parametrize("outcome, handler", [("late", "h_late_task"), ("gone", "h_any_task")])
def test_an_error_is_caught_by_its_code_before_the_catch_all(eng: Engine, outcome: str, handler: str) -> None:
    case_id = _run(eng, "by_code", outcome)
    assert open_elements(eng, case_id) == [handler]  # interrupting: the side task was cancelled
    _complete(eng, case_id, handler)
    assert open_elements(eng, case_id) == ["after"]  # the subprocess ended with its handler; the flow goes on
    _complete(eng, case_id, "after")
    view = eng.case(case_id, None)
    assert view.status == "completed" and view.end_event == "e" and eng.verify(case_id) == []


def test_the_innermost_scope_catches_first(eng: Engine) -> None:
    case_id = _run(eng, "inner_first", "late")
    assert open_elements(eng, case_id) == ["h_late_task"]


def test_an_error_the_scope_does_not_handle_goes_to_the_boundary_event(eng: Engine) -> None:
    case_id = _run(eng, "to_boundary", "gone")
    assert open_elements(eng, case_id) == ["rescue"]


def test_a_handler_that_throws_reaches_the_next_scope(eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("rethrow", "rita")
    with restarted(db_url, clock) as again:
        work = next(t for t in again.case(case_id, None).open_tasks if t.element_id == "work")
        again.complete(work.id, "rita", {"outcome": "late"})
        assert open_elements(again, case_id) == ["top_task"]  # not h_any: that is the scope that threw
    with restarted(db_url, clock) as again:
        _complete(again, case_id, "top_task")
        assert again.case(case_id, None).status == "completed"


def test_a_non_interrupting_escalation_handler_runs_beside_the_work(eng: Engine) -> None:
    case_id = _run(eng, "esc_note", "esc")
    assert open_elements(eng, case_id) == ["h_esc_task", "more", "side"]
    for element in ("more", "side"):
        _complete(eng, case_id, element)
    assert open_elements(eng, case_id) == ["h_esc_task"]  # the subprocess waits for its handler
    _complete(eng, case_id, "h_esc_task")
    assert open_elements(eng, case_id) == ["after"]


def test_an_interrupting_catch_all_escalation_handler_stops_the_scope(eng: Engine) -> None:
    case_id = _run(eng, "esc_stop", "esc")
    assert open_elements(eng, case_id) == ["h_esc_task"]


def test_an_escalation_nobody_catches_lets_the_flow_go_on(eng: Engine) -> None:
    case_id = _run(eng, "esc_none", "esc")
    assert open_elements(eng, case_id) == ["more", "side"]
    _complete(eng, case_id, "more")
    _complete(eng, case_id, "side")
    assert open_elements(eng, case_id) == ["after"]


def test_a_non_interrupting_escalation_boundary_event_adds_a_path(eng: Engine) -> None:
    case_id = _run(eng, "esc_boundary", "esc")
    assert open_elements(eng, case_id) == ["more", "rescue", "side"]


def test_an_error_nobody_catches_is_an_incident_and_its_scope_waits(eng: Engine) -> None:
    case_id = _run(eng, "esc_none", "gone")  # no catch: an incident (tests/integration/test_uncaught_error.py)
    assert open_elements(eng, case_id) == ["side"]
    _complete(eng, case_id, "side")
    view = eng.case(case_id, None)
    assert open_elements(eng, case_id) == [] and view.incident["element_id"] == "end_gone"


def test_an_error_is_not_caught_by_a_boundary_event_of_another_activity(engine: Engine) -> None:
    """The library offered an uncaught error to every error catch of the case (a sibling's boundary event)."""
    engine.add_user("rita")
    sibling = ('<bpmn:subProcess id="other"><bpmn:startEvent id="os"/>' + flow("x1", "os", "wait")
               + user_task("wait") + flow("x2", "wait", "oe") + '<bpmn:endEvent id="oe"/></bpmn:subProcess>'
               + f'<bpmn:boundaryEvent id="ob" attachedToRef="other">{error()}</bpmn:boundaryEvent>'
               + flow("x3", "ob", "wrong") + user_task("wrong") + flow("x4", "wrong", "e3")
               + '<bpmn:endEvent id="e3"/>')
    body = ('<bpmn:startEvent id="s"/>' + flow("p0", "s", "fork") + '<bpmn:parallelGateway id="fork"/>'
            + flow("p1", "fork", "sub") + error_scope() + flow("p2", "sub", "e") + '<bpmn:endEvent id="e"/>'
            + flow("p3", "fork", "other") + sibling)
    engine.deploy_files({"sib.bpmn": process("sibling", body, EVENTS)}, "system")
    case_id = _run(engine, "sibling", "gone")
    assert open_elements(engine, case_id) == ["side", "wait"]  # not "wrong": that boundary is another activity's
