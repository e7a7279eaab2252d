"""Sequence-flow cycles ("back-edge loops") in a process or subprocess.

SpiffWorkflow grows the task tree one level per pass through such a loop; after ~250 passes task
lookups silently stop finding tasks (ENGINE-NOTES "Loops"). Loop activities and multi-instance do not
have that problem, so every cycle gets a warning recommending them.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from engine.errors import Problem

from .camunda import SUBPROCESS_TAGS, bpmn, local
from .links import link_pairs


def scopes(process: etree._Element) -> Iterable[etree._Element]:
    """The process and every embedded (event) subprocess / transaction inside it."""
    yield process
    yield from process.iter(*SUBPROCESS_TAGS)


def flow_edges(scope: etree._Element) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for child in scope:
        if child.tag == bpmn("sequenceFlow"):
            source, target = child.get("sourceRef"), child.get("targetRef")
            if source and target:
                edges.setdefault(source, []).append(target)
        elif child.tag == bpmn("boundaryEvent") and child.get("attachedToRef") and child.get("id"):
            # Leaving an activity through its boundary event and flowing back into it is a loop too.
            edges.setdefault(child.get("attachedToRef", ""), []).append(child.get("id", ""))
    for throw, catch in link_pairs(scope).items():  # a link runs like a sequence flow (loops through it too)
        edges.setdefault(throw, []).append(catch)
    return edges


def strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a long process must not hit Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    nodes = list(dict.fromkeys([*edges, *(t for ts in edges.values() for t in ts)]))
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def cycle_warnings(file: str, process: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    for scope in scopes(process):
        edges = flow_edges(scope)
        by_id = {c.get("id"): c for c in scope if isinstance(c.tag, str) and c.get("id")}
        order = {ident: n for n, ident in enumerate(by_id)}
        for component in strongly_connected(edges):
            looped = len(component) > 1 or component[0] in edges.get(component[0], [])
            if not looped:
                continue
            members = sorted(component, key=lambda i: order.get(i, len(order)))
            gateways = [m for m in members if local(by_id[m]).endswith("Gateway")] if all(
                m in by_id for m in members) else []
            anchor = by_id.get((gateways or members)[0])
            names = [(by_id[m].get("name") or m) if m in by_id else m for m in members]
            shown = ", ".join(f"'{n}'" for n in names[:6]) + (", ..." if len(names) > 6 else "")
            problems.append(
                Problem(
                    "warning", file,
                    f"sequence flows loop back through {shown}: every pass deepens the case's task tree "
                    "and the engine stalls after ~250 passes; model the repetition as a loop activity "
                    "(standardLoopCharacteristics on a subprocess or call activity) or as multi-instance",
                    anchor.get("id") if anchor is not None else members[0],
                    anchor.sourceline if anchor is not None else None,
                    "flow_cycle", {"elements": shown},
                )
            )
    return problems
