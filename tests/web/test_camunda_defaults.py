"""Issue 12: Camunda form defaults — dates as Camunda Modeler writes them, and ${var} read from case data."""

from __future__ import annotations

from typing import Any

from engine.service import Engine
from tests.helpers.bounded_models import model

DEFAULTS = model("defaults", """
    <bpmn:startEvent id="start" camunda:initiator="requester">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="title" label="Title" type="string"/>
        <camunda:formField id="wanted" label="Wanted by" type="date" defaultValue="24/12/2027"/>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="Review" camunda:assignee="${requester}">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="summary" label="Summary" type="string" defaultValue="${title}"/>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""")


def test_camunda_date_default_and_reference_default(engine: Engine, as_user: Any) -> None:
    engine.deploy_files({"defaults.bpmn": DEFAULTS}, actor="system")
    rita = as_user("rita")
    start_page = rita.get("/start/defaults").text
    assert 'value="2027-12-24"' in start_page  # dd/MM/yyyy read as a date, shown in the date input
    case_id = engine.start("defaults", "rita", {"title": "New chairs", "wanted": "2027-12-24"})
    task_id = engine.case(case_id, "rita").open_tasks[0].id
    page = rita.get(f"/tasks/{task_id}").text
    assert 'value="New chairs"' in page and "${title}" not in page
