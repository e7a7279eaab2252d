"""Deploy-time lint of BPMN files: what SpiffWorkflow would reject late, run wrongly, or silently ignore.

Only executable processes are linted (descriptive pools in a collaboration never run). Errors refuse
the deploy; warnings travel with the bundle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from engine.errors import Problem

from . import expressions as ex
from .camunda import (
    CAMUNDA_NS,
    NAME_RE,
    bad_reference,
    bpmn,
    cam,
    cattr,
    lane_of,
    lanes_index,
    local,
    read_form,
)
from .compensation import compensation_problems
from .duties import lint_duties
from .flowcheck import flow_problems
from .graph import cycle_warnings, scopes
from .links import link_problems
from .people import people_of
from .startvars import read_start_variables
from .xmlsafe import BPMN_NS, Document


@dataclass
class Context:
    """What one file's lint needs to know about the other files of the deploy."""

    processes: Mapping[str, bool] = field(default_factory=dict)  # process id -> executable
    decisions: frozenset[str] = frozenset()
    homes: Mapping[str, str] = field(default_factory=dict)  # process id -> file name
    called: frozenset[str] = frozenset()  # process ids some call activity of the deploy calls


# Event definitions that run, by event element (SpiffWorkflow's, and those engine/definitions/parser.py adds).
# The library silently drops anything else (a timer end event becomes a plain end event), so it is refused.
SUPPORTED_EVENTS: dict[str, frozenset[str]] = {
    "startEvent": frozenset({"message", "signal", "timer", "error", "escalation"}),
    "endEvent": frozenset({"message", "cancel", "error", "escalation", "terminate", "signal", "compensate"}),
    "intermediateCatchEvent": frozenset({"message", "signal", "timer", "conditional", "link"}),
    "intermediateThrowEvent": frozenset({"message", "signal", "escalation", "link", "compensate"}),
    "boundaryEvent": frozenset({"message", "signal", "timer", "conditional", "cancel", "error", "escalation",
                                "compensate"}),
}
_EVENT_ADVICE = {
    ("startEvent", "conditional"): "conditional start events are not supported on a process (the engine never "
    "evaluates them before a case exists, so the process would never start): use one in an event subprocess, "
    "a conditional boundary event, or a message start event",
    ("any", "link"): "link events are intermediate events only: use an intermediate link throw and catch",
    ("startEvent", "compensate"): "compensation event subprocesses are not supported: undo with compensation "
    "boundary events and their handlers (isForCompensation) instead",
    ("any", "compensate"): "compensation events are throw, end or boundary events only: use a compensation "
    "boundary event with a handler, and an intermediate or end event that throws compensation",
}
_IGNORED_EXTENSIONS = {
    "executionListener": "execution listeners are not run",
    "taskListener": "task listeners are not run",
    "inputOutput": "camunda:inputOutput mappings are not applied",
    "connector": "connectors are not run",
}
_IMPLEMENTATIONS = ("class", "delegateExpression", "expression", "topic")
_FLOW_NODES_WITH_CONDITIONS = ("exclusiveGateway", "inclusiveGateway")
_ASSIGNMENT_ATTRS = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority")


def lint_bpmn(doc: Document, ctx: Context) -> list[Problem]:
    problems: list[Problem] = []
    processes = doc.root.findall(bpmn("process"))
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        anchor = processes[0] if processes else doc.root
        problems.append(Problem(
            "error", doc.name,
            "no executable process in this file: set isExecutable=\"true\" on the process to run "
            "(Camunda Modeler: 'Executable' in the process properties)",
            anchor.get("id"), anchor.sourceline, "no_executable_process",
        ))
    for store in doc.root.iter(bpmn("dataStore"), bpmn("dataStoreReference")):
        problems.append(_err(doc, store, "data stores are not supported: keep the data in the case",
                             reason="data_store_unsupported"))
    lanes = lanes_index(doc.root)
    for process in executable:
        if process.find(bpmn("startEvent")) is None:
            problems.append(_err(doc, process, "the process has no start event, so a case would have nowhere to "
                                               "begin: add a start event", reason="no_start_event"))
        for el in process.iter():
            if isinstance(el.tag, str):
                problems += _element(doc, el, ctx, lanes)
        problems += cycle_warnings(doc.name, process)
        problems += flow_problems(doc.name, process)
        for scope in scopes(process):
            problems += link_problems(doc.name, scope) + compensation_problems(doc.name, scope)
        problems += lint_duties(doc.name, process)
        problems += _start_variables(doc, process)
    return problems


def _start_variables(doc: Document, process: etree._Element) -> list[Problem]:
    form_ids: set[str] = set()
    for start in process.findall(bpmn("startEvent")):
        form_ids |= {f.id for f in read_form(start, doc.name)[0].fields}
    return read_start_variables(process, doc.name, frozenset(form_ids))[1]


def _err(doc: Document, el: etree._Element, message: str, owner: etree._Element | None = None,
         reason: str = "", **params: object) -> Problem:
    ident = (owner if owner is not None else el).get("id")
    return Problem("error", doc.name, message, ident, el.sourceline, reason, params)


def _warn(doc: Document, el: etree._Element, message: str, reason: str = "", **params: object) -> Problem:
    return Problem("warning", doc.name, message, el.get("id"), el.sourceline, reason, params)


def _element(doc: Document, el: etree._Element, ctx: Context, lanes: dict[str, str | None]) -> list[Problem]:
    ns = etree.QName(el).namespace
    name = local(el)
    if ns == CAMUNDA_NS:
        return _camunda_element(doc, el, name)
    if ns != BPMN_NS:
        return []
    problems = _implementation(doc, el, name)
    if name == "sequenceFlow":
        problems += _sequence_flow(doc, el)
    elif name == "userTask":
        problems += _user_task(doc, el, lanes)
    elif name == "startEvent":
        problems += _event(doc, el, name) + _start_event(doc, el)
    elif name == "scriptTask":
        problems += ex.script_problems(doc.name, el)
    elif name == "manualTask":
        problems.append(_err(doc, el, "manual tasks are not supported (Camunda passes through them, this "
                                      "engine would wait for someone): use a user task or a plain task",
                             reason="manual_task_unsupported"))
    elif name == "serviceTask":
        problems += _service_task(doc, el)
    elif name == "businessRuleTask":
        problems += _business_rule(doc, el, ctx)
    elif name == "callActivity":
        problems += _call_activity(doc, el, ctx)
    elif name == "complexGateway":
        problems.append(_err(doc, el, "complex gateways are not supported: use exclusive, inclusive or "
                                      "parallel gateways", reason="complex_gateway_unsupported"))
    elif name in SUPPORTED_EVENTS:
        problems += _event(doc, el, name)
    elif name == "multiInstanceLoopCharacteristics":
        problems += ex.multi_instance_problems(doc.name, el.getparent(), el)
    elif name == "standardLoopCharacteristics":
        problems += ex.standard_loop_problems(doc.name, el.getparent(), el)
    elif name == "conditionalEventDefinition":
        cond = el.find(bpmn("condition"))
        owner = el.getparent().get("id")
        problems += ex.condition_problems(doc.name, owner, cond if cond is not None else el, "condition")
    elif name == "timerEventDefinition":
        problems += ex.timer_problems(doc.name, el.getparent().get("id"), el)
    elif name == "messageEventDefinition" and cattr(el, "expression") is not None:
        owner = el.getparent().get("id")
        problems += ex.code_problems(doc.name, owner, el, cattr(el, "expression"), "eval", "message payload")
    return problems


def _start_event(doc: Document, el: etree._Element) -> list[Problem]:
    problems = read_form(el, doc.name)[1]
    cycle = el.find(f"{bpmn('timerEventDefinition')}/{bpmn('timeCycle')}")
    if cycle is not None and local(el.getparent()) == "process":
        problems.append(_err(doc, el, "a timeCycle on the process's start event repeats inside one case "
                                      "instead of starting new cases: start cases from outside, or use a "
                                      "cycle timer inside the process", reason="start_time_cycle"))
    for kind in ("error", "escalation"):
        if el.find(bpmn(f"{kind}EventDefinition")) is None:
            continue
        parent = el.getparent()
        if local(parent) != "subProcess" or parent.get("triggeredByEvent") != "true":
            problems.append(_err(doc, el, f"{kind} start events belong in an event subprocess (a subprocess with "
                                          "triggeredByEvent=\"true\"): only there is something thrown to them",
                                 reason="start_code_outside_event_subprocess", kind=kind))
        elif kind == "error" and el.get("isInterrupting", "true").strip().lower() == "false":
            problems.append(_err(doc, el, "an error start event always interrupts its scope (BPMN): remove "
                                          "isInterrupting=\"false\", or catch an escalation instead",
                                 reason="error_start_not_interrupting"))
    initiator = cattr(el, "initiator")
    if initiator is not None and not NAME_RE.match(initiator):
        problems.append(_err(doc, el, f"camunda:initiator '{initiator}' must be a variable name",
                             reason="initiator_not_name", name=initiator))
    return problems


def _camunda_element(doc: Document, el: etree._Element, name: str) -> list[Problem]:
    owner = _owner(el)
    if name in _IGNORED_EXTENSIONS:
        return [_err(doc, el, f"{_IGNORED_EXTENSIONS[name]} (camunda:{name}); use a script task instead",
                     owner, "extension_ignored", extension=name)]
    if name in ("in", "out") and el.getparent() is not None and local(el.getparent()) == "extensionElements":
        return [Problem("warning", doc.name, f"camunda:{name} variable mappings are ignored: a call activity "
                        "passes all case data in and all of it back out", owner.get("id"), el.sourceline,
                        "call_mapping_ignored", {"mapping": name})]
    return []


def _owner(el: etree._Element) -> etree._Element:
    """The nearest enclosing element with an id (what a problem inside extensionElements is about)."""
    current = el
    while current.getparent() is not None and current.get("id") is None:
        current = current.getparent()
    return current


def _implementation(doc: Document, el: etree._Element, name: str) -> list[Problem]:
    """camunda:class / delegateExpression / expression / type=external: Java or external workers."""
    if name == "messageEventDefinition":
        found = [a for a in ("class", "delegateExpression", "topic") if cattr(el, a) is not None]
    else:
        found = [a for a in _IMPLEMENTATIONS if cattr(el, a) is not None]
    if cattr(el, "type") == "external":
        found.append("type")
    if not found or name == "serviceTask":
        return []
    attrs = ", ".join(f"camunda:{a}" for a in found)
    return [_err(doc, el, f"{attrs} is not supported (Java and external-worker implementations do not "
                          "run in Turnus)", _owner(el), "implementation_unsupported", attrs=attrs)]


def _service_task(doc: Document, el: etree._Element) -> list[Problem]:
    """Only external tasks run (a worker fetches them through the API); a Java implementation would not."""
    if cattr(el, "type") != "external":
        return [_err(doc, el, "service tasks run only as external tasks: set camunda:type=\"external\" and a "
                              "camunda:topic that a worker fetches (a Java implementation would not run), or use a "
                              "script task", reason="service_task_unsupported")]
    topic = (cattr(el, "topic") or "").strip()
    if not topic or len(topic) > 200 or "${" in topic:
        return [_err(doc, el, "an external service task needs a camunda:topic: a fixed name of 1 to 200 characters "
                              "(no ${...} expression) that its workers fetch", reason="external_topic")]
    return []


def _sequence_flow(doc: Document, el: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    source = el.get("sourceRef", "?")  # a flow without an id got one at load (camunda.name_anonymous_flows)
    cond = el.find(bpmn("conditionExpression"))
    if cond is not None:
        source_el = doc.by_id.get(source)
        source_kind = local(source_el) if source_el is not None else ""
        if source_el is not None and source_kind not in _FLOW_NODES_WITH_CONDITIONS:
            problems.append(_err(doc, cond, f"the condition on the flow leaving '{source}' ({source_kind}) "
                                            "would be ignored: put an exclusive gateway in front of it", el,
                                 "condition_ignored", source=source, kind=source_kind))
        problems += ex.condition_problems(doc.name, el.get("id"), cond, "condition")
    return problems


def _user_task(doc: Document, el: etree._Element, lanes: dict[str, str | None]) -> list[Problem]:
    problems = read_form(el, doc.name)[1]
    for attr in _ASSIGNMENT_ATTRS:
        value = cattr(el, attr)
        if value is None:
            continue
        bad = bad_reference(value, is_list=attr.startswith("candidate"))
        if bad:
            problems.append(_err(doc, el, f"camunda:{attr}: {bad}", None, "assignment_expression",
                                 attr=attr, value=value))
        elif attr in ("dueDate", "followUpDate") and "${" not in value:
            problem = _date_literal(value)
            if problem:
                problems.append(_err(doc, el, f"camunda:{attr} '{value}': {problem}", None, "date_invalid",
                                     attr=attr, value=value))
        elif attr == "priority" and "${" not in value and not value.strip().lstrip("-").isdigit():
            problems.append(_err(doc, el, f"camunda:priority '{value}' must be a whole number or ${{name}}",
                                 reason="priority_invalid", value=value))
    people = people_of(el)
    for entry in people.unreadable:
        problems.append(_err(doc, el, f"potentialOwner/humanPerformer entry '{entry}' is not a name, user(NAME), "
                                      "group(NAME) or ${name}: write it as one of those",
                             reason="people_entry_unreadable", entry=entry))
    nobody = not (people.assignee or people.candidate_users or people.candidate_groups or lane_of(el, lanes))
    if nobody:
        problems.append(_err(doc, el, "nobody can work on this user task: set camunda:assignee, "
                                      "camunda:candidateUsers or camunda:candidateGroups (or BPMN "
                                      "potentialOwner), or put it in a named lane", reason="nobody_can_work"))
    if (cattr(el, "formKey") or cattr(el, "formRef")) and el.find(
        f"{bpmn('extensionElements')}/{cam('formData')}"
    ) is None:
        problems.append(_warn(doc, el, "camunda:formKey / formRef is ignored: Turnus shows the fields of "
                                       "camunda:formData (none here)", "form_key_ignored"))
    return problems


def _date_literal(value: str) -> str | None:
    """Literal due / follow-up dates: an ISO date, a date-time with offset, or a duration."""
    text = value.strip()
    if text.upper().startswith("P"):
        return ex.iso_problem("timeDuration", text)
    if len(text) == 10:
        return ex.iso_problem("timeDate", text + "T00:00:00+00:00")
    return ex.iso_problem("timeDate", text)


def _business_rule(doc: Document, el: etree._Element, ctx: Context) -> list[Problem]:
    ref = cattr(el, "decisionRef")
    if ref is None:
        if any(cattr(el, a) for a in _IMPLEMENTATIONS) or cattr(el, "type"):
            return []  # already refused as an unsupported implementation
        return [_err(doc, el, "business rule task has no camunda:decisionRef naming a DMN decision",
                     reason="decision_ref_missing")]
    problems: list[Problem] = []
    if ref not in ctx.decisions:
        known = ", ".join(sorted(ctx.decisions)) or "none"
        problems.append(_err(doc, el, f"camunda:decisionRef '{ref}' names no decision in the deployed DMN "
                                      f"files (decisions found: {known})", reason="decision_unknown", ref=ref,
                             known=", ".join(sorted(ctx.decisions))))
    if cattr(el, "resultVariable"):
        problems.append(_warn(doc, el, "camunda:resultVariable is ignored: the decision's outputs are "
                                       "written into the case data under their output names",
                              "decision_result_variable"))
    return problems


def _call_activity(doc: Document, el: etree._Element, ctx: Context) -> list[Problem]:
    called = el.get("calledElement")
    if cattr(el, "caseRef"):
        return [_err(doc, el, "calling a CMMN case (camunda:caseRef) is not supported",
                     reason="case_ref_unsupported")]
    if not called:
        return [_err(doc, el, "call activity has no calledElement naming the process to call",
                     reason="called_element_missing")]
    if called not in ctx.processes:
        return [_err(doc, el, f"calledElement '{called}' names no process in the deployed files",
                     reason="called_element_unknown", called=called)]
    if not ctx.processes[called]:
        return [_err(doc, el, f"calledElement '{called}' names a process that is not executable",
                     reason="called_element_not_executable", called=called)]
    return []


def _in_event_subprocess(el: etree._Element) -> bool:
    """A start event of an event subprocess: armed while its scope runs (engine/runtime/scopes.py)."""
    parent = el.getparent()
    return local(el) == "startEvent" and local(parent) == "subProcess" and parent.get("triggeredByEvent") == "true"


def _event(doc: Document, el: etree._Element, name: str) -> list[Problem]:
    problems: list[Problem] = []
    for ref in el.findall(bpmn("eventDefinitionRef")):
        problems.append(_err(doc, ref, "event definitions referenced with eventDefinitionRef are ignored: "
                                       "define the event inside the event", el,
                                 "event_definition_ref"))
    for child in el:
        kind = local(child)
        if not kind.endswith("EventDefinition"):
            continue
        kind = kind.removesuffix("EventDefinition")
        if kind in SUPPORTED_EVENTS[name] or (kind == "conditional" and _in_event_subprocess(el)):
            continue
        key = (name, kind) if (name, kind) in _EVENT_ADVICE else ("any", kind)
        advice = _EVENT_ADVICE.get(key)
        reason = f"event_{key[0]}_{kind}" if advice else "event_unsupported"  # e.g. event_endEvent_signal
        problems.append(_err(doc, child, advice or f"{kind} {name}s are not supported (the engine would "
                                                  "ignore the event definition)", el, reason, kind=kind, event=name))
    return problems
