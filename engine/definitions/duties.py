"""Duty rules: segregation of duties declared in the model, as Camunda-compatible properties.

On a user task (Camunda Modeler: "Extension properties")::

    <camunda:properties>
      <camunda:property name="turnus:notBy" value="initiator"/>                 <!-- not who started the case -->
      <camunda:property name="turnus:notBy" value="completerOf:qualify_theme"/> <!-- not who did that task -->
    </camunda:properties>

On a form field of widget ``user`` (field properties use ``id``, as Camunda writes them)::

    <camunda:property id="turnus:memberOf" value="leder"/>       <!-- groups, or role:NAME, comma-separated -->
    <camunda:property id="turnus:notBy" value="initiator"/>      <!-- the person filling in the form -->

Camunda ignores properties it does not know, so the files still open and run there. The engine enforces
the rules (engine.identity); this module reads and lints them.
"""

from __future__ import annotations

from lxml import etree

from engine import form_rules
from engine.errors import Problem
from engine.identity import DUTY_COMPLETER_PREFIX, DUTY_INITIATOR

from .camunda import bpmn, cam, read_form, split_list

NOT_BY = "turnus:notBy"
MEMBER_OF = "turnus:memberOf"
FIELD_RULES = (DUTY_INITIATOR,)


def task_properties(el: etree._Element, name: str) -> list[tuple[str, etree._Element]]:
    """Values of the task-level camunda:property elements called ``name`` (each may list several)."""
    out = []
    for p in el.iterfind(f"{bpmn('extensionElements')}/{cam('properties')}/{cam('property')}"):
        if (p.get("name") or "").strip() == name:
            out.extend((v, p) for v in split_list(p.get("value")))
    return out


def duty_rules(el: etree._Element) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v, _ in task_properties(el, NOT_BY)))


def lint_duties(doc_name: str, process: etree._Element) -> list[Problem]:
    """Unknown rules, and completerOf: naming a task that is not a user task of this process."""
    problems: list[Problem] = []
    user_tasks = {t.get("id") for t in process.iter(bpmn("userTask"))}
    for task in process.iter(bpmn("userTask")):
        for rule, prop in task_properties(task, NOT_BY):
            problem = _rule_problem(rule, user_tasks, task.get("id"))
            if problem:
                unknown = not rule.startswith(DUTY_COMPLETER_PREFIX)
                problems.append(Problem("error", doc_name, f"{NOT_BY} '{rule}': {problem}", task.get("id"),
                                        prop.sourceline, "duty_rule_unknown" if unknown else "duty_task_unknown",
                                        {"rule": rule, "task": rule[len(DUTY_COMPLETER_PREFIX):]}))
    for owner in [*process.iter(bpmn("userTask")), *process.iter(bpmn("startEvent"))]:
        for xf in owner.iterfind(f"{bpmn('extensionElements')}/{cam('formData')}/{cam('formField')}"):
            problems += _field_problems(doc_name, owner, xf)
        for message in form_rules.problems(read_form(owner, doc_name)[0]):
            problems.append(Problem("error", doc_name, str(message), owner.get("id"), owner.sourceline,
                                    getattr(message, "reason", ""), dict(getattr(message, "params", {}))))
    return problems


def _rule_problem(rule: str, user_tasks: set[str | None], own: str | None) -> str | None:
    if rule == DUTY_INITIATOR:
        return None
    if rule.startswith(DUTY_COMPLETER_PREFIX):
        target = rule[len(DUTY_COMPLETER_PREFIX):]
        if target not in user_tasks:
            return (f"there is no user task with id '{target}' in this process: name the id of the user task "
                    "whose performer may not also do this one")
        return None
    return (f"unknown rule: use '{DUTY_INITIATOR}' (not whoever started the case) or "
            f"'{DUTY_COMPLETER_PREFIX}TASK_ID' (not whoever completed that user task)")


def _field_problems(doc_name: str, owner: etree._Element, xf: etree._Element) -> list[Problem]:
    problems = []
    props = {(p.get("id") or "").strip(): (p.get("value") or "", p)
             for p in xf.iterfind(f"{cam('properties')}/{cam('property')}")}
    field_id = xf.get("id")
    for name in (MEMBER_OF, NOT_BY):
        if name not in props:
            continue
        value, prop = props[name]
        if props.get("widget", ("", None))[0] != "user":
            problems.append(Problem("error", doc_name, f"form field '{field_id}': {name} only applies to a field "
                                    "with the property widget=user", owner.get("id"), prop.sourceline,
                                    "duty_field_not_user", {"field": field_id, "property": name}))
        elif name == MEMBER_OF and not split_list(value):
            problems.append(Problem("error", doc_name, f"form field '{field_id}': {name} needs one or more "
                                    "group names or role:NAME, comma-separated", owner.get("id"), prop.sourceline,
                                    "duty_member_of_empty", {"field": field_id, "property": name}))
        elif name == NOT_BY:
            for rule in split_list(value):
                if rule not in FIELD_RULES:
                    problems.append(Problem("error", doc_name, f"form field '{field_id}': {name} '{rule}' is "
                                            f"not supported on a field (use '{DUTY_INITIATOR}')",
                                            owner.get("id"), prop.sourceline, "duty_field_rule_unknown",
                                            {"field": field_id, "property": name, "rule": rule}))
    return problems
