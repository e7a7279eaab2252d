"""Flow shapes SpiffWorkflow accepts and then runs in a way no BPMN engine would (issue 12).

Each is refused at deploy naming the element, because the library gives no error at run time:
- a flow node with no incoming sequence flow next to a start event (an *implicit start*) never runs;
- a gateway with no outgoing sequence flow fails at run time with "At least one output required";
- a sequence-flow loop that runs a parallel or inclusive split again: the library's token handling at the
  join no longer matches BPMN's, and a case can end without reaching its end event.
"""

from __future__ import annotations

from lxml import etree

from engine.errors import Problem

from .camunda import bpmn, local
from .graph import flow_edges, scopes, strongly_connected

_NOT_FLOW_NODES = frozenset({
    "sequenceFlow", "laneSet", "lane", "textAnnotation", "association", "group", "dataObject",
    "dataObjectReference", "dataStoreReference", "documentation", "extensionElements", "ioSpecification",
    "property", "dataInputAssociation", "dataOutputAssociation", "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics", "incoming", "outgoing", "category", "categoryValue",
})
_SPLITS = ("parallelGateway", "inclusiveGateway")


def _flow_nodes(scope: etree._Element) -> list[etree._Element]:
    return [c for c in scope if isinstance(c.tag, str) and etree.QName(c).namespace == etree.QName(scope).namespace
            and local(c) not in _NOT_FLOW_NODES and c.get("id")]


def _needs_no_incoming(node: etree._Element) -> bool:
    kind = local(node)
    return (kind in ("startEvent", "boundaryEvent")
            or node.get("triggeredByEvent") == "true"  # an event subprocess starts from its own event
            or node.get("isForCompensation") == "true"  # refused elsewhere, with its own message
            or node.find(bpmn("linkEventDefinition")) is not None)  # likewise


def _label(node: etree._Element) -> str:
    name = " ".join((node.get("name") or "").split())  # names with line breaks stay on one line
    return f"'{name}' ({node.get('id')})" if name else f"'{node.get('id')}'"


def flow_problems(file: str, process: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    for scope in scopes(process):
        nodes = _flow_nodes(scope)
        flows = scope.findall(bpmn("sequenceFlow"))
        sources = {f.get("sourceRef") for f in flows}
        targets = {f.get("targetRef") for f in flows}
        has_start = any(local(n) == "startEvent" for n in nodes)
        for node in nodes:
            ident = node.get("id")
            if has_start and ident not in targets and not _needs_no_incoming(node):
                problems.append(Problem(
                    "error", file,
                    f"{_label(node)} has no incoming sequence flow, so it would never run (the engine does "
                    "not start such elements next to a start event): connect it from the flow, or remove it",
                    ident, node.sourceline, "no_incoming_flow", {"label": _label(node)}))
            if local(node).endswith("Gateway") and ident not in sources:
                problems.append(Problem(
                    "error", file,
                    f"the gateway {_label(node)} has no outgoing sequence flow: a case reaching it would stop "
                    "with an error; add the flows it chooses between (or an end event after it)",
                    ident, node.sourceline, "gateway_no_outgoing", {"label": _label(node)}))
        problems += _loops_through_splits(file, scope, nodes)
    return problems


def _loops_through_splits(file: str, scope: etree._Element, nodes: list[etree._Element]) -> list[Problem]:
    by_id = {n.get("id"): n for n in nodes}
    edges = flow_edges(scope)
    problems = []
    for component in strongly_connected(edges):
        if len(component) < 2:
            continue
        members = set(component)
        for ident in component:
            node = by_id.get(ident)
            if node is None or local(node) not in _SPLITS:
                continue
            inside = [t for t in edges.get(ident, []) if t in members]
            if len(edges.get(ident, [])) < 2 or not inside:
                continue
            problems.append(Problem(
                "error", file,
                f"sequence flows loop back to before the split {_label(node)}, so each pass would start its "
                "branches again; the engine then can end the case without reaching its end event. Model the "
                "repetition as a loop activity: put the split and its branches in a subprocess with "
                "standardLoopCharacteristics (or use multi-instance)",
                ident, node.sourceline, "loop_through_split", {"label": _label(node)}))
    return problems
