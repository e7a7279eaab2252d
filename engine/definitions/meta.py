"""ProcessMeta / UserTaskMeta read from the XML: what SpiffWorkflow's specs do not carry."""

from __future__ import annotations

from types import MappingProxyType

from lxml import etree

from engine.forms import FormSchema

from .camunda import bpmn, cattr, documentation, lane_of, lanes_index, local, read_form, split_list
from .duties import duty_rules
from .model import ProcessMeta, UserTaskMeta
from .people import people_of
from .startvars import read_start_variables
from .unset_refs import inferred_start_variables
from .xmlsafe import Document


def process_meta(doc: Document, element: etree._Element) -> ProcessMeta:
    """Metadata of a process or embedded subprocess element (user tasks of nested subprocesses included)."""
    lanes = lanes_index(doc.root)
    start = _none_start(element)
    start_form = read_form(start, doc.name)[0] if start is not None else FormSchema()
    tasks = {
        t.get("id", ""): user_task_meta(doc, t, lanes) for t in element.iter(bpmn("userTask"))
    }
    names = {
        el.get("id", ""): el.get("name", "")
        for el in element.iter()
        if isinstance(el.tag, str) and el.get("id") and el.get("name")
    }
    phases = {}
    for sub in element.findall(bpmn("subProcess")):  # each top-level subprocess is a phase of the case
        label = sub.get("name") or sub.get("id", "")
        for el in sub.iter():
            if isinstance(el.tag, str) and el.get("id"):
                phases[el.get("id", "")] = label
    return ProcessMeta(
        process_id=element.get("id", ""),
        name=element.get("name") or element.get("id", ""),
        start_form=start_form,
        initiator_variable=cattr(start, "initiator") if start is not None else None,
        user_tasks=MappingProxyType(tasks),
        element_names=MappingProxyType(names),
        element_phases=MappingProxyType(phases),
        starter_users=split_list(cattr(element, "candidateStarterUsers")),
        starter_groups=split_list(cattr(element, "candidateStarterGroups")),
        start_variables=_start_variables(doc, element, start_form),
    )


def _start_variables(doc: Document, element: etree._Element, start_form: FormSchema) -> FormSchema:
    """Declared start variables, then the required ones inferred from what the process uses but cannot set."""
    declared = read_start_variables(element, doc.name, frozenset(f.id for f in start_form.fields))[0]
    taken = {f.id for f in start_form.fields} | {f.id for f in declared.fields}
    inferred = tuple(f for f in inferred_start_variables(doc.name, element) if f.id not in taken)
    return FormSchema(declared.fields + inferred)


def _none_start(element: etree._Element) -> etree._Element | None:
    """The first start event without an event definition (the one a person starts the case with)."""
    for start in element.findall(bpmn("startEvent")):
        if not any(local(child).endswith("EventDefinition") for child in start):
            return start
    return None


def user_task_meta(doc: Document, task: etree._Element, lanes: dict[str, str | None]) -> UserTaskMeta:
    people = people_of(task)
    return UserTaskMeta(
        element_id=task.get("id", ""),
        name=task.get("name") or task.get("id", ""),
        lane=lane_of(task, lanes),
        documentation=documentation(task),
        assignee=people.assignee,
        candidate_users=people.candidate_users,
        candidate_groups=people.candidate_groups,
        due_date=cattr(task, "dueDate"),
        follow_up_date=cattr(task, "followUpDate"),
        priority=cattr(task, "priority"),
        form=read_form(task, doc.name)[0],
        duty_rules=duty_rules(task),
        closes_by=_closing_timer(task),
    )


def _closing_timer(task: etree._Element) -> str | None:
    """The name (or id) of an interrupting boundary timer attached to ``task``, if there is one."""
    parent = task.getparent()
    if parent is None:
        return None
    for event in parent.findall(bpmn("boundaryEvent")):
        if (event.get("attachedToRef") == task.get("id") and event.get("cancelActivity", "true") != "false"
                and event.find(bpmn("timerEventDefinition")) is not None):
            return event.get("name") or event.get("id") or ""
    return None
