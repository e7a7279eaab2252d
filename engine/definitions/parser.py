"""The BPMN parser Turnus hands files to: SpiffWorkflow's Camunda parser with the gaps it has filled.

Each gap is closed by a parser class of ours (never by patching the library):
- script tasks read Camunda multi-instance (``camunda:collection`` / ``elementVariable``) like user tasks do;
  the library's script task parser built the plain BPMN multi-instance class, which the Camunda serializer
  configuration does not know ("ParallelMultiInstanceTask is not JSON serializable" at deploy).
- end events read signal definitions (the library dropped them, so the signal was never sent).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, ScriptTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEndEventParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, ScriptTaskParser


class _ScriptTaskParser(CamundaTaskParser, ScriptTaskParser):  # type: ignore[misc]
    """A script task whose multi-instance is Camunda's (the first base's ``_add_multiinstance_task``)."""


class _EndEventParser(CamundaEndEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH,
                                                 ESCALATION_EVENT_XPATH, TERMINATION_EVENT_XPATH,
                                                 SIGNAL_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


class TurnusParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("scriptTask"): (_ScriptTaskParser, ScriptTask),
        full_tag("endEvent"): (_EndEventParser, EndEvent),
    }
