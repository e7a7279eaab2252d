"""``turnus:startVariable``: variables a process accepts at start without a start form (issue 12).

A Turnus extension written as Camunda properties on the process element, so the file still opens and edits
in Camunda Modeler (Process → Extension properties)::

    <bpmn:process id="review" isExecutable="true">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="turnus:startVariable" value="assignee:string"/>
        <camunda:property name="turnus:startVariable" value="reviewers:list&lt;string&gt;"/>
      </camunda:properties></bpmn:extensionElements>

Types: string, long, boolean, date, and ``list<…>`` of those (a multi-instance collection). They are
validated and typed like form fields (engine/forms.py); anything not declared is still refused at start.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Problem
from engine.forms import FormField, FormSchema

from .camunda import NAME_RE, bpmn, cam

PROPERTY = "turnus:startVariable"
SCALARS = ("string", "long", "boolean", "date")
_SPEC_RE = re.compile(r"^\s*([^:\s]+)\s*:\s*(?:list\s*<\s*([a-z]+)\s*>|([a-z]+))\s*$")


def _declarations(process: etree._Element) -> list[etree._Element]:
    ext = process.find(bpmn("extensionElements"))
    if ext is None:
        return []
    return [p for props in ext.findall(cam("properties")) for p in props.findall(cam("property"))
            if p.get("name") == PROPERTY]


def read_start_variables(process: etree._Element, file: str,
                         taken: frozenset[str] = frozenset()) -> tuple[FormSchema, list[Problem]]:
    """The declared start variables as form fields, and a problem for each bad declaration.

    ``taken``: the start form's field ids (a name may be declared once, in one place)."""
    fields: list[FormField] = []
    problems: list[Problem] = []
    for prop in _declarations(process):
        value = prop.get("value") or ""

        def bad(why: str, reason: str, prop: etree._Element = prop, value: str = value, **params: object) -> None:
            problems.append(Problem("error", file, f"{PROPERTY} '{value}': {why}", process.get("id"),
                                    prop.sourceline, reason, {"value": value, **params}))
        match = _SPEC_RE.match(value)
        if match is None:
            bad("write it as NAME:TYPE, e.g. assignee:string or reviewers:list<string> (types: "
                + ", ".join(SCALARS) + ", or list<TYPE>)", "start_variable_syntax")
            continue
        name, item, scalar = match.group(1), match.group(2), match.group(3)
        kind = item or scalar
        if not NAME_RE.match(name):
            bad(f"'{name}' is not a variable name (letters, digits and _; it may not start with _ or a digit)",
                "start_variable_name", name=name)
        elif kind not in SCALARS:
            bad(f"unknown type '{kind}': use one of {', '.join(SCALARS)}, or list<TYPE> of one of them",
                "start_variable_type", kind=kind)
        elif name in taken or any(f.id == name for f in fields):
            bad(f"'{name}' is declared twice (as a start form field or another start variable): declare it once",
                "start_variable_twice", name=name)
        else:
            fields.append(FormField(name, kind, name, properties={"list": "true"} if item else {}))
    return FormSchema(tuple(fields)), problems
