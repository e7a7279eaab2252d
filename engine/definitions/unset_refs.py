"""Start variables inferred from what a process uses but nothing in it sets (issues 12 and 23).

Camunda 7's own models name ``${assignee}`` in a user task or ``camunda:collection="assigneeList"`` on a
multi-instance activity and expect the starter to pass the value. Such a name becomes a *required* start variable
(listed by ``turnus start-form``, the API's start schema and the web's start page) instead of a deploy refusal, so
a start without it is refused naming it before anything is written.

Conservative on purpose: in a process with any element that may write arbitrary data (a script, external
service or business rule task, a message or signal catch, a call activity, a data object) nothing is inferred, as
the value may come from there; otherwise a name is inferred unless it is a start form field, a
``turnus:startVariable``, the ``camunda:initiator`` variable, a task form field or a multi-instance element
variable.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.forms import FormField

from .camunda import NAME_RE, bpmn, cattr, local, read_form
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


# What each assignment attribute holds, as a start variable's type.
_TYPES = {"dueDate": "date", "followUpDate": "date", "priority": "long"}


def inferred_start_variables(file: str, process: etree._Element) -> tuple[FormField, ...]:
    """The required start variables a process needs but cannot set itself, in the order the flow names them."""
    if _may_write_anything(process):
        return ()
    settable = _settable(process, file)
    found: dict[str, FormField] = {}

    def need(name: str, kind: str, element: etree._Element | None, attr: str, listed: bool = False) -> None:
        if name in settable or name in found:
            return
        where = (element.get("name") or element.get("id", "")) if element is not None else ""
        props = {"inferred_from": attr, "element": where} | ({"list": "true"} if listed else {})
        # The label names the use, so that "... is required" tells the starter what the value is for.
        found[name] = FormField(name, kind, f"{name} ({attr} of '{where}')", required=True, properties=props)

    for el in process.iter():
        if not isinstance(el.tag, str):
            continue
        if local(el) == "userTask":
            for attr, value in _assignments(el):
                match = _REF.match(value.strip())
                if match:
                    need(match.group(1), _TYPES.get(attr, "string"), el, attr)
        elif local(el) == "multiInstanceLoopCharacteristics":
            collection = (cattr(el, "collection") or "").strip()
            if NAME_RE.match(collection):
                need(collection, "string", el.getparent(), "collection", listed=True)
    return tuple(found.values())
