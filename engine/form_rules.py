"""Cross-field rules on a form, declared as field properties (Camunda keeps them; Camunda Modeler edits them):

- ``turnus:notBefore`` = another field's id: this date may not be before that one (end ≥ start);
- ``turnus:requiredIf`` = ``field=value`` (or just ``field``): required when the other field has that value
  (or any value).

They are comparisons, not code, so nothing is evaluated; the other field's value comes from the submission or,
for a read-only context field, from the case. Kept apart from engine.forms so that module stays about one field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import FieldError, Finding, FormInvalid
from engine.forms import FormSchema

NOT_BEFORE = "turnus:notBefore"
REQUIRED_IF = "turnus:requiredIf"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(form: FormSchema, values: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> None:
    """Raise FormInvalid (one error next to each field) if a cross-field rule is broken."""
    seen = {**(context or {}), **values}
    errors: list[FieldError] = []
    for f in form.fields:
        if f.readonly:
            continue
        value = values.get(f.id)
        condition = f.properties.get(REQUIRED_IF, "").strip()
        if condition and _blank(value):
            other, _, wanted = (part.strip() for part in condition.partition("="))
            actual = seen.get(other)
            if (not _blank(actual)) and (not wanted or str(actual) == wanted):
                other_label = form.field(other).display if form.field(other) else other
                errors.append(FieldError(f.id, "required_if", f"{f.display} is required when {other_label} is "
                                         f"{actual}", {"other": other_label}))
                continue
        after = f.properties.get(NOT_BEFORE, "").strip()
        if after and not _blank(value) and not _blank(seen.get(after)) and str(value) < str(seen[after]):
            other_label = form.field(after).display if form.field(after) else after
            errors.append(FieldError(f.id, "not_before", f"{f.display} cannot be before {other_label}",
                                     {"other": other_label}))
    if errors:
        raise FormInvalid(errors)


def problems(form: FormSchema) -> list[str]:
    """Lint: a rule naming a field the form does not have, or notBefore on a field that is not a date."""
    out = []
    ids = {f.id for f in form.fields}
    for f in form.fields:
        other = f.properties.get(REQUIRED_IF, "").partition("=")[0].strip()
        if f.properties.get(REQUIRED_IF) is not None and other not in ids:
            out.append(Finding(f"form field '{f.id}': {REQUIRED_IF} names '{other}', which is not a field of this "
                               "form", "form_required_if_unknown", field=f.id, property=REQUIRED_IF, other=other))
        after = f.properties.get(NOT_BEFORE)
        if after is not None:
            target = form.field(after.strip())
            if f.type != "date" or target is None or target.type != "date":
                out.append(Finding(f"form field '{f.id}': {NOT_BEFORE} compares two date fields of this form "
                                   f"('{after}' is not one)", "form_not_before_not_date", field=f.id,
                                   property=NOT_BEFORE, other=after))
    return out
