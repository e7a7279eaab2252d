"""Small BPMN models built inline for conformance tests (issue 12): one model per construct."""

from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://turnus.test">\n')


def process(pid: str, body: str, extra: str = "") -> bytes:
    """A file with one executable process ``pid``; ``extra`` goes before it (messages, signals, errors)."""
    return f'{HEAD}{extra}\n<bpmn:process id="{pid}" isExecutable="true">\n{body}\n</bpmn:process>\n' \
           '</bpmn:definitions>\n'.encode()


def flow(ident: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}"/>\n'
    return (f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>\n')


def user_task(ident: str, who: str = "rita", fields: str = "") -> str:
    form = (f"<bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>"
            if fields else "")
    return f'<bpmn:userTask id="{ident}" name="{ident}" camunda:assignee="{who}">{form}</bpmn:userTask>\n'


def field(ident: str, kind: str = "string") -> str:
    return f'<camunda:formField id="{ident}" type="{kind}"/>'


def chain(*nodes: str, start: str = '<bpmn:startEvent id="s"/>', end: str = '<bpmn:endEvent id="e"/>') -> str:
    """start -> nodes... -> end, each node given as (id, xml) joined by flows; ``nodes`` are "id|xml"."""
    parts, prev = [start + "\n"], "s"
    for i, node in enumerate(nodes):
        ident, xml = node.split("|", 1)
        parts.append(flow(f"c{i}", prev, ident) + xml + "\n")
        prev = ident
    parts.append(flow("c_end", prev, "e") + end)
    return "".join(parts)


ERROR = '<bpmn:error id="err" name="Failure" errorCode="E1"/>'
