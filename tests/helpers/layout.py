"""A plain diagram (BPMN DI) for a model written without one, so the modeller can show it: each scope's flow
nodes in a row, an expanded subprocess around its own row, boundary events on their activity's lower edge,
every sequence flow and association a straight line between centres. Enough to see and simulate, not pretty."""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DDI = "http://www.omg.org/spec/DD/20100524/DI"
_SKIP = {"sequenceFlow", "association", "boundaryEvent", "multiInstanceLoopCharacteristics", "extensionElements",
         "script", "documentation"}


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _size(el: etree._Element) -> tuple[int, int]:
    name = _local(el)
    if name.endswith("Event"):
        return 36, 36
    if name.endswith("Gateway"):
        return 50, 50
    return 100, 80


def _lay_out(scope: etree._Element, x0: int, y0: int, boxes: dict[str, tuple[int, int, int, int]]) -> tuple[int, int]:
    """Place the flow nodes of ``scope`` in a row from (x0, y0); returns the row's width and height."""
    x, height = x0, 0
    for el in scope:
        if not isinstance(el.tag, str) or _local(el) in _SKIP or el.get("id") is None:
            continue
        if _local(el) in ("subProcess", "transaction"):
            w, h = _lay_out(el, x + 30, y0 + 40, boxes)
            w, h = max(w + 60, 200), h + 80
        else:
            w, h = _size(el)
        boxes[el.get("id", "")] = (x, y0 + (0 if h > 80 else (80 - h) // 2), w, h)
        x, height = x + w + 50, max(height, h)
    return x - x0, height


def with_diagram(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    process = root.find(f"{{{BPMN}}}process")
    boxes: dict[str, tuple[int, int, int, int]] = {}
    _lay_out(process, 80, 80, boxes)
    for n, boundary in enumerate(process.iter(f"{{{BPMN}}}boundaryEvent")):
        hx, hy, _w, hh = boxes[boundary.get("attachedToRef", "")]
        boxes[boundary.get("id", "")] = (hx + 10 + 40 * (n % 2), hy + hh - 18, 36, 36)
    diagram = etree.SubElement(root, f"{{{DI}}}BPMNDiagram", id="diagram")
    plane = etree.SubElement(diagram, f"{{{DI}}}BPMNPlane", id="plane", bpmnElement=process.get("id", ""))
    for ident, (x, y, w, h) in boxes.items():
        shape = etree.SubElement(plane, f"{{{DI}}}BPMNShape", id=f"{ident}_di", bpmnElement=ident)
        if w >= 200 and h > 80:
            shape.set("isExpanded", "true")
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(x), y=str(y), width=str(w), height=str(h))
    for link in [*process.iter(f"{{{BPMN}}}sequenceFlow"), *process.iter(f"{{{BPMN}}}association")]:
        edge = etree.SubElement(plane, f"{{{DI}}}BPMNEdge", id=f"{link.get('id')}_di", bpmnElement=link.get("id", ""))
        for end in (link.get("sourceRef", ""), link.get("targetRef", "")):
            x, y, w, h = boxes[end]
            etree.SubElement(edge, f"{{{DDI}}}waypoint", x=str(x + w // 2), y=str(y + h // 2))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
