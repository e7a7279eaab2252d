"""Issue 24: the data a command may leave on a case is bounded (TURNUS_MAX_CASE_DATA_BYTES, 1 MiB by default).

A script that builds a 2 MB string makes an incident naming the limit and the script, and nothing of it is
stored; a start that would do so stores no case at all; a process within the limit runs as before.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.cases.incidents import IncidentRaised
from engine.errors import TurnusError
from engine.service import Engine
from engine.store.tables import cases

GROWING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{key}" targetNamespace="urn:turnus:test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:startEvent id="start" camunda:initiator="requester"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {first}
    <bpmn:scriptTask id="grow" name="Grow" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>blob = 'a' * {size}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="grow" targetRef="after"/>
    <bpmn:userTask id="after" name="After" camunda:assignee="${{requester}}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
WITH_TASK = """<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="go"/>
    <bpmn:userTask id="go" name="Go" camunda:assignee="${requester}">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="go" targetRef="grow"/>"""
AT_ONCE = '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="grow"/><bpmn:sequenceFlow id="f1" ' \
          'sourceRef="grow" targetRef="grow_never"/>'


def _model(key: str, first: str, size: int) -> bytes:
    text = GROWING.format(key=key, first=first, size=size)
    if first is AT_ONCE:  # the script follows the start event directly
        text = text.replace('<bpmn:sequenceFlow id="f1" sourceRef="grow" targetRef="grow_never"/>', "")
        text = text.replace('<bpmn:incoming>f1</bpmn:incoming>', '<bpmn:incoming>f0</bpmn:incoming>')
    return text.encode()


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    return engine


def _case_count(eng: Engine) -> int:
    with eng.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()


def test_a_script_that_grows_the_data_past_the_limit_is_an_incident_and_stores_nothing(eng: Engine) -> None:
    eng.deploy_files({"grows.bpmn": _model("grows", WITH_TASK, 2_000_000)}, actor="system")
    case_id = eng.start("grows", "rita")
    go = next(t.id for t in eng.tasks_for("rita") if t.case_id == case_id)
    with pytest.raises(IncidentRaised) as err:
        eng.complete(go, "rita", {})
    message = str(err.value)
    assert "1,048,576 bytes" in message and "TURNUS_MAX_CASE_DATA_BYTES" in message and "'Grow'" in message
    assert err.value.info.element_id == "grow"
    view = eng.case(case_id, "admin")
    assert view.incident is not None and "blob" not in view.data
    assert [t.element_id for t in view.open_tasks] == ["go"]  # as the failed command found it
    assert eng.verify(case_id) == []


def test_a_start_that_would_store_too_much_data_stores_no_case(eng: Engine) -> None:
    eng.deploy_files({"grows_at_once.bpmn": _model("grows_at_once", AT_ONCE, 2_000_000)}, actor="system")
    with pytest.raises(TurnusError) as err:
        eng.start("grows_at_once", "rita")
    assert "TURNUS_MAX_CASE_DATA_BYTES" in str(err.value)
    assert _case_count(eng) == 0


def test_data_within_the_limit_runs_as_before(eng: Engine) -> None:
    eng.deploy_files({"small.bpmn": _model("small", WITH_TASK, 100_000)}, actor="system")
    case_id = eng.start("small", "rita")
    go = next(t.id for t in eng.tasks_for("rita") if t.case_id == case_id)
    eng.complete(go, "rita", {})
    view = eng.case(case_id, "admin")
    assert len(view.data["blob"]) == 100_000 and [t.element_id for t in view.open_tasks] == ["after"]
