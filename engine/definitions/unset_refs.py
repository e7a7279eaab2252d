"""Deploy refusal of a ``${var}`` in a user task's assignment that nothing in the process can ever set (issue 12).

Conservative on purpose: a process with any element that may write arbitrary data (a script, external service or
business rule task, a message or signal catch, a call activity, a data object) or that another process of the
deploy calls is never refused; otherwise a name must be a start form field, a ``turnus:startVariable``, the
``camunda:initiator`` variable, a task form field or a multi-instance element variable.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Problem

from .camunda import bpmn, cattr, local, read_form
from .people import people_of
from .startvars import read_start_variables

# Only well-formed references (lint refuses the others with their own message).
_REF = re.compile(r"^\$\{\s*([A-Za-z][A-Za-z0-9_]*)(?:\.[A-Za-z][A-Za-z0-9_]*)?\s*\}$")
_WRITERS = frozenset({"scriptTask", "serviceTask", "businessRuleTask", "callActivity", "receiveTask", "dataObject",
                      "dataObjectReference"})
_DATA_EVENTS = frozenset({"messageEventDefinition", "signalEventDefinition"})
_CATCHES = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
# Set by the engine itself on multi-instance activities (Camunda's names).
_ENGINE_NAMES = frozenset({"loopCounter", "nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances"})


def _may_write_anything(process: etree._Element) -> bool:
    for el in process.iter():
        name = local(el)
        if name in _WRITERS:
            return True
        if name in _CATCHES and any(local(child) in _DATA_EVENTS for child in el):
            return True
    return False


def _settable(process: etree._Element, file: str) -> set[str]:
    names = set(_ENGINE_NAMES)
    for el in process.iter(bpmn("startEvent"), bpmn("userTask")):
        names |= {f.id for f in read_form(el, file)[0].fields}
        if local(el) == "startEvent" and cattr(el, "initiator"):
            names.add(cattr(el, "initiator") or "")
    names |= {f.id for f in read_start_variables(process, file)[0].fields}
    for mi in process.iter(bpmn("multiInstanceLoopCharacteristics")):
        if cattr(mi, "elementVariable"):
            names.add(cattr(mi, "elementVariable") or "")
    return names


def _assignments(task: etree._Element) -> list[tuple[str, str]]:
    people = people_of(task)
    found = [("assignee", people.assignee or "")]
    found += [("candidateUsers", v) for v in people.candidate_users]
    found += [("candidateGroups", v) for v in people.candidate_groups]
    found += [(attr, cattr(task, attr) or "") for attr in ("dueDate", "followUpDate", "priority")]
    return [(attr, value) for attr, value in found if value]


def unset_reference_problems(file: str, process: etree._Element, called: frozenset[str]) -> list[Problem]:
    if process.get("id") in called or _may_write_anything(process):
        return []
    settable = _settable(process, file)
    problems = []
    for task in process.iter(bpmn("userTask")):
        reported: set[str] = set()
        for attr, value in _assignments(task):
            match = _REF.match(value.strip())
            var = match.group(1) if match else None
            if var is None or var in settable or var in reported:
                continue
            reported.add(var)
            problems.append(Problem(
                "error", file,
                f"{attr} uses ${{{var}}}, but nothing in this process can ever set '{var}' (it is no start "
                "form field, start variable, initiator, task form field or multi-instance element variable, "
                "and no script, decision, message, signal or call activity could write it): add a start "
                f"form field '{var}', declare it on the process with <camunda:property "
                f'name="turnus:startVariable" value="{var}:string"/>, or write a literal name',
                task.get("id"), task.sourceline, "reference_never_set", {"attr": attr, "name": var}))
    return problems
