"""Issue 12: runs that used to be silently wrong are either correct or refused; a case that the library
reports finished without reaching an end is an incident, never "completed"."""

from __future__ import annotations

import pytest

from engine.service import Engine
from tests.helpers.bpmn_models import flow, process, user_task


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    return engine


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
