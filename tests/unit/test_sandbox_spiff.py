"""SandboxScriptEngine inside real SpiffWorkflow workflows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import ScriptFailed
from engine.sandbox import Sandbox
from engine.sandbox.spiff import SandboxEnvironment, SandboxScriptEngine, find_script_failure

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://turnus.test">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc" name="Calculate" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="small"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>big</bpmn:outgoing><bpmn:outgoing>small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gw"/>
    <bpmn:sequenceFlow id="big" sourceRef="gw" targetRef="end_big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gw" targetRef="end_small"/>
    <bpmn:endEvent id="end_big"><bpmn:incoming>big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>small</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(timeout=2.0, workers=2)
    yield sb
    sb.close()


def run(sandbox: Sandbox, script: str, condition: str = "x &gt; 5", data: dict | None = None) -> BpmnWorkflow:
    parser = CamundaParser()
    parser.add_bpmn_str(BPMN.replace("SCRIPT", script).replace("CONDITION", condition).encode())
    wf = BpmnWorkflow(parser.get_spec("proc"), script_engine=SandboxScriptEngine(sandbox))
    start = wf.get_next_task(state=TaskState.READY, spec_name="Start", max_depth=10**6)
    if data:
        start.data.update(data)
    wf.do_engine_steps()
    return wf


def finished_at(wf: BpmnWorkflow) -> set[str]:
    return {t.task_spec.name for t in wf.get_tasks(state=TaskState.COMPLETED, max_depth=10**6)
            if t.task_spec.name.startswith("end_")}


def test_script_and_gateway_run_in_the_sandbox(sandbox: Sandbox) -> None:
    wf = run(sandbox, "x = add_days(d, 1)\ny = a + 10\ndel tmp", "y &gt; 5",
             {"a": 1, "d": "2027-05-01", "tmp": 1})
    assert wf.is_completed()
    assert finished_at(wf) == {"end_big"}
    assert wf.last_task.data == {"a": 1, "d": "2027-05-01", "x": "2027-05-02", "y": 11}
    wf = run(sandbox, "x = a", data={"a": 1})
    assert finished_at(wf) == {"end_small"}


def test_import_in_a_script_task_fails_with_script_failed(sandbox: Sandbox) -> None:
    with pytest.raises(ScriptFailed) as info:
        run(sandbox, "x = 1\nos = __import__('os')")
    assert info.value.kind == "forbidden"
    assert info.value.line == 2
    assert any("element 'calc'" in note for note in info.value.__notes__)


def test_runtime_error_in_a_script_task(sandbox: Sandbox) -> None:
    with pytest.raises(ScriptFailed) as info:
        run(sandbox, "x = 1\ny = open('/etc/passwd')")
    assert (info.value.kind, info.value.line) == ("error", 2)
    assert str(info.value) == "NameError: name 'open' is not defined"


def test_gateway_condition_runs_in_the_sandbox(sandbox: Sandbox) -> None:
    with pytest.raises(ScriptFailed) as info:
        run(sandbox, "x = 1", "().__class__.__mro__")
    assert info.value.kind == "forbidden"
    assert find_script_failure(info.value) is info.value


def test_environment_updates_task_data_in_place(sandbox: Sandbox) -> None:
    env = SandboxEnvironment(sandbox)
    data = {"a": 1, "gone": True}
    same = data
    assert env.execute("b = a + shared\ndel gone", data, {"shared": 2}) is True
    assert same is data
    assert data == {"a": 1, "b": 3}
    assert env.evaluate("a + dmninputexpr", data, {"dmninputexpr": 4}) == 5


def test_validate_raises_syntax_error_as_dmn_expects(sandbox: Sandbox) -> None:
    engine = SandboxScriptEngine(sandbox)
    engine.validate("a > 3")
    with pytest.raises(SyntaxError):
        engine.validate("> 3")
    with pytest.raises(SyntaxError, match="__class__"):
        engine.validate("x.__class__")


def test_find_script_failure_through_wrapping() -> None:
    assert find_script_failure(RuntimeError("unrelated")) is None
    try:
        try:
            raise ScriptFailed("boom", kind="error")
        except ScriptFailed:
            raise RuntimeError("wrapped")  # noqa: B904 - what SpiffWorkflow's DMN code does
    except RuntimeError as outer:
        found = find_script_failure(outer)
        assert found is not None and str(found) == "boom"


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="D"
    namespace="http://turnus.test">
  <decision id="decide" name="Decide">
    <decisionTable id="table">
      <input id="i1" label="Amount">
        <inputExpression id="ie1" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="o1" name="level" typeRef="string"/>
      <rule id="r1"><inputEntry id="e1"><text>&lt; 100</text></inputEntry>
        <outputEntry id="oe1"><text>"low"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="e2"><text>&gt;= 100</text></inputEntry>
        <outputEntry id="oe2"><text>OUT</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""

DMN_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://turnus.test">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="rule" camunda:decisionRef="decide">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rule"/>
    <bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def run_dmn(sandbox: Sandbox, output: str, amount: int) -> BpmnWorkflow:
    parser = CamundaParser()
    parser.add_bpmn_str(DMN_BPMN.encode())
    parser.add_dmn_str(DMN.replace("OUT", output).encode())
    wf = BpmnWorkflow(parser.get_spec("proc"), script_engine=SandboxScriptEngine(sandbox))
    wf.get_next_task(spec_name="Start").data["amount"] = amount
    wf.do_engine_steps()
    return wf


def test_dmn_cells_run_in_the_sandbox(sandbox: Sandbox) -> None:
    assert run_dmn(sandbox, '"high"', 5).last_task.data == {"amount": 5, "level": "low"}
    assert run_dmn(sandbox, '"high"', 500).last_task.data == {"amount": 500, "level": "high"}


def test_dmn_failure_is_wrapped_by_spiff_but_findable(sandbox: Sandbox) -> None:
    with pytest.raises(Exception) as info:
        run_dmn(sandbox, "().__class__", 500)
    found = find_script_failure(info.value)
    assert found is not None and found.kind == "forbidden"
