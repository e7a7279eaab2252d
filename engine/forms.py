"""Form schema (from camunda:formData) and validation/coercion of submissions.

A ``FormSchema`` is plain data: the definitions layer builds it from the BPMN XML, the CLI prints it
(``to_dict``), the store may keep it, and the cases layer calls ``validate`` on every submission.
``validate`` never trusts the client: only declared, writable fields reach the result, typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import FieldError, FormInvalid

TYPES = ("string", "long", "boolean", "date", "enum")
CONSTRAINTS = ("required", "readonly", "min", "max", "minlength", "maxlength")

_INT_RE = re.compile(r"^[+-]?\d+$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DANISH_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no"})


class CoercionError(ValueError):
    """A value does not have the field's type; the message completes "<label> must ..."."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str


_DEFAULT_REF = re.compile(r"^[$#]\{\s*([A-Za-z][A-Za-z0-9_]*)(?:\.([A-Za-z][A-Za-z0-9_]*))?\s*\}$")


@dataclass(frozen=True)
class FormField:
    id: str
    type: str  # one of TYPES; Camunda custom types are read as "string"
    label: str
    default: Any = None
    required: bool = False
    readonly: bool = False
    # Numbers for "long"; ISO date strings ("2027-01-01") for "date".
    min: float | str | None = None
    max: float | str | None = None
    minlength: int | None = None
    maxlength: int | None = None
    options: tuple[Option, ...] = ()
    # e.g. widget=textarea | user | file; left out of the hash so that schemas stay hashable
    properties: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def display(self) -> str:
        return self.label or self.id

    def default_for(self, data: Mapping[str, Any] | None) -> Any:
        """The default to show: a ``${name}`` / ``${name.attr}`` default (Camunda's way) is read from case data."""
        if not isinstance(self.default, str):
            return self.default
        match = _DEFAULT_REF.match(self.default.strip())
        if not match:
            return self.default
        value = (data or {}).get(match.group(1))
        if match.group(2) is not None:
            value = value.get(match.group(2)) if isinstance(value, Mapping) else None
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "label": self.label,
            "default": self.default,
            "required": self.required,
            "readonly": self.readonly,
            "min": self.min,
            "max": self.max,
            "minlength": self.minlength,
            "maxlength": self.maxlength,
            "options": [{"id": o.id, "label": o.label} for o in self.options],
            "properties": dict(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormField:
        return cls(
            id=data["id"],
            type=data.get("type", "string"),
            label=data.get("label", ""),
            default=data.get("default"),
            required=bool(data.get("required", False)),
            readonly=bool(data.get("readonly", False)),
            min=data.get("min"),
            max=data.get("max"),
            minlength=data.get("minlength"),
            maxlength=data.get("maxlength"),
            options=tuple(Option(o["id"], o.get("label", o["id"])) for o in data.get("options", ())),
            properties=dict(data.get("properties", {})),
        )


@dataclass(frozen=True)
class FormSchema:
    fields: tuple[FormField, ...] = ()

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"fields": [f.to_dict() for f in self.fields]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormSchema:
        return cls(tuple(FormField.from_dict(f) for f in data.get("fields", ())))

    def validate(self, submission: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """The typed values of every writable declared field; raises FormInvalid listing every bad field.

        Readonly fields are display-only: clients need not send them; one that is sent must equal the
        field's default, and it is never returned, so a submission cannot overwrite case data through it.
        Missing fields come back as None (booleans as False: an unticked checkbox is not sent).
        ``partial=True`` (a draft) skips only the "required" check.
        """
        errors: list[FieldError] = []
        declared = {f.id for f in self.fields}
        for key in submission:
            if key not in declared:
                errors.append(FieldError(str(key), "unknown", f"{key} is not a field of this form"))
        result: dict[str, Any] = {}
        for f in self.fields:
            error, value = _check_field(f, submission.get(f.id), partial)
            if error is not None:
                errors.append(error)
            elif not f.readonly:
                result[f.id] = value
        if errors:
            raise FormInvalid(errors)
        return result


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


MAX_LIST_ITEMS = 1000  # a list start variable (a multi-instance collection) is people or items, not bulk data


def _check_field(f: FormField, raw: Any, partial: bool) -> tuple[FieldError | None, Any]:
    if f.properties.get("list") == "true":
        return _check_list(f, raw, partial)
    if f.readonly:
        if raw is None or _same(f, raw, f.default):
            return None, None
        return FieldError(f.id, "readonly", f"{f.display} cannot be changed"), None
    if f.type == "boolean" and raw is None:
        raw = False  # an unticked checkbox is not sent; "required" is then satisfied, as in Camunda
    if _blank(raw):
        if f.required and not partial:
            return FieldError(f.id, "required", f"{f.display} is required"), None
        return None, None
    try:
        value = coerce(f, raw)
    except CoercionError as exc:
        code = "enum" if f.type == "enum" else "type"
        params = {"options": [o.id for o in f.options]} if f.type == "enum" else {"type": f.type}
        return FieldError(f.id, code, f"{f.display} {exc}", params), None
    return _constraints(f, value), value


def _check_list(f: FormField, raw: Any, partial: bool) -> tuple[FieldError | None, Any]:
    """A list of the field's type (``turnus:startVariable`` ``name:list<type>``), each item checked alone."""
    if raw is None or raw == []:
        if f.required and not partial:
            return FieldError(f.id, "required", f"{f.display} is required"), None
        return None, None
    if not isinstance(raw, list):
        return FieldError(f.id, "type", f"{f.display} must be a list of {f.type} values",
                          {"type": f"list<{f.type}>"}), None
    if len(raw) > MAX_LIST_ITEMS:
        return FieldError(f.id, "maxitems", f"{f.display} can have at most {MAX_LIST_ITEMS} items",
                          {"max": MAX_LIST_ITEMS}), None
    item = FormField(f.id, f.type, f.label, minlength=f.minlength, maxlength=f.maxlength, min=f.min, max=f.max)
    values = []
    for n, value in enumerate(raw, 1):
        try:
            coerced = coerce(item, value)
        except CoercionError as exc:
            return FieldError(f.id, "type", f"{f.display} item {n} {exc}", {"type": f.type}), None
        error = _constraints(item, coerced)
        if error is not None:
            return error, None
        values.append(coerced)
    return None, values


def _same(f: FormField, raw: Any, default: Any) -> bool:
    if _blank(raw) or _blank(default):
        return _blank(raw) and _blank(default)
    try:
        return coerce(f, raw) == coerce(f, default)
    except CoercionError:
        return False


def coerce(f: FormField, raw: Any) -> Any:
    """``raw`` converted to the field's type; raises CoercionError (message completes the label)."""
    kind = f.type if f.type in TYPES else "string"
    if kind == "string":
        if not isinstance(raw, str):
            raise CoercionError("must be text")
        return raw
    if kind == "long":
        return _to_long(raw)
    if kind == "boolean":
        return _to_bool(raw)
    if kind == "date":
        return _to_date(raw).isoformat()
    ids = [o.id for o in f.options]
    if not isinstance(raw, str) or raw not in ids:
        raise CoercionError("must be one of: " + ", ".join(o.label or o.id for o in f.options))
    return raw


LONG_MAX = 2**63 - 1  # a "long" is Camunda's 64-bit integer


def _to_long(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CoercionError("must be a whole number")
    if isinstance(raw, str) and _INT_RE.match(raw.strip()):
        if len(raw.strip().lstrip("+-")) > 19:  # before int(): Python refuses over 4,300 digits
            raise CoercionError(f"must be between {-LONG_MAX} and {LONG_MAX}")
        raw = int(raw.strip())
    if isinstance(raw, int):
        if not -LONG_MAX <= raw <= LONG_MAX:
            raise CoercionError(f"must be between {-LONG_MAX} and {LONG_MAX}")
        return raw
    raise CoercionError("must be a whole number")


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise CoercionError("must be yes or no")


def parse_date(raw: Any) -> dt.date:
    """An ISO ``YYYY-MM-DD`` or Danish ``d.m.yyyy`` date; raises CoercionError."""
    return _to_date(raw)


def _to_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise CoercionError("must be a date (YYYY-MM-DD or d.m.yyyy)")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        iso = _ISO_DATE_RE.match(text)
        danish = _DANISH_DATE_RE.match(text)
        try:
            if iso:
                return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
            if danish:
                return dt.date(int(danish[3]), int(danish[2]), int(danish[1]))
        except ValueError:
            raise CoercionError("must be a real date (YYYY-MM-DD or d.m.yyyy)") from None
    raise CoercionError("must be a date (YYYY-MM-DD or d.m.yyyy)")


def _num(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _constraints(f: FormField, value: Any) -> FieldError | None:
    label = f.display
    if f.type == "long":
        if f.min is not None and value < float(f.min):
            return FieldError(f.id, "min", f"{label} must be at least {_num(f.min)}", {"min": f.min})
        if f.max is not None and value > float(f.max):
            return FieldError(f.id, "max", f"{label} must be at most {_num(f.max)}", {"max": f.max})
    if f.type == "date":
        low = _to_date(f.min).isoformat() if f.min is not None else None
        high = _to_date(f.max).isoformat() if f.max is not None else None
        if low is not None and value < low:
            return FieldError(f.id, "min", f"{label} must be on or after {low}", {"min": low})
        if high is not None and value > high:
            return FieldError(f.id, "max", f"{label} must be on or before {high}", {"max": high})
    if isinstance(value, str) and f.type not in ("long", "boolean", "date", "enum"):
        if f.minlength is not None and len(value) < f.minlength:
            return FieldError(
                f.id, "minlength", f"{label} must be at least {f.minlength} characters",
                {"minlength": f.minlength},
            )
        if f.maxlength is not None and len(value) > f.maxlength:
            return FieldError(
                f.id, "maxlength", f"{label} must be at most {f.maxlength} characters",
                {"maxlength": f.maxlength},
            )
    return None
