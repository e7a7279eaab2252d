"""A case as a participant sees it: its phase, what each earlier step recorded, comments, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from engine import attachments
from engine.cases.queries import CaseView, EventView
from engine.forms import FormSchema
from engine.identity import User
from engine.service.pages import CasePage
from web.deps import directory, display_name, engine
from web.present import format_value, timer_wait


@dataclass(frozen=True)
class Item:
    label: str
    text: str
    attachment_id: str | None = None


@dataclass
class Step:
    name: str
    actor: str
    at: datetime
    items: list[Item] = field(default_factory=list)
    phase: str | None = None


@dataclass
class Phase:
    """Consecutive steps of one phase (a top-level subprocess), shown folded on the case page."""

    name: str
    steps: list[Step]


@dataclass
class CaseContext:
    case: CaseView
    phase: str
    steps: list[Step]
    comments: list[EventView]
    files: dict[str, attachments.Attachment]

    @property
    def phases(self) -> list[Phase]:
        groups: list[Phase] = []
        for step in self.steps:
            label = step.phase or step.name
            if groups and step.phase is not None and groups[-1].name == label:
                groups[-1].steps.append(step)
            else:
                groups.append(Phase(label, [step]))
        return groups


def phase_of(case: CaseView) -> str:
    if case.status == "running":
        if case.incident:
            return _("Stopped: a rule in the process failed")
        names = list(dict.fromkeys([*(t.name for t in case.open_tasks), *case.external_steps]))
        if names:
            return ", ".join(names)
        if case.next_timer_at:
            return _("Waiting for %(what)s", what=timer_wait(case.next_timer_name, case.next_timer_at))
        return _("Waiting (a date or an event)")
    if case.status == "cancelled":
        return _("Cancelled")
    return case.end_event_name or _("Finished")


def _items(form: FormSchema, data: dict[str, Any], files: dict[str, attachments.Attachment],
           hidden: str | None = None) -> list[Item]:
    items = []
    for f in form.fields:
        if f.id in data:
            value = data[f.id]
            is_file = f.properties.get("widget") == "file" and isinstance(value, str) and value in files
            items.append(Item(f.display, format_value(f, value, files), value if is_file else None))
    known = {f.id for f in form.fields}
    people = directory()
    for key, value in data.items():  # data the form does not describe (the initiator, API callers' data)
        if key not in known and key != hidden:  # the initiator: the step already says who started the case
            is_person = isinstance(value, str) and value in people
            items.append(Item(key, people[value].display_name if is_person else format_value(None, value)))
    return items


def case_context(case_id: str, actor: User | str, purpose: str = "case work",
                 page: CasePage | None = None) -> CaseContext:
    """The case as ``actor`` reads it: one engine call (``page`` when the caller already has it)."""
    page = page or engine().case_page(case_id, actor, purpose=purpose)
    case, events = page.case, page.events
    files = {a.id: a for a in page.files}
    start_form = page.start_form

    def form_for(event: EventView) -> FormSchema:
        return page.forms.get(event.element_id or "") or FormSchema()

    steps: list[Step] = []
    comments: list[EventView] = []
    for event in events:
        if event.kind == "case_started":
            data = event.payload.get("data") or {}
            steps.append(Step(_("Case started"), display_name(event.actor), event.at,
                              _items(start_form, data, files, case.initiator_variable)))
        elif event.kind == "task_completed":
            data = event.payload.get("data") or {}
            steps.append(Step(event.element_name or event.payload.get("name") or "", display_name(event.actor),
                              event.at, _items(form_for(event), data, files), event.phase))
        elif event.kind == "comment_added":
            comments.append(event)
    return CaseContext(case, phase_of(case), steps, comments, files)
