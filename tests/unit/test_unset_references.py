"""Issue 12: a `${var}` in a user task's assignment that nothing in the process can ever set is refused at
deploy, naming the task and the variable; anything that could set it (conservatively) lets it pass."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from tests.helpers.bpmn_models import chain, field, process

MESSAGE = '<bpmn:message id="m" name="go"/>'


def task(attrs: str, inner: str = "") -> str:
    return f'work|<bpmn:userTask id="work" name="Work" {attrs}>{inner}</bpmn:userTask>'


def refused(body: str) -> str:
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"p.bpmn": process("p", body, MESSAGE)})
    return str(err.value)


@pytest.mark.parametrize("attrs,inner,attr,var", [
    ('camunda:assignee="${assignee}"', "", "assignee", "assignee"),
    ('camunda:candidateUsers="bob, ${helper}"', "", "candidateUsers", "helper"),
    ('camunda:candidateGroups="${team}"', "", "candidateGroups", "team"),
    ('camunda:assignee="rita" camunda:dueDate="${deadline}"', "", "dueDate", "deadline"),
    ("", "<bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>${boss.name}"
         "</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>", "assignee", "boss"),
])
def test_a_reference_nothing_sets_is_refused(attrs: str, inner: str, attr: str, var: str) -> None:
    message = refused(chain(task(attrs, inner)))
    assert "element 'work'" in message and f"{attr} uses ${{{var}}}" in message
    assert "nothing in this process can ever set" in message and "turnus:startVariable" in message


START_FORM = ('<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>' + field("assignee")
              + "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>")
USES = task('camunda:assignee="${assignee}"')
EARLIER = ('ask|<bpmn:userTask id="ask" name="Ask" camunda:assignee="rita"><bpmn:extensionElements>'
           f'<camunda:formData>{field("assignee")}</camunda:formData></bpmn:extensionElements></bpmn:userTask>')

ACCEPTED = {
    "start form field": chain(USES, start=START_FORM),
    "start variable": ('<bpmn:extensionElements><camunda:properties><camunda:property name="turnus:startVariable" '
                       'value="assignee:string"/></camunda:properties></bpmn:extensionElements>' + chain(USES)),
    "initiator": chain(USES, start='<bpmn:startEvent id="s" camunda:initiator="assignee"/>'),
    "task form field": chain(EARLIER, USES),
    "multi-instance element variable": chain(task(
        'camunda:assignee="${assignee}"',
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="people" camunda:elementVariable="assignee"/>')),
    "script task": chain('sc|<bpmn:scriptTask id="sc" scriptFormat="python"><bpmn:script>assignee = "rita"'
                         "</bpmn:script></bpmn:scriptTask>", USES),
    "message catch": chain('got|<bpmn:intermediateCatchEvent id="got"><bpmn:messageEventDefinition messageRef="m"/>'
                           "</bpmn:intermediateCatchEvent>", USES),
    "literal": chain(task('camunda:assignee="rita"')),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_a_reference_something_can_set_deploys(case: str) -> None:
    assert load_bundles({"p.bpmn": process("p", ACCEPTED[case], MESSAGE)})


def test_a_process_another_process_calls_gets_its_data_from_the_caller() -> None:
    caller = process("caller", chain('sub|<bpmn:callActivity id="sub" calledElement="p"/>',
                                     start=START_FORM))
    assert load_bundles({"caller.bpmn": caller, "p.bpmn": process("p", chain(USES))})
