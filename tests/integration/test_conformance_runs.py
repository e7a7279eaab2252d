"""Issue 12: runs that used to be silently wrong are either correct or refused; a case that the library
reports finished without reaching an end is an incident, never "completed"."""

from __future__ import annotations

import pytest

from engine.service import Engine
from tests.helpers.bpmn_models import ERROR, flow, process, user_task

ERROR_END = '<bpmn:endEvent id="boom" name="Failed"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    return engine


def _subprocess(inner: str) -> str:
    return ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "sub") + '<bpmn:subProcess id="sub">'
            '<bpmn:startEvent id="ss"/>' + inner + "</bpmn:subProcess>" + flow("f2", "sub", "after")
            + user_task("after") + flow("f3", "after", "e") + '<bpmn:endEvent id="e" name="Done"/>')


def test_an_uncaught_error_end_in_a_subprocess_ends_the_subprocess_and_the_flow_goes_on(eng: Engine) -> None:
    # BPMN / Camunda 7: an error no boundary event catches ends its scope like a none end event.
    inner = flow("g1", "ss", "work") + user_task("work") + flow("g2", "work", "boom") + ERROR_END
    eng.deploy_files({"p.bpmn": process("errsub", _subprocess(inner), ERROR)}, actor="system")
    case_id = eng.start("errsub", "rita")
    [work] = eng.tasks_for("rita")
    eng.complete(work.id, "rita")
    view = eng.case(case_id, "rita")
    assert view.status == "running" and [t.element_id for t in view.open_tasks] == ["after"]
    eng.complete(view.open_tasks[0].id, "rita")
    view = eng.case(case_id, "rita")
    assert view.status == "completed" and view.end_event == "e"


def test_a_parallel_branch_beside_an_uncaught_error_end_still_runs(eng: Engine) -> None:
    inner = (flow("g0", "ss", "pg") + '<bpmn:parallelGateway id="pg"/>' + flow("g1", "pg", "boom") + ERROR_END
             + flow("g2", "pg", "work") + user_task("work") + flow("g3", "work", "se") + '<bpmn:endEvent id="se"/>')
    eng.deploy_files({"p.bpmn": process("errpar", _subprocess(inner), ERROR)}, actor="system")
    case_id = eng.start("errpar", "rita")
    [work] = eng.tasks_for("rita")
    assert work.element_id == "work"
    eng.complete(work.id, "rita")
    assert [t.element_id for t in eng.case(case_id, "rita").open_tasks] == ["after"]


def test_an_implicit_end_completes_the_case_on_that_element(eng: Engine) -> None:
    body = '<bpmn:startEvent id="s"/>' + flow("f1", "s", "last") + user_task("last")
    eng.deploy_files({"p.bpmn": process("implicit_end", body)}, actor="system")
    case_id = eng.start("implicit_end", "rita")
    eng.complete(eng.tasks_for("rita")[0].id, "rita")
    assert eng.case(case_id, "rita").status == "completed"


def test_sequence_flows_without_ids_run_to_the_end_event(eng: Engine) -> None:
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow sourceRef="s" targetRef="work"/>' + user_task("work")
            + '<bpmn:sequenceFlow sourceRef="work" targetRef="e"/><bpmn:endEvent id="e"/>')
    eng.deploy_files({"p.bpmn": process("anonymous_flows", body)}, actor="system")
    case_id = eng.start("anonymous_flows", "rita")
    eng.complete(eng.tasks_for("rita")[0].id, "rita")
    view = eng.case(case_id, "rita")
    assert view.status == "completed" and view.end_event == "e"
