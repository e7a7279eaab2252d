"""A case's events in words (Danish or English): what happened, who, and what changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from engine.cases.queries import EventView
from engine.forms import FormField, FormSchema
from web.deps import display_name
from web.i18n import show_date, show_datetime
from web.present import format_value


@dataclass
class Line:
    seq: int
    at: Any
    actor: str
    kind: str
    text: str
    # (label, value, variable id): the label and value as the task pages show them; the id for the technical
    # reader, shown beside a field's label (empty for details that are no case variable)
    details: list[tuple[str, str, str]] = field(default_factory=list)


def fields_of(*forms: FormSchema) -> dict[str, FormField]:
    """Every form field of the case's forms by variable id (the first form naming a variable wins)."""
    found: dict[str, FormField] = {}
    for form in forms:
        for f in form.fields:
            found.setdefault(f.id, f)
    return found


def _v(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _moment(value: Any) -> str:
    """A recorded date or instant as d.m.yyyy (and the time in Copenhagen when there is one)."""
    if isinstance(value, str) and len(value) > 10:
        try:
            return show_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return show_date(value) if value else "–"


def _day(value: Any) -> str:
    """A due date as d.m.yyyy; an instant is first put in Copenhagen time (23:00 UTC is the next day there)."""
    try:
        return show_date(datetime.fromisoformat(str(value)))
    except ValueError:
        return show_date(value)


def describe(events: list[EventView], version: int, fields: Mapping[str, FormField] | None = None) -> list[Line]:
    known = fields or {}

    def label(key: str) -> str:
        f = known.get(key)
        return f.display if f else key

    def value(key: str, raw: Any) -> str:
        f = known.get(key)
        return format_value(f, raw) if f else _v(raw)

    def shown(key: str, raw: Any) -> tuple[str, str, str]:
        return label(key), value(key, raw), key

    def change(key: str, c: Mapping[str, Any]) -> tuple[str, str, str]:
        return label(key), _("%(before)s → %(after)s", before=value(key, c.get("before")),
                             after=value(key, c.get("after"))), key

    lines, data = [], {}
    for e in events:
        p, who, name = e.payload, display_name(e.actor), e.payload.get("name") or e.element_name or e.element_id or ""
        details: list[tuple[str, str, str]] = []
        k = e.kind
        if k == "case_started":
            text = _("%(who)s started the case (process version %(version)s)", who=who,
                     version=p.get("version", version))
            details = [shown(key, val) for key, val in sorted((p.get("data") or {}).items())]
            data.update(p.get("data") or {})
        elif k == "task_created":
            to = display_name(p.get("assignee")) if p.get("assignee") else ", ".join(
                (p.get("candidate_groups") or []) + (p.get("candidate_users") or []))
            text = _("The step “%(name)s” is ready for %(to)s", name=name, to=to or "–")
            if p.get("due_at"):
                details.append((_("Due"), _day(p["due_at"]), ""))
        elif k == "task_claimed":
            text = _("%(who)s took the step “%(name)s”", who=who, name=name)
        elif k == "task_released":
            text = _("%(who)s released the step “%(name)s”", who=who, name=name)
        elif k == "task_assigned":
            text = _("%(who)s handed the step “%(name)s” to %(to)s", who=who, name=name,
                     to=display_name(p.get("assignee")))
        elif k == "task_completed":
            text = _("%(who)s completed the step “%(name)s”", who=who, name=name)
            for key, c in sorted((p.get("changes") or {}).items()):
                details.append(change(key, c))
            data.update(p.get("data") or {})
            for key in sorted(data):
                if key.endswith("_version") and data[key] is not None:
                    details.append(shown(key, data[key]))
        elif k == "comment_added":
            text = _("%(who)s commented", who=who)
            details = [(_("Comment"), p.get("text", ""), "")]
        elif k == "gateway_taken":
            text = _("The process chose a way at “%(name)s”", name=name)
            details = [(_("Continued to"), ", ".join(str(t) for t in p.get("targets") or [] if t) or "–", "")]
        elif k == "timer_fired":
            text = _("The timer “%(name)s” fired", name=name)
            if p.get("due"):
                details = [(_("Due"), _moment(p.get("due")), "")]
        elif k == "decision_evaluated":
            text = _("The decision “%(name)s” was evaluated", name=name)
            details = [shown(key, val) for key, val in sorted((p.get("outputs") or {}).items())]
            data.update(p.get("outputs") or {})
        elif k == "script_run":
            text = _("The process step “%(name)s” updated the case", name=name)
            for key, c in sorted((p.get("changed") or {}).items()):
                if isinstance(c, dict):
                    details.append(change(key, c))
                    data[key] = c.get("after")
        elif k == "end_reached":
            text = _("The process reached “%(name)s”", name=name)
        elif k == "case_completed":
            text = _("The case was finished")
        elif k == "case_cancelled":
            text = _("%(who)s cancelled the case", who=who)
            details = [(_("Reason"), p.get("reason", ""), "")]
        elif k == "task_cancelled":
            text = _("The step “%(name)s” was withdrawn by the process", name=name)
        elif k == "incident_raised":
            text = _("A rule failed at “%(name)s”: the case stopped", name=name)
            details = [(_("Message"), _v(p.get("message")), "")]
        elif k == "incident_resolved":
            text = _("%(who)s resolved the stopped case", who=who)
        elif k == "attachment_added":
            text = _("%(who)s added the file “%(file)s”", who=who, file=p.get("file_name", ""))
            details = [(_("Size"), _v(p.get("size")), ""), ("SHA-256", _v(p.get("sha256")), "")]
        elif k == "case_migrated":
            text = _("%(who)s moved the case from process version %(old)s to version %(new)s", who=who,
                     old=_v(p.get("from_version")), new=_v(p.get("to_version")))
        elif k == "data_changed":  # an administrator's `set data`
            text = _("%(who)s changed the case data", who=who)
            details = [(_("Reason"), _v(p.get("reason")), "")]
            for key, c in sorted((p.get("changes") or {}).items()):
                details.append(change(key, c))
                data[key] = c.get("after")
        elif k == "task_updated":
            text = _("The step “%(name)s” now follows the new process version", name=name)
        elif k == "attachment_removed":
            text = _("%(who)s removed the file “%(file)s”", who=who, file=p.get("file_name", ""))
            details = [(_("Reason"), _v(p.get("reason")), ""), (_("Size"), _v(p.get("size")), ""),
                       ("SHA-256", _v(p.get("sha256")), "")]
        elif k == "external_task_created":
            text = _("The step “%(name)s” waits for an external worker (topic %(topic)s)", name=name,
                     topic=_v(p.get("topic")))
        elif k == "external_task_completed":
            text = _("%(who)s completed the step “%(name)s” (worker %(worker)s)", who=who, name=name,
                     worker=_v(p.get("worker")))
            for key, c in sorted((p.get("changes") or {}).items()):
                details.append(change(key, c))
            data.update(p.get("data") or {})
        elif k == "external_task_failed":
            text = _("The external worker %(worker)s failed the step “%(name)s”", worker=_v(p.get("worker")),
                     name=name)
            details = [(_("Message"), _v(p.get("message")), ""), (_("Retries left"), _v(p.get("retries")), "")]
        elif k == "external_task_cancelled":
            text = _("The step “%(name)s” no longer waits for an external worker", name=name)
        else:  # kinds this page does not know yet (e.g. migrations) are shown as recorded
            text = _("%(who)s: %(kind)s", who=who, kind=k)
            details = [(key, _v(val), "") for key, val in sorted(p.items())]
        lines.append(Line(e.seq, e.at, e.actor, k, text, details))
    return lines
