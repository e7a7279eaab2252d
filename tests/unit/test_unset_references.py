"""Issues 12 and 23: a `${var}` in a user task's assignment that nothing in the process can ever set becomes a
required start variable (it was a deploy refusal); anything that could set it (conservatively) infers nothing."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from tests.helpers.bpmn_models import chain, field, process

MESSAGE = '<bpmn:message id="m" name="go"/>'


def task(attrs: str, inner: str = "") -> str:
    return f'work|<bpmn:userTask id="work" name="Work" {attrs}>{inner}</bpmn:userTask>'


def inferred(body: str) -> list[tuple[str, str, bool]]:
    [bundle] = load_bundles({"p.bpmn": process("p", body, MESSAGE)})
    return [(f.id, f.properties.get("inferred_from", ""), f.required)
            for f in bundle.processes[bundle.key].start_variables.fields]


@pytest.mark.parametrize("attrs,inner,attr,var", [
    ('camunda:assignee="${assignee}"', "", "assignee", "assignee"),
    ('camunda:candidateUsers="bob, ${helper}"', "", "candidateUsers", "helper"),
    ('camunda:candidateGroups="${team}"', "", "candidateGroups", "team"),
    ('camunda:assignee="rita" camunda:dueDate="${deadline}"', "", "dueDate", "deadline"),
    ("", "<bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>${boss.name}"
         "</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>", "assignee", "boss"),
])
def test_a_reference_nothing_sets_becomes_a_required_start_variable(attrs: str, inner: str, attr: str,
                                                                    var: str) -> None:
    assert inferred(chain(task(attrs, inner))) == [(var, attr, True)]


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
def test_a_reference_something_can_set_is_not_asked_for_at_start(case: str) -> None:
    # (the multi-instance case still needs its collection, "people", from the starter)
    assert "assignee" not in [name for name, use, _required in inferred(ACCEPTED[case]) if use]


def test_a_process_another_process_calls_gets_its_data_from_the_caller() -> None:
    caller = process("caller", chain('sub|<bpmn:callActivity id="sub" calledElement="p"/>',
                                     start=START_FORM))
    assert load_bundles({"caller.bpmn": caller, "p.bpmn": process("p", chain(USES))})
