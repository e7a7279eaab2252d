"""The BPMN parser Turnus hands files to: SpiffWorkflow's Camunda parser with the gaps it has filled.

Each gap is closed by a parser class of ours (never by patching the library):
- script tasks read Camunda multi-instance (``camunda:collection`` / ``elementVariable``) like user tasks do;
  the library's script task parser built the plain BPMN multi-instance class, which the Camunda serializer
  configuration does not know ("ParallelMultiInstanceTask is not JSON serializable" at deploy).
- end events read signal definitions (the library dropped them, so the signal was never sent).
- start events read error and escalation definitions and ``isInterrupting`` (``TurnusStartEvent``), and
  every event subprocess is connected to its scope's start, so that it is armed while the scope runs
  (``arm_at_start``; the library left message and signal ones to collaboration triggers, which no waiting
  task stands for). Boundary events are ``TurnusBoundaryEvent`` (re-armed while their activity runs).
  The run-time side of both is ``engine.runtime.scopes``.
- a link throw event continues at the link catch of its name in its scope (``engine.definitions.links``);
  the library ignores link definitions and never parses the catch, which no sequence flow reaches.
- compensation: compensation boundary events are hidden from the library (which refuses them), and a
  compensation throw or end event carries its scope's activity -> handler map and, per embedded subprocess
  without a handler of its own, the map of what is inside it (``engine.runtime.compensation``).
- a service task is an external task (``camunda:type="external"``, ``engine.runtime.external``): it waits for a
  worker of its ``camunda:topic``; the library's service task would call a script engine's ``call_service``.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, EventSubprocess, ScriptTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, ScriptTaskParser, SubWorkflowParser

from engine.runtime.compensation import (
    CompensationEventDefinition,
    TurnusEndEvent,
    TurnusIntermediateThrowEvent,
)
from engine.runtime.external import ExternalTask
from engine.runtime.scopes import TurnusBoundaryEvent, TurnusStartEvent

from .camunda import cattr
from .compensation import handlers_in, nested_in
from .links import link_pairs
from .xmlsafe import BPMN_NS


class _ScriptTaskParser(CamundaTaskParser, ScriptTaskParser):  # type: ignore[misc]
    """A script task whose multi-instance is Camunda's (the first base's ``_add_multiinstance_task``)."""


class _ServiceTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """A service task is an external task (lint refuses every other kind): its ``camunda:topic`` goes on the spec,
    and its multi-instance is Camunda's, so each instance waits for a worker of its own."""

    def create_task(self) -> Any:
        topic = (cattr(self.node, "topic") or "").strip()
        return self.spec_class(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)


class _SubProcessParser(SubWorkflowParser):  # type: ignore[misc]
    """The library's Camunda parser builds event subprocesses as plain subprocesses (they never wait)."""

    def create_task(self) -> Any:
        spec_class = EventSubprocess if self.node.get("triggeredByEvent") == "true" else self.spec_class
        return spec_class(self.spec, self.bpmn_id, subworkflow_spec=SubprocessParser.get_subprocess_spec(self),
                          **self.bpmn_attributes)


def _compensation(parser: Any) -> Any:
    """The compensation definition of the event ``parser`` parses, with its scope's handlers parsed too."""
    node = parser.node.find(f"{{{BPMN_NS}}}compensateEventDefinition")
    if node is None:
        return None
    scope = parser.node.getparent()
    handlers, nested = handlers_in(scope), nested_in(scope)
    inner = [h for found in nested.values() for h in found.values()]
    # No sequence flow reaches a handler: the library would never parse it. Those of activities inside a
    # completed subprocess run from this throw, so they are parsed into this scope too (ids are unique).
    for handler in [*handlers.values(), *inner]:
        spec = parser.process_parser.parse_node(parser.process_parser.get_node_by_id(handler))
        if not spec.inputs:  # the library refuses to ready a task with no input; the throw adds it by hand
            spec._inputs.append(parser.spec.start.name)
    parser.event_nodes.append(node)
    return CompensationEventDefinition(description="Compensation", activity_ref=node.get("activityRef"),
                                       handlers=handlers, nested=nested)


class _ThrowEventParser(CamundaIntermediateThrowEventParser):  # type: ignore[misc]
    """A link throw continues at its catch: parse the catch (nothing else leads to it) and connect the two.
    A compensation throw gets its scope's handlers (``engine.runtime.compensation``)."""

    def create_task(self) -> Any:
        definition = _compensation(self)
        return super().create_task() if definition is None else self._create_task(definition)

    def parse_node(self) -> Any:
        task = super().parse_node()
        target = link_pairs(self.node.getparent()).get(self.bpmn_id)
        if target is not None:
            catch = self.process_parser.parse_node(self.process_parser.get_node_by_id(target))
            self.task.connect(catch)
        return task


class _StartEventParser(CamundaStartEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
                                                 CONDITIONAL_EVENT_XPATH, ERROR_EVENT_XPATH,
                                                 ESCALATION_EVENT_XPATH])
        task = self._create_task(definition)
        task.interrupting = self.node.get("isInterrupting", "true").strip().lower() != "false"
        self.spec.start.connect(task)
        return task


class _EndEventParser(CamundaEndEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        definition = _compensation(self) or self.get_event_definition([
            MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH,
            TERMINATION_EVENT_XPATH, SIGNAL_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


class _ProcessParser(ProcessParser):  # type: ignore[misc]
    """Compensation boundary events are no boundary events to the library (it refuses them): the throw
    runs the handler they point to."""

    def get_boundary_events(self, attached_to_ref: str) -> list[Any]:
        return [b for b in super().get_boundary_events(attached_to_ref)
                if b.find(f"{{{BPMN_NS}}}compensateEventDefinition") is None]


class TurnusParser(CamundaParser):  # type: ignore[misc]
    PROCESS_PARSER_CLASS = _ProcessParser
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("scriptTask"): (_ScriptTaskParser, ScriptTask),
        full_tag("serviceTask"): (_ServiceTaskParser, ExternalTask),
        full_tag("endEvent"): (_EndEventParser, TurnusEndEvent),
        full_tag("startEvent"): (_StartEventParser, TurnusStartEvent),
        full_tag("subProcess"): (_SubProcessParser, CallActivity),
        full_tag("intermediateThrowEvent"): (_ThrowEventParser, TurnusIntermediateThrowEvent),
        full_tag("boundaryEvent"): (CamundaBoundaryEventParser, TurnusBoundaryEvent),
    }


def arm_at_start(specs: list[BpmnProcessSpec]) -> None:
    """Connect every event subprocess to its scope's start (see the module docstring)."""
    for spec in specs:
        for name in spec.start.trigger_specs:
            task_spec = spec.task_specs[name]
            if task_spec not in spec.start.outputs:
                spec.start.connect(task_spec)
                task_spec.connect(spec.end)
        spec.start.trigger_specs = []
