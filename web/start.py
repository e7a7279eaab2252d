"""Start a new case from a process' start form (e.g. propose a rotation theme), with the start variables the
process needs but cannot set itself (a Camunda model's ``${assignee}`` or ``assigneeList``) as fields of their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from engine import attachments
from engine.errors import FormInvalid, TurnusError
from engine.forms import FormField, FormSchema
from web import formview
from web.deps import engine, login_required, settings, user

bp = Blueprint("start", __name__)


@bp.route("/start")
@login_required
def index() -> Any:
    definitions = engine().definitions()
    if len(definitions) == 1:
        return redirect(url_for("start.form", key=definitions[0].key))
    return render_template("start_list.html", definitions=definitions)


def _render(key: str, name: str, form: FormSchema, values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
            general: list[str] | None = None, status: int = 200) -> Any:
    max_mb = settings().max_upload_bytes // (1024 * 1024)
    files = {}
    for field in form.fields:
        value = values.get(field.id)
        if field.properties.get("widget") == "file" and isinstance(value, str) and value:
            try:
                files[value] = attachments.get(engine(), user().name, value, with_content=False)
            except TurnusError:
                continue
    widgets = formview.build(form, values, errors, files=files, max_upload_mb=max_mb, initiator=user().name)
    return render_template("start.html", key=key, name=name, widgets=widgets, general_errors=general or [],
                           error_count=len(errors or {}) + len(general or []),
                           multipart=formview.has_files(form)), status


_PEOPLE = frozenset({"assignee", "candidateUsers"})


def _variable_field(f: FormField) -> FormField:
    """A required start variable as the page asks for it: a person from the list, or a list one per line."""
    label = _("%(name)s (the %(use)s of “%(element)s”)", name=f.id, use=f.properties.get("inferred_from", ""),
              element=f.properties.get("element", ""))
    if f.properties.get("list") == "true":
        return FormField(f.id, "string", label, required=True,
                         properties={"widget": "textarea", "web:lines": "true", "web:hint": _("One per line.")})
    widget = {"widget": "user"} if f.properties.get("inferred_from") in _PEOPLE else {}
    return replace(f, label=label, properties=widget)


def _schema(key: str) -> tuple[str, FormSchema]:
    """The start form and, after it, the required start variables nothing in the process sets."""
    name, schema = engine().start_form(key)
    needed = tuple(_variable_field(f) for f in engine().start_variables(key).fields
                   if f.required and f.properties.get("inferred_from"))
    return name, FormSchema(schema.fields + needed)


def _lines_as_lists(schema: FormSchema, data: dict[str, Any]) -> dict[str, Any]:
    for f in schema.fields:
        if f.properties.get("web:lines") == "true" and isinstance(data.get(f.id), str):
            data[f.id] = [line.strip() for line in data[f.id].splitlines() if line.strip()]
    return data


@bp.route("/start/<id:key>")
@login_required
def form(key: str) -> Any:
    name, schema = _schema(key[:200])
    return _render(key, name, schema, formview.initial_values(schema))


@bp.route("/start/<id:key>", methods=["POST"])
@login_required
def submit(key: str) -> Any:
    eng = engine()
    me = user().name
    name, schema = _schema(key[:200])
    max_bytes = settings().max_upload_bytes

    def store(upload: FileStorage) -> str:
        content = upload.stream.read(max_bytes + 1)
        return attachments.store(eng, me, upload.filename or "file", content, max_bytes=max_bytes).id

    def known(attachment_id: str) -> bool:
        try:
            item = attachments.get(eng, me, attachment_id, with_content=False)
        except TurnusError:
            return False
        return item.case_id is None and item.uploaded_by == me

    sub = formview.read(schema, request.form, request.files, store, known, max_bytes)
    if sub.errors:
        by_field, general = formview.error_map(schema, formview.all_errors(schema, sub))
        return _render(key, name, schema, sub.raw, by_field, general, 400)
    try:
        case_id = eng.start(key, me, _lines_as_lists(schema, dict(sub.data)))
    except FormInvalid as err:
        by_field, general = formview.error_map(schema, err.errors)
        return _render(key, name, schema, sub.raw, by_field, general, 400)
    file_ids = [v for f in schema.fields if f.properties.get("widget") == "file"
                for v in [sub.data.get(f.id)] if isinstance(v, str) and v]
    attachments.link_to_case(eng, me, file_ids, case_id)
    flash(_("The case is started. You can follow it under My cases."), "success")
    return redirect(url_for("cases.show", case_id=case_id))
