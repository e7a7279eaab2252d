"""Issue 12: Camunda 7 files name people in BPMN's potentialOwner / humanPerformer and in mixed case."""

from __future__ import annotations

import pytest

from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bounded_models import model

TASKS = model("people", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="offered"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="performed"/>
    <bpmn:userTask id="offered" name="Offered">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:potentialOwner><bpmn:resourceAssignmentExpression>
        <bpmn:formalExpression>user(aUser), group(Accounting), management</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:userTask id="performed" name="Performed" camunda:candidateGroups="Sales">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:humanPerformer><bpmn:resourceAssignmentExpression>
        <bpmn:formalExpression>Kermit</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:humanPerformer>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="offered" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="performed" targetRef="join"/>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
""")


def test_potential_owner_and_human_performer_reach_the_people_they_name(engine: Engine) -> None:
    [result] = engine.deploy_files({"people.bpmn": TASKS}, actor="system")
    assert not result.warnings  # ids match in any case (issue 25): nothing to warn about
    engine.add_user("starter")
    engine.add_user("auser")
    engine.add_user("bea", groups=["accounting"])
    engine.add_user("max", groups=["management"])
    engine.add_user("kermit")
    case_id = engine.start("people", "starter")
    tasks = {t.element_id: t for t in engine.case(case_id, "starter").open_tasks}
    offered, performed = tasks["offered"], tasks["performed"]
    assert offered.candidate_users == ("auser",)
    assert set(offered.candidate_groups) == {"accounting", "management"}  # a bare name is a group, as in Camunda
    assert performed.assignee == "kermit" and performed.candidate_groups == ("sales",)
    for who in ("auser", "bea", "max"):
        assert [t.element_id for t in engine.tasks_for(who)] == ["offered"], who
    assert [t.element_id for t in engine.tasks_for("kermit")] == ["performed"]


def test_an_unreadable_potential_owner_is_refused_naming_the_task(engine: Engine) -> None:
    bad = TASKS.replace(b"user(aUser), group(Accounting), management", b"role(clerks)")
    with pytest.raises(DefinitionInvalid) as err:
        engine.deploy_files({"people.bpmn": bad}, actor="system")
    assert "offered" in str(err.value) and "'role(clerks)'" in str(err.value) and "group(NAME)" in str(err.value)
