"""What changed between two versions of a definition, in words a process owner reads.

Elements are aligned by SpiffWorkflow's ``SpecDiff`` (by BPMN id, then by structure); form fields and
assignment come from Turnus' own metadata, because the library does not read candidate groups.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff

from .bundle import _registry, restore_spec

# Serialized task-spec keys that do not concern a reader (bookkeeping the library keeps).
_NOISE = {"inputs", "outputs", "typename", "name", "manual", "lookahead", "data_input_associations",
          "data_output_associations", "io_specification", "description"}
_ASSIGNMENT = ("assignee", "candidate_users", "candidate_groups", "due_date", "follow_up_date", "priority")


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str
    what: tuple[str, ...] = ()  # attribute names that changed (empty for added/removed)


@dataclass(frozen=True)
class FieldChange:
    element_id: str  # the user task or start event holding the form
    field_id: str
    kind: str  # added | removed | changed
    before: str = ""
    after: str = ""


@dataclass
class VersionDiff:
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    assignment: list[FieldChange] = field(default_factory=list)  # field_id = the attribute

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.fields or self.assignment)


def _label(spec: Any) -> tuple[str, str] | None:
    eid = getattr(spec, "bpmn_id", None)
    return (eid, getattr(spec, "bpmn_name", None) or eid) if eid else None


def spec_diff(old_spec_json: str, new_spec_json: str) -> VersionDiff:
    """Added, removed and changed BPMN elements (top process and called/sub processes)."""
    old_top, old_deps = restore_spec(old_spec_json)
    new_top, new_deps = restore_spec(new_spec_json)
    out = VersionDiff()
    pairs = [(old_top, new_top)] + [(s, new_deps[n]) for n, s in old_deps.items() if n in new_deps]
    for old, new in pairs:
        diff = SpecDiff(_registry, old, new)
        out.added += [ElementChange(*lab) for s in diff.added if (lab := _label(s))]
        out.removed += [ElementChange(*lab) for s in diff.removed if (lab := _label(s))]
        for s, attrs in diff.changed.items():
            lab = _label(s)
            what = tuple(a for a in attrs if a not in _NOISE)
            if lab and what:
                out.changed.append(ElementChange(*lab, what))
    for name, s in old_deps.items():
        if name not in new_deps:
            out.removed += [ElementChange(*lab) for t in s.task_specs.values() if (lab := _label(t))]
    for name, s in new_deps.items():
        if name not in old_deps:
            out.added += [ElementChange(*lab) for t in s.task_specs.values() if (lab := _label(t))]
    for lst in (out.added, out.removed, out.changed):
        lst.sort(key=lambda c: c.element_id)
    return out


def _forms(meta: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    forms = {"(start)": {f["id"]: f for f in meta["start_form"].get("fields", [])}}
    for eid, ut in meta["user_tasks"].items():
        forms[eid] = {f["id"]: f for f in ut["form"].get("fields", [])}
    return forms


def _field_text(f: Mapping[str, Any]) -> str:
    return f"{f.get('label') or f['id']} ({f.get('type')})"


def meta_diff(old_meta_json: str, new_meta_json: str, out: VersionDiff) -> VersionDiff:
    """Form fields and assignment attributes of user tasks, from the versions' stored metadata."""
    old, new = json.loads(old_meta_json), json.loads(new_meta_json)
    old_forms, new_forms = _forms(old), _forms(new)
    for eid in sorted(set(old_forms) | set(new_forms)):
        a, b = old_forms.get(eid, {}), new_forms.get(eid, {})
        if eid not in old_forms or eid not in new_forms:
            continue  # the whole element is added or removed: already listed
        for fid in a.keys() - b.keys():
            out.fields.append(FieldChange(eid, fid, "removed", _field_text(a[fid])))
        for fid in b.keys() - a.keys():
            out.fields.append(FieldChange(eid, fid, "added", after=_field_text(b[fid])))
        for fid in sorted(a.keys() & b.keys()):
            if a[fid] != b[fid]:
                out.fields.append(FieldChange(eid, fid, "changed", _field_text(a[fid]), _field_text(b[fid])))
    old_tasks, new_tasks = old["user_tasks"], new["user_tasks"]
    for eid in sorted(old_tasks.keys() & new_tasks.keys()):
        for attr in _ASSIGNMENT:
            x, y = old_tasks[eid].get(attr), new_tasks[eid].get(attr)
            if x != y:
                out.assignment.append(FieldChange(eid, attr, "changed", _text(x), _text(y)))
    out.fields.sort(key=lambda c: (c.element_id, c.field_id))
    return out


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def version_diff(old_spec_json: str, old_meta_json: str, new_spec_json: str, new_meta_json: str) -> VersionDiff:
    return meta_diff(old_meta_json, new_meta_json, spec_diff(old_spec_json, new_spec_json))
