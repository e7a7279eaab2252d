"""Forms generated from a FormSchema: the widget for each field, and the submission read back.

The engine's ``FormSchema.validate`` is the authority on what is valid; this module only chooses
widgets, keeps what a person typed, stores uploaded files, and maps errors to fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from engine import attachments, identity
from engine.cases import duties
from engine.errors import FieldError, FormInvalid, InvalidInput, TurnusError
from engine.forms import FormField, FormSchema
from web.deps import directory
from web.present import field_error, field_hint, format_value, iso_date

RADIO_MAX = 4  # enums with this many options or fewer are radio buttons, more a select
KEEP_PREFIX = "keep-file-"  # hidden input carrying an already uploaded attachment's id
_TRUE = ("true", "on", "1", "yes", True)


@dataclass
class Widget:
    field: FormField
    kind: str  # text | textarea | number | date | checkbox | radio | select | user | file | readonly
    value: Any  # what the input shows: a string, or a bool for a checkbox
    hint: str = ""
    error: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    display: str = ""  # readonly text, a picked date's week, or the current file's name

    @property
    def html_id(self) -> str:
        return "f-" + self.field.id

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(self.html_id + "-hint")
        if self.error:
            ids.append(self.html_id + "-error")
        return " ".join(ids)


def widget_kind(f: FormField) -> str:
    widget = f.properties.get("widget", "")
    if f.readonly:
        return "readonly"
    if widget in ("user", "file", "textarea"):
        return widget
    if f.type == "boolean":
        return "checkbox"
    if f.type == "enum":
        return "radio" if len(f.options) <= RADIO_MAX else "select"
    if f.type == "long":
        return "number"
    if f.type == "date":
        return "date"
    if f.maxlength is not None and f.maxlength > 200:
        return "textarea"
    return "text"


def initial_values(form: FormSchema, *sources: Mapping[str, Any] | None) -> dict[str, Any]:
    """Field values to show: the field's default, overridden by each source in turn (case data, draft)."""
    values: dict[str, Any] = {f.id: f.default_for(sources[0] if sources else None) for f in form.fields}
    for source in sources:
        for f in form.fields:
            if source and f.id in source and source[f.id] is not None:
                values[f.id] = source[f.id]
    return values


def _input_text(f: FormField, value: Any) -> Any:
    if f.type == "boolean" and not f.readonly:
        return value in _TRUE
    if value is None:
        return ""
    if f.type == "date":
        return iso_date(value) or str(value)
    return str(value)


def build(form: FormSchema, values: Mapping[str, Any], errors: Mapping[str, str] | None = None, *,
          files: Mapping[str, Any] | None = None, max_upload_mb: int = 10,
          initiator: str | None = None) -> list[Widget]:
    errors = errors or {}
    widgets = []
    for f in form.fields:
        kind = widget_kind(f)
        value = values.get(f.id)
        w = Widget(f, kind, _input_text(f, value), field_hint(f, max_upload_mb), errors.get(f.id))
        if kind == "readonly":
            w.display = format_value(f, value, files)
        elif kind in ("radio", "select"):
            w.options = [(o.id, o.label or o.id) for o in f.options]
        elif kind == "user":
            w.options = user_choices(f, initiator)
        elif kind == "file" and value:
            item = (files or {}).get(str(value))
            w.display = item.file_name if item else ""
        elif kind == "date":
            w.display = format_value(f, value) if iso_date(value) else ""
        widgets.append(w)
    return widgets


def user_choices(f: FormField, initiator: str | None) -> list[tuple[str, str]]:
    """The people a ``user`` field offers: only those its turnus:memberOf / turnus:notBy limits allow
    (the engine checks the submitted value the same way)."""
    member_of, not_by = duties.field_limits(f.properties)
    excluded = [initiator] if initiator and identity.DUTY_INITIATOR in not_by else []
    people = sorted((u for u in directory().values() if identity.may_pick_for_field(u, member_of, excluded)),
                    key=lambda u: u.display_name.lower())
    return [(u.name, u.display_name) for u in people]


def has_files(form: FormSchema) -> bool:
    return any(f.properties.get("widget") == "file" and not f.readonly for f in form.fields)


@dataclass
class Submission:
    data: dict[str, Any]  # what goes to the engine
    raw: dict[str, Any]  # what the person typed, to show again
    errors: list[FieldError]  # problems found before the engine saw it (uploads)
    uploaded: list[str]  # attachment ids stored while reading this submission


def read(form: FormSchema, values: ImmutableMultiDict[str, str], uploads: ImmutableMultiDict[str, FileStorage],
         store: Callable[[FileStorage], str], known_file: Callable[[str], bool], max_bytes: int) -> Submission:
    """The declared, writable fields of a posted form (nothing else reaches the engine)."""
    sub = Submission({}, {}, [], [])
    for f in form.fields:
        if f.readonly:
            continue
        if f.properties.get("widget") == "file":
            _read_file(f, values, uploads, store, known_file, max_bytes, sub)
        elif f.type == "boolean":
            ticked = values.get(f.id) in _TRUE
            sub.raw[f.id] = ticked
            sub.data[f.id] = ticked
        elif f.id in values:
            sub.raw[f.id] = values.get(f.id, "")
            sub.data[f.id] = values.get(f.id, "")
    return sub


def _read_file(f: FormField, values: ImmutableMultiDict[str, str], uploads: ImmutableMultiDict[str, FileStorage],
               store: Callable[[FileStorage], str], known_file: Callable[[str], bool], max_bytes: int,
               sub: Submission) -> None:
    upload = uploads.get(f.id)
    if upload is not None and upload.filename:
        content = upload.stream.read(max_bytes + 1)
        upload.stream.seek(0)
        if len(content) > max_bytes:
            sub.errors.append(FieldError(f.id, "file_size", "too large", {"mb": max_bytes // (1024 * 1024)}))
            return
        try:
            attachments.sniff(content, upload.filename)
        except InvalidInput:
            sub.errors.append(FieldError(f.id, "file_type", "type not allowed"))
            return
        attachment_id = store(upload)
        sub.uploaded.append(attachment_id)
        sub.data[f.id] = sub.raw[f.id] = attachment_id
        return
    kept = values.get(KEEP_PREFIX + f.id, "")
    if kept:
        if known_file(kept):
            sub.data[f.id] = sub.raw[f.id] = kept
        else:
            sub.errors.append(FieldError(f.id, "file_missing", "unknown attachment"))


def error_map(form: FormSchema, errors: list[FieldError]) -> tuple[dict[str, str], list[str]]:
    """(message per field, messages for the form as a whole), translated."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for err in errors:
        f = form.field(err.field)
        text = field_error(f, err)
        if f is None or f.readonly:
            general.append(text)
        else:
            by_field.setdefault(err.field, text)
    return by_field, general


def all_errors(form: FormSchema, sub: Submission) -> list[FieldError]:
    """Upload problems plus whatever the engine's rules find in the rest of the submission."""
    errors = list(sub.errors)
    try:
        form.validate({k: v for k, v in sub.data.items()})
    except FormInvalid as err:
        failed = {e.field for e in errors}
        errors.extend(e for e in err.errors if e.field not in failed)
    except TurnusError:
        pass
    return errors
