"""Link events: an intermediate link throw continues at the link catch of the same name in the same scope
(BPMN 2.0 §10.5.6; a scope is the process or one subprocess). SpiffWorkflow ignores link definitions, so
the pairs are read here: deploy refuses what has no single target, and the parser joins each throw to
its catch (``engine.definitions.parser``), as if a sequence flow ran between them.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from engine.errors import Problem

from .camunda import bpmn

_THROW, _CATCH = "intermediateThrowEvent", "intermediateCatchEvent"


def _links(scope: etree._Element, kind: str) -> Iterable[tuple[etree._Element, str | None]]:
    for node in scope.findall(bpmn(kind)):
        definition = node.find(bpmn("linkEventDefinition"))
        if definition is not None:
            name = (definition.get("name") or "").strip() or None
            yield node, name


def link_pairs(scope: etree._Element) -> dict[str, str]:
    """throw id -> catch id, for every throw with exactly one catch of its name in ``scope``."""
    catches: dict[str, list[str]] = {}
    for node, name in _links(scope, _CATCH):
        if name is not None:
            catches.setdefault(name, []).append(node.get("id", ""))
    pairs = {}
    for node, name in _links(scope, _THROW):
        targets = catches.get(name or "", [])
        if len(targets) == 1:
            pairs[node.get("id", "")] = targets[0]
    return pairs


def link_problems(file: str, scope: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    catches: dict[str, list[etree._Element]] = {}
    for node, name in _links(scope, _CATCH):
        if name is None:
            problems.append(_problem(file, node, "this link catch event has no name: give it the name of the link "
                                     "throw event that leads to it", "link_unnamed"))
        else:
            catches.setdefault(name, []).append(node)
    for name, nodes in catches.items():
        for node in nodes[1:]:
            problems.append(_problem(file, node, f"two link catch events are named '{name}' in one scope: a link "
                                     "throw would not know where to go; rename one", "link_catch_twice", name=name))
    for node, name in _links(scope, _THROW):
        if name is None:
            problems.append(_problem(file, node, "this link throw event has no name: give it the name of the link "
                                     "catch event it continues at", "link_unnamed"))
        elif name not in catches:
            problems.append(_problem(file, node, f"no link catch event named '{name}' in the same scope: the flow "
                                     "would stop here; add one (links do not cross subprocess borders)",
                                     "link_target_missing", name=name))
    return problems


def _problem(file: str, node: etree._Element, message: str, reason: str, **params: object) -> Problem:
    return Problem("error", file, message, node.get("id"), node.sourceline, reason, params)

