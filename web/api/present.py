"""Engine views as JSON: cases, tasks, forms as JSON Schema, task ETags."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from engine.forms import FormSchema

_TYPES = {"long": {"type": "integer"}, "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"}}


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def form_schema(form: FormSchema) -> dict[str, Any]:
    """A form (camunda:formData) as JSON Schema: what a client must send as ``data``."""
    props: dict[str, Any] = {}
    for f in form.fields:
        prop: dict[str, Any] = dict(_TYPES.get(f.type, {"type": "string"}))
        if f.properties.get("list") == "true":  # a start variable such as a multi-instance collection
            prop = {"type": "array", "items": prop}
        prop["title"] = f.label or f.id
        if f.type == "enum":
            prop["enum"] = [o.id for o in f.options]
        if f.readonly:
            prop["readOnly"] = True
        if f.default is not None:
            prop["default"] = f.default
        for ours, theirs in (("minlength", "minLength"), ("maxlength", "maxLength")):
            if getattr(f, ours) is not None:
                prop[theirs] = getattr(f, ours)
        if f.type == "long":
            if f.min is not None:
                prop["minimum"] = f.min
            if f.max is not None:
                prop["maximum"] = f.max
        elif f.type == "date" and (f.min is not None or f.max is not None):
            prop["description"] = f"between {f.min or '…'} and {f.max or '…'}"
        props[f.id] = prop
    return {"type": "object", "properties": props,
            "required": [f.id for f in form.fields if f.required and not f.readonly]}


def task_json(t: Any, *, form: bool = False) -> dict[str, Any]:
    out = {"id": t.id, "case_id": t.case_id, "case_title": t.case_title, "key": t.key, "element_id": t.element_id,
           "name": t.name, "state": t.state, "assignee": t.assignee, "candidate_users": list(t.candidate_users),
           "candidate_groups": list(t.candidate_groups), "due": iso(t.due_at), "follow_up": iso(t.follow_up_at),
           "priority": t.priority, "created_at": iso(t.created_at), "completed_at": iso(t.completed_at),
           "completed_by": t.completed_by}
    if form:
        out["documentation"] = t.documentation
        out["form"] = form_schema(t.form)
    return out


def etag(t: Any) -> str:
    """Changes whenever what someone acting on the task relies on changes: its state and who has it."""
    parts = [t.id, t.state, t.assignee or "", ",".join(t.candidate_users), ",".join(t.candidate_groups),
             iso(t.due_at) or "", iso(t.completed_at) or "", str(t.priority)]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def case_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "key": c.key, "version": c.version, "name": c.name, "title": c.title, "status": c.status,
            "started_by": c.started_by, "started_at": iso(c.started_at), "ended_at": iso(c.ended_at),
            "end_event": c.end_event, "next_timer_at": iso(c.next_timer_at), "next_timer_name": c.next_timer_name,
            "incident": c.incident, "data": c.data,
            "waiting_on": [{"task_id": t.id, "name": t.name, "assignee": t.assignee,
                            "candidate_groups": list(t.candidate_groups)} for t in c.open_tasks],
            # the external tasks (service tasks an outside worker does) the case waits at, by name
            "waiting_on_external": list(c.external_steps)}
