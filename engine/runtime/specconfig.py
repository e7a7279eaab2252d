"""How specs and cases are (de)serialised: SpiffWorkflow's Camunda configuration plus Turnus' message.

Two things are changed from the library's Camunda set-up:
- The Camunda configuration drops the converter of the plain ``MessageEventDefinition`` that receive
  tasks (and send tasks) are parsed with, so every model with a receive task failed to deploy with
  "MessageEventDefinition is not JSON serializable" (ENGINE-NOTES). ``adopt_messages`` turns every message
  definition of a parsed spec into ``TurnusMessage``, which is serialised like Camunda's.
- A message sent from outside (``turnus message``) merges its data into the case data at the catching
  element, as Camunda 7's correlation with variables does; Camunda's own payload (``camunda:expression``
  stored under a result variable) is kept for messages thrown inside a process.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.serializer.default.event_definition import ErrorEscalationEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BoundaryEventConverter, EventConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, EndEvent, IntermediateThrowEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as PlainMessage
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessage

from engine.runtime.codes import TurnusErrorEventDefinition, TurnusEscalationEventDefinition
from engine.runtime.compensation import (
    CompensationEventDefinition,
    TurnusEndEvent,
    TurnusIntermediateThrowEvent,
)
from engine.runtime.external import ExternalTask, ExternalTaskConverter
from engine.runtime.scopes import TurnusBoundaryEvent, TurnusStartEvent

MERGE = "merge_into_case"  # marks a payload whose keys become case data


class TurnusMessage(CamundaMessage):
    """A message definition whose payload, when marked ``MERGE``, is merged into the task's data."""

    def throw(self, my_task: Any) -> None:
        if self.expression is not None:
            return super().throw(my_task)
        payload = {"payload": deepcopy(my_task.data), "result_var": None, MERGE: True}
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload))

    def update_task_data(self, my_task: Any) -> None:
        event_data = my_task.internal_data.get(self.name)
        if isinstance(event_data, dict) and event_data.get(MERGE):
            my_task.set_data(**event_data["payload"])
        else:
            super().update_task_data(my_task)


def external_payload(data: dict[str, Any]) -> dict[str, Any]:
    return {"payload": data, "result_var": None, MERGE: True}


class StartEventConverter(EventConverter):  # type: ignore[misc]
    """Also keeps ``interrupting`` (event subprocess start events)."""

    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(spec)
        dct["interrupting"] = spec.interrupting
        return dct


class CompensationConverter(EventDefinitionConverter):  # type: ignore[misc]
    def to_dict(self, definition: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(definition)
        dct.update(activity_ref=definition.activity_ref, handlers=dict(definition.handlers))
        if definition.nested:  # only then: the specs stored before nested compensation stay byte-identical
            dct["nested"] = {k: dict(v) for k, v in definition.nested.items()}
        return dct


def _same_name(converter: type, typename: str) -> type:
    """``converter`` storing our subclass under the library's type name: specs stored before restore as ours,
    and a version diff (engine.cases.migration) sees no change of type."""

    class Converter(converter):  # type: ignore[misc, valid-type]
        def __init__(self, target_class: type, registry: Any) -> None:
            super().__init__(target_class, registry, typename)

    return Converter


CONFIG = dict(CAMUNDA_CONFIG)
CONFIG[TurnusMessage] = MessageEventDefinitionConverter
CONFIG[CompensationEventDefinition] = CompensationConverter
CONFIG[ExternalTask] = ExternalTaskConverter
for _plain, _ours, _converter in (
        (ErrorEventDefinition, TurnusErrorEventDefinition, ErrorEscalationEventDefinitionConverter),
        (EscalationEventDefinition, TurnusEscalationEventDefinition, ErrorEscalationEventDefinitionConverter),
        (StartEvent, TurnusStartEvent, StartEventConverter),
        (BoundaryEvent, TurnusBoundaryEvent, BoundaryEventConverter),
        (IntermediateThrowEvent, TurnusIntermediateThrowEvent, EventConverter),
        (EndEvent, TurnusEndEvent, EventConverter)):
    CONFIG.pop(_plain)
    CONFIG[_ours] = _same_name(_converter, _plain.__name__)
REGISTRY = BpmnWorkflowSerializer.configure(CONFIG)


def _adopt(definition: Any) -> Any:
    if isinstance(definition, MultipleEventDefinition):
        definition.event_definitions = [_adopt(d) for d in definition.event_definitions]
        return definition
    for plain, ours in ((ErrorEventDefinition, TurnusErrorEventDefinition),
                        (EscalationEventDefinition, TurnusEscalationEventDefinition)):
        if type(definition) is plain:  # thrown and caught scope by scope (engine.runtime.codes)
            return ours(definition.name, definition.code, description=definition.description)
    if isinstance(definition, PlainMessage) and not isinstance(definition, TurnusMessage):
        return TurnusMessage(definition.name, definition.correlation_properties,
                             expression=getattr(definition, "expression", None),
                             result_var=getattr(definition, "result_var", None),
                             description=definition.description)
    return definition


def adopt_messages(specs: Iterable[BpmnProcessSpec]) -> None:
    """Replace every message definition of freshly parsed specs by ``TurnusMessage`` (in place)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if definition is not None:
                task_spec.event_definition = _adopt(definition)
