"""Check a computed layout and write it into the BPMN file as its bpmndi:BPMNDiagram."""

from __future__ import annotations

from pathlib import Path

from layout_geometry import Geometry
from layout_model import BPMN, BPMNDI, CONTAINERS, DC, DI, LANE_HEADER, Box, Layout, q, read_model
from lxml import etree


def problems(geo: Geometry) -> list[str]:
    """Unplaced nodes, overlapping shapes or labels, content outside its subprocess or lane."""
    found: list[str] = []
    nodes = geo.nodes
    for node in nodes.values():
        if node.id not in geo.bounds:
            found.append(f"{node.id}: not placed")
    for flow in geo.flows:
        if flow.id not in geo.edges:
            found.append(f"{flow.id}: no edge")
    leaves = [n for n in nodes.values() if n.kind not in CONTAINERS]
    for i, a in enumerate(leaves):
        for b in leaves[i + 1:]:
            related = a.attached == b.id or b.attached == a.id or (a.attached and a.attached == b.attached)
            if not related and geo.bounds[a.id].overlaps(geo.bounds[b.id], 4):
                found.append(f"{a.id} overlaps {b.id}")
    shapes = [(k, v) for k, v in geo.bounds.items() if nodes[k].kind not in CONTAINERS]
    shapes += [(f"label of {k}", v) for k, v in geo.labels.items()]
    for key, label in geo.labels.items():
        for other, box in shapes:
            if other in (key, f"label of {key}", nodes[key].attached):
                continue
            if label.overlaps(box):
                found.append(f"label of {key} overlaps {other}")
    for node in nodes.values():
        if node.parent and not node.attached and not geo.bounds[node.parent].contains(geo.bounds[node.id]):
            found.append(f"{node.id} sticks out of {node.parent}")
        if node.kind in CONTAINERS:
            for other in nodes.values():
                if (other.kind not in CONTAINERS and not other.attached and not _inside(geo, other.id, node.id)
                        and geo.bounds[node.id].overlaps(geo.bounds[other.id])):
                    found.append(f"{other.id} overlaps subprocess {node.id}")
        if node.lane and not node.attached:
            lo, hi = geo.lane_bands[node.lane]
            if not lo <= geo.bounds[node.id].cy <= hi:
                found.append(f"{node.id} is drawn outside its lane {node.lane}")
    return sorted(set(found))


def _inside(geo: Geometry, node_id: str, box_id: str) -> bool:
    parent = geo.nodes[node_id].parent
    while parent is not None:
        if parent == box_id:
            return True
        parent = geo.nodes[parent].parent
    return False


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, q(DC, "Bounds"), {
        "x": f"{box.x:.0f}", "y": f"{box.y:.0f}", "width": f"{box.w:.0f}", "height": f"{box.h:.0f}"})


def write_diagram(path: Path, process_id: str, layout: Layout) -> list[str]:
    """Lay out ``process_id`` in the file at ``path`` and rewrite its diagram; returns problems found."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    tree = etree.parse(str(path), parser)
    root = tree.getroot()
    nodes, flows = read_model(root, process_id)
    geo = Geometry(nodes, flows, layout)
    geo.compute()
    for old in root.findall(q(BPMNDI, "BPMNDiagram")):
        root.remove(old)
    collaboration = root.find(q(BPMN, "collaboration"))
    participant = collaboration.find(q(BPMN, "participant")) if collaboration is not None else None
    diagram = etree.SubElement(root, q(BPMNDI, "BPMNDiagram"), {"id": f"{process_id}_diagram"})
    plane_owner = collaboration.get("id") if collaboration is not None else process_id
    plane = etree.SubElement(diagram, q(BPMNDI, "BPMNPlane"), {"id": f"{process_id}_plane",
                                                                  "bpmnElement": plane_owner})
    top = min(lo for lo, _ in geo.lane_bands.values())
    bottom = max(hi for _, hi in geo.lane_bands.values())
    if participant is not None:
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"), {
            "id": f"{participant.get('id')}_di", "bpmnElement": participant.get("id"), "isHorizontal": "true"})
        _bounds(shape, Box(LANE_HEADER, top, geo.width - LANE_HEADER, bottom - top))
    for lane_id, (lo, hi) in geo.lane_bands.items():
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"), {
            "id": f"{lane_id}_di", "bpmnElement": lane_id, "isHorizontal": "true"})
        _bounds(shape, Box(LANE_HEADER * 2, lo, geo.width - LANE_HEADER * 2, hi - lo))
    for node in nodes.values():  # document order: a subprocess comes before its content
        attrs = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.kind in CONTAINERS:
            attrs["isExpanded"] = "true"
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"), attrs)
        _bounds(shape, geo.bounds[node.id])
        if node.id in geo.labels:
            _bounds(etree.SubElement(shape, q(BPMNDI, "BPMNLabel")), geo.labels[node.id])
    for flow in flows:
        edge = etree.SubElement(plane, q(BPMNDI, "BPMNEdge"), {"id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in geo.edges[flow.id]:
            etree.SubElement(edge, q(DI, "waypoint"), {"x": f"{x:.0f}", "y": f"{y:.0f}"})
        if flow.id in geo.edge_labels:
            _bounds(etree.SubElement(edge, q(BPMNDI, "BPMNLabel")), geo.edge_labels[flow.id])
    etree.indent(tree, space="  ")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return problems(geo)
