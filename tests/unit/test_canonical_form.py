"""What counts as a change of a definition file (engine.definitions.canonical), element by element."""

from __future__ import annotations

from engine.definitions.canonical import canonical_hash

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" exporter="Turnus" exporterVersion="1">')
PROCESS = ('<bpmn:process id="p" isExecutable="true"><bpmn:documentation>Note</bpmn:documentation>'
           '<bpmn:startEvent id="s" name="Start"/><bpmn:exclusiveGateway id="g"/>'
           '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/></bpmn:process>')
SHAPES = ('<bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="1" y="2" width="36" height="36"/>'
          '</bpmndi:BPMNShape>', '<bpmndi:BPMNShape id="g_di" bpmnElement="g"><dc:Bounds x="90" y="2" width="50" '
          'height="50"/></bpmndi:BPMNShape>', '<bpmndi:BPMNEdge id="f_di" bpmnElement="f"><di:waypoint x="37" '
          'y="20"/><di:waypoint x="90" y="27"/></bpmndi:BPMNEdge>')


def doc(process: str = PROCESS, shapes: tuple[str, ...] = SHAPES, head: str = HEAD) -> dict[str, bytes]:
    body = (f'{head}{process}<bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
            f'{"".join(shapes)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>')
    return {"p.bpmn": body.encode()}


SAME = canonical_hash(doc())


def test_what_a_modeller_writes_about_itself_and_its_drawing_order_do_not_count() -> None:
    other_tool = HEAD.replace('exporter="Turnus" exporterVersion="1"', 'exporterVersion="17.11.1" exporter="bpmn-js"')
    assert canonical_hash(doc(head=other_tool)) == SAME
    assert canonical_hash(doc(shapes=tuple(reversed(SHAPES)))) == SAME
    assert canonical_hash(doc(shapes=(SHAPES[0], SHAPES[1].replace('bpmnElement="g"', 'bpmnElement="g" '
                                                                   'isMarkerVisible="true"'), SHAPES[2]))) == SAME
    spaced = PROCESS.replace("><", ">\n    <").replace("<bpmn:documentation>Note", "<bpmn:documentation>\n  Note ")
    assert canonical_hash(doc(process=spaced)) == SAME


def test_names_expressions_documentation_and_waypoint_order_count() -> None:
    assert canonical_hash(doc(process=PROCESS.replace('name="Start"', 'name="Begin"'))) != SAME
    assert canonical_hash(doc(process=PROCESS.replace(">Note<", ">Another note<"))) != SAME
    assert canonical_hash(doc(process=PROCESS.replace('targetRef="g"/>', 'targetRef="g"><bpmn:conditionExpression>'
                                                      'x == 1</bpmn:conditionExpression></bpmn:sequenceFlow>'))) != SAME
    first, second = 'x="37" y="20"', 'x="90" y="27"'
    edge = SHAPES[2].replace(first, "A").replace(second, first).replace("A", second)
    assert canonical_hash(doc(shapes=(SHAPES[0], SHAPES[1], edge))) != SAME
    assert canonical_hash({"q.bpmn": doc()["p.bpmn"]}) != SAME  # the file's name is part of the definition
