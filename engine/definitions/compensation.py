"""Compensation in the XML: which activity each compensation handler undoes, and what deploy refuses.

An activity's handler is the ``isForCompensation`` activity that an association links to the activity's
compensation boundary event (BPMN 2.0 §10.7). The run-time side is ``engine.runtime.compensation``.
"""

from __future__ import annotations

from lxml import etree

from engine.errors import Problem

from .camunda import bpmn

_DEFINITION = "compensateEventDefinition"


def _boundaries(scope: etree._Element) -> list[etree._Element]:
    return [b for b in scope.findall(bpmn("boundaryEvent")) if b.find(bpmn(_DEFINITION)) is not None]


def _associations(scope: etree._Element) -> dict[str, str]:
    root = scope.getroottree().getroot()
    return {a.get("sourceRef", ""): a.get("targetRef", "") for a in root.iter(bpmn("association"))}


def handlers_in(scope: etree._Element) -> dict[str, str]:
    """activity id -> handler id for the compensation boundary events of ``scope``."""
    links = _associations(scope)
    ids = {c.get("id") for c in scope}
    return {b.get("attachedToRef", ""): links[b.get("id", "")] for b in _boundaries(scope)
            if links.get(b.get("id", "")) in ids}


def nested_in(scope: etree._Element) -> dict[str, dict[str, str]]:
    """subprocess id -> (inner activity id -> handler id) for each embedded subprocess of ``scope`` without a
    compensation handler of its own: compensating it compensates what completed inside it (BPMN 2.0 §10.7.2,
    Camunda 7), also further down: the subprocesses nested deeper have their own entries (ids are unique in a
    file, so flat maps are enough)."""
    own = handlers_in(scope)
    found: dict[str, dict[str, str]] = {}
    for sub in scope.findall(bpmn("subProcess")):
        ident = sub.get("id", "")
        if sub.get("triggeredByEvent") == "true" or sub.get("isForCompensation") == "true" or ident in own:
            continue
        deeper = nested_in(sub)
        inner = dict(handlers_in(sub))
        for more in deeper.values():
            inner.update(more)
        if inner:
            found[ident] = inner
            found.update(deeper)
    return found


def compensation_problems(file: str, scope: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    direct = {sub.get("id") for sub in scope.findall(bpmn("subProcess"))}
    links = _associations(scope)
    handlers = {**handlers_in(scope), **{k: v for k, v in nested_in(scope).items() if k in direct}}
    by_id = {c.get("id"): c for c in scope if isinstance(c.tag, str)}
    for boundary in _boundaries(scope):
        target = by_id.get(links.get(boundary.get("id", ""), ""))
        if target is None or target.get("isForCompensation") != "true":
            problems.append(_problem(file, boundary, "this compensation boundary event is linked to no compensation "
                                     "handler: draw an association to an activity marked isForCompensation in "
                                     "the same scope", "compensation_handler_missing"))
    for el in scope:
        if not isinstance(el.tag, str):
            continue
        definition = el.find(bpmn(_DEFINITION))
        ref = definition.get("activityRef") if definition is not None else None
        if ref and ref not in handlers:
            problems.append(_problem(file, el, f"activityRef '{ref}' names no activity of this scope with a "
                                     "compensation handler (or subprocess with one inside): nothing would be "
                                     "compensated", "compensation_ref_unknown",
                                     ref=ref))
    return problems


def _problem(file: str, node: etree._Element, message: str, reason: str, **params: object) -> Problem:
    return Problem("error", file, message, node.get("id"), node.sourceline, reason, params)
