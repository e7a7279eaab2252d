"""What loading a definition produces: immutable bundles with the metadata the engine reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.errors import Problem
from engine.forms import FormSchema


@dataclass(frozen=True)
class UserTaskMeta:
    element_id: str
    name: str
    lane: str | None
    documentation: str  # text of bpmn:documentation (may be Markdown)
    # Raw strings as written; may contain ${var} / ${var.attr} references into case data.
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_date: str | None
    follow_up_date: str | None
    priority: str | None
    form: FormSchema
    # turnus:notBy rules (engine.definitions.duties): "initiator", "completerOf:TASK_ID"
    duty_rules: tuple[str, ...] = ()
    # The name of an interrupting timer on the task's boundary: the task closes by itself then, so doing it
    # is optional (e.g. "report an early end" until "14 days before the end date").
    closes_by: str | None = None


@dataclass(frozen=True)
class ProcessMeta:
    process_id: str
    name: str
    start_form: FormSchema  # camunda:formData of the none start event (SpiffWorkflow does not read it)
    initiator_variable: str | None  # camunda:initiator on that start event
    user_tasks: Mapping[str, UserTaskMeta]  # by element id, including those inside embedded subprocesses
    element_names: Mapping[str, str]  # element id -> name, for history display
    # camunda:candidateStarterUsers / candidateStarterGroups on the process; both empty: anyone may start
    starter_users: tuple[str, ...] = ()
    starter_groups: tuple[str, ...] = ()
    # element id -> the name of the top-level subprocess it sits in: the phase a history groups by
    element_phases: Mapping[str, str] = field(default_factory=dict)
    # turnus:startVariable properties on the process (engine.definitions.startvars), then the required ones inferred
    # from what it uses but cannot set (engine.definitions.unset_refs): start data without a form
    start_variables: FormSchema = field(default_factory=FormSchema)


@dataclass(frozen=True)
class Bundle:
    key: str  # the executable process id
    name: str
    content_hash: str  # sha256 hex over the bundle's files, sorted by name (name + bytes)
    files: Mapping[str, bytes]  # every BPMN/DMN file this definition needs, raw
    spec_json: str  # serialized specs; restore a fresh copy per case with restore_spec()
    processes: Mapping[str, ProcessMeta]  # the top process and every subprocess / called process
    warnings: tuple[Problem, ...]
