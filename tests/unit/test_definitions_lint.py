"""Deploy-time lint: every refusal names file, element and line, with a message a modeller can act on."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid, Problem

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://turnus.test">
"""
# Body lines start at line 5 (1: declaration, 2: definitions, 3: extra, 4: process).


def bpmn(body: str, extra: str = "", executable: str = "true") -> bytes:
    return (
        f'{HEAD}{extra}\n  <bpmn:process id="p" isExecutable="{executable}">\n{body}\n'
        "  </bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def chain(middle: str, first: str = "t") -> str:
    """start -> middle (whose first element is ``first`` and last ``t_end``) -> end."""
    return (
        f'<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f_s" sourceRef="s" targetRef="{first}" />\n'
        f"{middle}\n"
        '<bpmn:sequenceFlow id="f_e" sourceRef="t_end" targetRef="e" /><bpmn:endEvent id="e" />'
    )


TASK = '<bpmn:userTask id="{id}" name="Work" camunda:assignee="ann" />'


def errors(files: dict[str, bytes] | bytes) -> list[Problem]:
    if isinstance(files, bytes):
        files = {"p.bpmn": files}
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles(files)
    return [p for p in info.value.problems if p.severity == "error"]


def only(files: dict[str, bytes] | bytes) -> Problem:
    found = errors(files)
    assert len(found) == 1, found
    return found[0]


def user_then(middle: str) -> str:
    """start -> t (user task) -> middle ... -> t_end -> end."""
    return chain(TASK.format(id="t") + middle)


def test_a_clean_file_is_accepted() -> None:
    body = chain(TASK.format(id="t") + '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end" />'
                 + TASK.format(id="t_end"))
    (bundle,) = load_bundles({"p.bpmn": bpmn(body)})
    assert bundle.warnings == ()


def test_sequence_flows_without_id_get_stable_generated_ids() -> None:
    # Camunda runs such files; SpiffWorkflow would drop the flows (issue 12).
    body = ('<bpmn:startEvent id="s" />\n<bpmn:sequenceFlow sourceRef="s" targetRef="t" />\n'
            + TASK.format(id="t") + '<bpmn:sequenceFlow sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />')
    [first] = load_bundles({"p.bpmn": bpmn(body)})
    [again] = load_bundles({"p.bpmn": bpmn(body)})
    assert '"outputs": ["t"]' in first.spec_json and '"outputs": ["e"]' in first.spec_json
    assert first.spec_json == again.spec_json and b"sourceRef=\"s\" targetRef" in first.files["p.bpmn"]


@pytest.mark.parametrize(
    "kind, text, quoted",
    [("timeDuration", "PT5M", '"PT5M"'), ("timeDate", "2027-01-01T09:00:00+01:00", '"2027-01-01T09:00:00+01:00"'),
     ("timeCycle", "R3/PT1H", '"R3/PT1H"')],
)
def test_unquoted_timer_expression_says_to_quote_it(kind: str, text: str, quoted: str) -> None:
    timer = (f'<bpmn:intermediateCatchEvent id="t_end"><bpmn:timerEventDefinition id="td">'
             f"<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    problem = only(bpmn(chain(timer, first="t_end")))
    assert problem.element_id == "t_end" and problem.line == 6
    assert "is not a Python expression" in problem.message and f"e.g. {quoted}" in problem.message


@pytest.mark.parametrize(
    "kind, text, fragment",
    [("timeDate", '"2027-01-01T09:00:00"', "add an offset, e.g. +01:00"),
     ("timeCycle", '"R/2027-01-01T09:00:00/P1D"', "add an offset, e.g. +01:00"),
     ("timeDuration", '"P2X"', "not an ISO 8601 duration"),
     ("timeDate", '"next monday"', "not an ISO 8601 date-time"),
     ("timeDuration", "due +", "SyntaxError")],
)
def test_bad_literal_timers(kind: str, text: str, fragment: str) -> None:
    timer = (f'<bpmn:intermediateCatchEvent id="t_end"><bpmn:timerEventDefinition id="td">'
             f"<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    problem = only(bpmn(chain(timer, first="t_end")))
    assert fragment in problem.message and problem.element_id == "t_end"


@pytest.mark.parametrize(
    "kind, text",
    [("timeDate", '"2027-01-01T09:00:00+01:00"'), ("timeDate", "reminder_at"), ("timeDuration", '"P14D"'),
     ("timeCycle", '"R/P14D"'), ("timeCycle", '"R2/2027-01-01T09:00:00Z/PT1H"')],
)
def test_good_timers_pass(kind: str, text: str) -> None:
    timer = (f'<bpmn:intermediateCatchEvent id="t_end"><bpmn:timerEventDefinition id="td">'
             f"<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    assert load_bundles({"p.bpmn": bpmn(chain(timer, first="t_end"))})


def test_signal_end_event_deploys() -> None:  # issue 28: it broadcasts (tests/integration/test_signal_end.py)
    body = ('<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />\n'
            '<bpmn:endEvent id="e"><bpmn:signalEventDefinition id="sd" signalRef="sig" /></bpmn:endEvent>')
    assert load_bundles({"p.bpmn": bpmn(body, extra='<bpmn:signal id="sig" name="done" />')})


def test_link_events_deploy() -> None:  # issue 28: tests/integration/test_link_events.py runs them
    body = chain(
        '<bpmn:intermediateThrowEvent id="t"><bpmn:linkEventDefinition id="l1" name="L" />'
        "</bpmn:intermediateThrowEvent>\n"
        '<bpmn:intermediateCatchEvent id="t_end"><bpmn:linkEventDefinition id="l2" name="L" />'
        "</bpmn:intermediateCatchEvent>"
    )
    assert load_bundles({"p.bpmn": bpmn(body)})


def test_compensation_throw_and_end_events_deploy() -> None:  # issue 28: tests/integration/test_compensation.py
    body = ('<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c" />\n'
            '<bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition id="cd" />'
            "</bpmn:intermediateThrowEvent>"
            '<bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e" />\n'
            '<bpmn:endEvent id="e"><bpmn:compensateEventDefinition id="cd2" /></bpmn:endEvent>')
    assert load_bundles({"p.bpmn": bpmn(body)})


def test_error_start_event_in_event_subprocess_deploys() -> None:  # issue 28
    body = (TASK.format(id="t") + '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end" />'
            + TASK.format(id="t_end") + '\n<bpmn:subProcess id="es" triggeredByEvent="true">'
            '<bpmn:startEvent id="es_s"><bpmn:errorEventDefinition id="ed" /></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="es_f" sourceRef="es_s" targetRef="es_e" /><bpmn:endEvent id="es_e" />'
            "</bpmn:subProcess>")
    assert load_bundles({"p.bpmn": bpmn(chain(body))})


@pytest.mark.parametrize("kind", ["error", "escalation"])
def test_an_error_or_escalation_start_outside_an_event_subprocess_is_refused(kind: str) -> None:
    body = (f'<bpmn:startEvent id="s"><bpmn:{kind}EventDefinition id="ed" /></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />')
    problem = only(bpmn(body))
    assert problem.element_id == "s" and f"{kind} start events belong in an event subprocess" in problem.message


def test_a_non_interrupting_error_start_is_refused() -> None:
    body = (TASK.format(id="t") + '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end" />'
            + TASK.format(id="t_end") + '\n<bpmn:subProcess id="es" triggeredByEvent="true">'
            '<bpmn:startEvent id="es_s" isInterrupting="false"><bpmn:errorEventDefinition id="ed" /></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="es_f" sourceRef="es_s" targetRef="es_e" /><bpmn:endEvent id="es_e" />'
            "</bpmn:subProcess>")
    problem = only(bpmn(chain(body)))
    assert problem.element_id == "es_s" and "an error start event always interrupts" in problem.message


def test_user_task_with_nobody_is_refused() -> None:
    body = chain('<bpmn:userTask id="t" name="Orphan" /><bpmn:sequenceFlow id="f1" sourceRef="t" '
                 'targetRef="t_end" />' + TASK.format(id="t_end"))
    problem = only(bpmn(body))
    assert problem.element_id == "t" and "nobody can work on this user task" in problem.message


def test_a_named_lane_is_enough_also_for_tasks_in_subprocesses() -> None:
    lanes = ('<bpmn:laneSet id="ls"><bpmn:lane id="l" name="Clerks"><bpmn:flowNodeRef>t</bpmn:flowNodeRef>'
             "<bpmn:flowNodeRef>t_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n")
    sub = ('<bpmn:subProcess id="t_end"><bpmn:startEvent id="ss" /><bpmn:sequenceFlow id="sf1" sourceRef="ss" '
           'targetRef="inner" /><bpmn:userTask id="inner" /><bpmn:sequenceFlow id="sf2" sourceRef="inner" '
           'targetRef="se" /><bpmn:endEvent id="se" /></bpmn:subProcess>')
    body = lanes + chain('<bpmn:userTask id="t" /><bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end" />'
                         + sub)
    (bundle,) = load_bundles({"p.bpmn": bpmn(body)})
    assert bundle.processes["p"].user_tasks["inner"].lane == "Clerks"


def test_missing_dmn_decision_is_refused() -> None:
    body = chain('<bpmn:businessRuleTask id="t_end" camunda:decisionRef="pricing" />', first="t_end")
    problem = only(bpmn(body))
    assert problem.element_id == "t_end" and problem.line == 6
    assert "camunda:decisionRef 'pricing' names no decision" in problem.message


def test_missing_called_process_is_refused() -> None:
    problem = only(bpmn(chain('<bpmn:callActivity id="t_end" calledElement="elsewhere" />', first="t_end")))
    assert "calledElement 'elsewhere' names no process" in problem.message and problem.element_id == "t_end"


@pytest.mark.parametrize(
    "attribute, value",
    [("assignee", "${user.getName()}"), ("candidateGroups", "clerks, #{group}"),
     ("candidateUsers", "${a.b.c}"), ("dueDate", "${now() + 2}"), ("assignee", "${_secret}")],
)
def test_only_simple_references_are_allowed(attribute: str, value: str) -> None:
    task = f'<bpmn:userTask id="t_end" camunda:{attribute}="{value}" camunda:candidateGroups="x" />'
    if attribute == "candidateGroups":
        task = f'<bpmn:userTask id="t_end" camunda:{attribute}="{value}" />'
    problem = only(bpmn(chain(task, first="t_end")))
    assert f"camunda:{attribute}" in problem.message and "${name} or ${name.attr}" in problem.message


def test_simple_references_and_literals_pass() -> None:
    task = ('<bpmn:userTask id="t_end" camunda:assignee="${case.owner}" camunda:candidateGroups="a, ${team}" '
            'camunda:dueDate="2027-05-01" camunda:followUpDate="P2D" camunda:priority="${prio}" />')
    # The referenced names must be settable (issue 12): here they are declared start variables.
    declared = ("<bpmn:extensionElements><camunda:properties>" + "".join(
        f'<camunda:property name="turnus:startVariable" value="{v}"/>' for v in ("case:string", "team:string",
                                                                                 "prio:long"))
        + "</camunda:properties></bpmn:extensionElements>")
    assert load_bundles({"p.bpmn": bpmn(declared + chain(task, first="t_end"))})


def test_literal_due_date_without_offset_is_refused() -> None:
    task = '<bpmn:userTask id="t_end" camunda:assignee="a" camunda:dueDate="2027-05-01T12:00:00" />'
    assert "add an offset" in only(bpmn(chain(task, first="t_end"))).message


def test_back_edge_loop_is_a_warning_not_an_error() -> None:
    body = chain(
        TASK.format(id="t") + '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="gw" />'
        '<bpmn:exclusiveGateway id="gw" name="Again?" default="f_out" />'
        '<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="t"><bpmn:conditionExpression>again'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_out" sourceRef="gw" targetRef="t_end" />' + TASK.format(id="t_end")
    )
    (bundle,) = load_bundles({"p.bpmn": bpmn(body)})
    (warning,) = bundle.warnings
    assert warning.severity == "warning" and warning.element_id == "gw" and warning.line == 6
    assert "standardLoopCharacteristics" in warning.message and "multi-instance" in warning.message


def test_script_syntax_error_points_at_the_script_line() -> None:
    script = ('<bpmn:scriptTask id="t_end"><bpmn:script>a = 1\nb = (\n</bpmn:script></bpmn:scriptTask>')
    problem = only(bpmn(chain(script, first="t_end")))
    assert problem.element_id == "t_end" and problem.message.startswith("script: line 2")
    assert problem.line == 7  # the script starts on line 6 of the file; its line 2 is line 7


def test_script_that_escapes_the_sandbox_rules_is_refused() -> None:
    script = '<bpmn:scriptTask id="t_end"><bpmn:script>x = ().__class__</bpmn:script></bpmn:scriptTask>'
    assert "__class__" in only(bpmn(chain(script, first="t_end"))).message


def test_non_python_script_format_is_refused() -> None:
    script = ('<bpmn:scriptTask id="t_end" scriptFormat="javascript"><bpmn:script>x = 1</bpmn:script>'
              "</bpmn:scriptTask>")
    assert "scripts are Python" in only(bpmn(chain(script, first="t_end"))).message


def test_condition_syntax_with_camunda_el_hint() -> None:
    body = chain(
        '<bpmn:exclusiveGateway id="t" default="f2" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end"><bpmn:conditionExpression>${approved}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="t_end" />' + TASK.format(id="t_end")
    )
    problem = only(bpmn(body))
    assert problem.element_id == "f1" and "not Camunda EL" in problem.message


def test_condition_on_a_flow_leaving_a_task_is_refused() -> None:
    body = chain(TASK.format(id="t") + '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end">'
                 "<bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>"
                 + TASK.format(id="t_end"))
    problem = only(bpmn(body))
    assert problem.element_id == "f1" and "would be ignored" in problem.message


def test_multi_instance_and_loop_expressions_are_checked() -> None:
    body = chain(
        '<bpmn:userTask id="t" camunda:assignee="a"><bpmn:multiInstanceLoopCharacteristics '
        'camunda:collection="${items}" camunda:elementVariable="item"><bpmn:completionCondition>done ='
        "</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="m" />'
        '<bpmn:userTask id="m" camunda:assignee="a"><bpmn:multiInstanceLoopCharacteristics>'
        "<bpmn:loopCardinality>3 +</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="m" targetRef="t_end" />'
        '<bpmn:userTask id="t_end" camunda:assignee="a"><bpmn:standardLoopCharacteristics>'
        "<bpmn:loopCondition>count &gt;</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:userTask>"
    )
    found = sorted((p.element_id or "", p.message) for p in errors(bpmn(body)))
    assert [(ident, message.split(" ")[0]) for ident, message in found] == [
        ("m", "loopCardinality:"), ("t", "camunda:collection"), ("t", "completionCondition:"),
        ("t_end", "loopCondition:"),
    ]
    assert "must name a list in the case data" in found[1][1]


def test_unsupported_constructs_are_refused() -> None:
    body = chain(
        '<bpmn:serviceTask id="t" camunda:class="com.acme.Mail" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="g" />'
        '<bpmn:complexGateway id="g" /><bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="x" />'
        '<bpmn:task id="x" camunda:delegateExpression="${mailer}"><bpmn:extensionElements>'
        '<camunda:executionListener event="start" class="com.acme.L" /></bpmn:extensionElements></bpmn:task>'
        '<bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="t_end" />' + TASK.format(id="t_end")
    )
    found = errors(bpmn(body))
    messages = {p.element_id: [] for p in found}
    for p in found:
        messages[p.element_id].append(p.message)
    assert any("service tasks run only as external tasks" in m for m in messages["t"])
    assert any("complex gateways" in m for m in messages["g"])
    assert any("camunda:delegateExpression is not supported" in m for m in messages["x"])
    assert any("execution listeners are not run" in m for m in messages["x"])


def test_no_executable_process_is_refused() -> None:
    problem = only(bpmn(chain(TASK.format(id="t_end"), first="t_end"), executable="false"))
    assert problem.element_id == "p" and "no executable process" in problem.message


def test_form_definition_errors() -> None:
    task = (
        '<bpmn:userTask id="t_end" camunda:assignee="a"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="1st" type="string" />'
        '<camunda:formField id="n" type="long" defaultValue="many" />'
        '<camunda:formField id="k" type="enum" />'
        '<camunda:formField id="s" type="string"><camunda:validation>'
        '<camunda:constraint name="validator" config="com.acme.V" /></camunda:validation></camunda:formField>'
        '<camunda:formField id="s" type="string" />'
        "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
    )
    found = [p.message for p in errors(bpmn(chain(task, first="t_end")))]
    assert len(found) == 5
    assert any("'1st' is not usable" in m for m in found)
    assert any("defaultValue 'many'" in m for m in found)
    assert any("needs at least one camunda:value" in m for m in found)
    assert any("constraint 'validator' is not supported" in m for m in found)
    assert any("declared twice" in m for m in found)


def test_all_errors_are_reported_together_across_files() -> None:
    one = bpmn(chain('<bpmn:userTask id="t_end" />', first="t_end"))
    two = bpmn(chain('<bpmn:callActivity id="t_end" calledElement="nowhere" />', first="t_end")).replace(
        b'id="p"', b'id="p2"')
    found = errors({"one.bpmn": one, "two.bpmn": two})
    assert [(p.file, p.element_id) for p in found] == [("one.bpmn", "t_end"), ("two.bpmn", "t_end")]


def test_manual_task_is_refused() -> None:
    problem = only(bpmn(chain('<bpmn:manualTask id="t_end" />', first="t_end")))
    assert "manual tasks are not supported" in problem.message


def test_cycle_timer_on_the_process_start_event_is_refused() -> None:
    body = ('<bpmn:startEvent id="s"><bpmn:timerEventDefinition id="td"><bpmn:timeCycle>"R/P1D"'
            '</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />')
    problem = only(bpmn(body))
    assert problem.element_id == "s" and "instead of starting new cases" in problem.message


def test_the_el_hint_names_the_expression_and_only_for_el() -> None:
    def condition(text: str) -> str:
        return only(bpmn(chain(
            '<bpmn:exclusiveGateway id="t" default="f2" />'
            f'<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="t_end"><bpmn:conditionExpression>{text}'
            "</bpmn:conditionExpression></bpmn:sequenceFlow>"
            '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="t_end" />' + TASK.format(id="t_end")))).message

    assert "write amount &gt; 5 instead of ${amount &gt; 5}".replace("&gt;", ">") in condition("${amount &gt; 5}")
    # Python with "${" inside a string is not EL: its syntax error gets no EL hint.
    assert "Camunda EL" not in condition("note == '${x}' and (")


def test_a_process_without_a_start_event_is_refused() -> None:
    body = '<bpmn:task id="a" /><bpmn:sequenceFlow id="f" sourceRef="a" targetRef="e" /><bpmn:endEvent id="e" />'
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": bpmn(body)})
    assert any("the process has no start event" in p.message for p in refused.value.problems)


def test_an_external_service_task_is_accepted_and_needs_a_fixed_topic() -> None:
    ok = chain('<bpmn:serviceTask id="t_end" camunda:type="external" camunda:topic="payments" />', first="t_end")
    (bundle,) = load_bundles({"p.bpmn": bpmn(ok)})
    assert bundle.key == "p"
    for topic in ('', ' camunda:topic=" "', ' camunda:topic="${kind}"'):
        body = chain(f'<bpmn:serviceTask id="t_end" camunda:type="external"{topic} />', first="t_end")
        problem = only(bpmn(body))
        assert (problem.element_id, problem.reason) == ("t_end", "external_topic")
        assert "needs a camunda:topic" in problem.message
