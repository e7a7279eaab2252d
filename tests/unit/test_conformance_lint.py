"""Issue 12: shapes SpiffWorkflow would run wrongly are refused at deploy, naming the element."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid, Problem
from tests.helpers.bpmn_models import chain, field, flow, process, user_task


def _errors(data: bytes) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles({"p.bpmn": data})
    return [p for p in info.value.problems if p.severity == "error"]


def test_an_implicit_start_next_to_a_start_event_is_refused_naming_the_element() -> None:
    body = chain("t1|" + user_task("t1")) + user_task("orphan") + flow("o1", "orphan", "e2") \
        + '<bpmn:endEvent id="e2"/>'
    [problem] = _errors(process("p", body))
    assert problem.element_id == "orphan" and "no incoming sequence flow" in problem.message
    assert "never run" in problem.message


def test_boundary_events_and_event_subprocesses_need_no_incoming_flow() -> None:
    body = chain("t1|" + user_task("t1")) + (
        '<bpmn:boundaryEvent id="b" attachedToRef="t1"><bpmn:timerEventDefinition><bpmn:timeDuration>'
        '"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        + flow("b1", "b", "e3") + '<bpmn:endEvent id="e3"/>'
        '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:startEvent>' + flow("es1", "es", "ee") + '<bpmn:endEvent id="ee"/></bpmn:subProcess>')
    assert load_bundles({"p.bpmn": process("p", body)})


@pytest.mark.parametrize("kind", ["exclusiveGateway", "inclusiveGateway", "parallelGateway"])
def test_a_gateway_without_outgoing_flow_is_refused_naming_it(kind: str) -> None:
    body = '<bpmn:startEvent id="s"/>' + flow("f1", "s", "g") + f'<bpmn:{kind} id="g" name="Which\nway"/>'
    [problem] = _errors(process("p", body))
    assert problem.element_id == "g" and "no outgoing sequence flow" in problem.message
    assert "'Which way' (g)" in problem.message  # a name with a line break stays on one line


def test_a_loop_back_before_a_parallel_split_is_refused_with_the_loop_activity_advice() -> None:
    body = ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "xj") + '<bpmn:exclusiveGateway id="xj"/>'
            + flow("f2", "xj", "ps") + '<bpmn:parallelGateway id="ps"/>' + flow("f3", "ps", "ta")
            + flow("f4", "ps", "tb") + user_task("ta") + user_task("tb") + flow("f5", "ta", "pj")
            + flow("f6", "tb", "pj") + '<bpmn:parallelGateway id="pj"/>' + flow("f7", "pj", "decide")
            + user_task("decide", fields=field("again", "boolean")) + flow("f8", "decide", "xs")
            + '<bpmn:exclusiveGateway id="xs" default="f10"/>' + flow("f9", "xs", "xj", "again")
            + flow("f10", "xs", "e") + '<bpmn:endEvent id="e"/>')
    [problem] = _errors(process("p", body))
    assert problem.element_id == "ps"
    assert "without reaching its end event" in problem.message and "standardLoopCharacteristics" in problem.message


def test_a_loop_without_a_parallel_split_stays_a_warning() -> None:
    body = ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "xj") + '<bpmn:exclusiveGateway id="xj"/>'
            + flow("f2", "xj", "decide") + user_task("decide", fields=field("again", "boolean"))
            + flow("f3", "decide", "xs") + '<bpmn:exclusiveGateway id="xs" default="f5"/>'
            + flow("f4", "xs", "xj", "again") + flow("f5", "xs", "e") + '<bpmn:endEvent id="e"/>')
    [bundle] = load_bundles({"p.bpmn": process("p", body)})
    assert [w.element_id for w in bundle.warnings] == ["xj"]


def test_a_model_with_a_receive_task_deploys() -> None:
    # It was refused with "MessageEventDefinition is not JSON serializable", naming the process.
    extra = '<bpmn:message id="m" name="document_arrived"/>'
    body = chain('rt|<bpmn:receiveTask id="rt" name="Wait for the document" messageRef="m"/>')
    [bundle] = load_bundles({"p.bpmn": process("p", body, extra)})
    assert '"TurnusMessage"' in bundle.spec_json


def test_refusal_output_is_one_line_per_finding_errors_first_and_says_error_once() -> None:
    problems = [Problem("warning", "p.bpmn", "camunda:formKey is ignored", "t", 9),
                Problem("error", "p.bpmn", "first line\nsecond line", "g", 12),
                Problem("error", "p.bpmn", "no id anywhere", None, 3)]
    text = str(DefinitionInvalid(problems))
    lines = text.splitlines()
    assert lines == ["the definition was refused (2 errors); nothing was stored:",
                     "p.bpmn:12: element 'g': first line second line",
                     "p.bpmn:3: no id anywhere",
                     "p.bpmn:9: element 't': warning: camunda:formKey is ignored"]
    assert "error:" not in text
