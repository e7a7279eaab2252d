"""Camunda 7 extension attributes and elements, read by namespace URI (never by prefix).

Files from older tools bind the ``camunda`` prefix to the legacy Activiti URI, which Camunda 7
treats as its own; ``normalise_legacy`` rewrites those into the Camunda namespace in the parsed tree
so that SpiffWorkflow's CamundaParser (which matches the Camunda URI) sees them too.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import Finding, Problem
from engine.forms import TYPES, CoercionError, FormField, FormSchema, Option, coerce, parse_date

from .xmlsafe import BPMN_NS

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

SUBPROCESS_TAGS = frozenset(f"{{{BPMN_NS}}}{t}" for t in ("subProcess", "transaction", "adHocSubProcess"))

# A value that names case data: ${name} or ${name.attr}. Names may not start with "_" (the sandbox
# refuses such names, and they are how Python internals are reached).
NAME = r"[A-Za-z][A-Za-z0-9_]*"
REF_RE = re.compile(rf"^\$\{{\s*{NAME}(\.{NAME})?\s*\}}$")
NAME_RE = re.compile(rf"^{NAME}$")
_CAMUNDA_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def bpmn(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def cam(local: str) -> str:
    return f"{{{CAMUNDA_NS}}}{local}"


def cattr(el: etree._Element, name: str) -> str | None:
    return el.get(cam(name))


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def name_anonymous_flows(root: etree._Element) -> list[etree._Element]:
    """Give every sequence flow without an ``id`` a stable one (``flow_SOURCE_TARGET``, numbered if taken).

    BPMN allows such flows and Camunda runs them; SpiffWorkflow silently drops them and everything reached
    only through them. The id depends only on the flow's ends and order, so a redeploy gives the same ids.
    """
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    named = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow.get("id"):
            continue
        base = f"flow_{flow.get('sourceRef', 'x')}_{flow.get('targetRef', 'x')}"
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        flow.set("id", ident)
        taken.add(ident)
        named.append(flow)
    return named


def normalise_legacy(root: etree._Element) -> int:
    """Move every Activiti-namespace element and attribute into the Camunda namespace; the count moved."""
    moved = 0
    prefix = f"{{{ACTIVITI_NS}}}"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag.startswith(prefix):
            el.tag = cam(el.tag[len(prefix) :])
            moved += 1
        for key in [k for k in el.attrib if k.startswith(prefix)]:
            value = el.attrib.pop(key)
            el.set(cam(key[len(prefix) :]), value)
            moved += 1
    return moved


def is_ref(value: str) -> bool:
    return bool(REF_RE.match(value.strip()))


def bad_reference(value: str, *, is_list: bool = False) -> str | None:
    """Why ``value`` is not a literal or a ${name} / ${name.attr} reference, or None if it is fine."""
    items = value.split(",") if is_list else [value]
    for item in items:
        item = item.strip()
        if ("${" in item or "#{" in item) and not is_ref(item):
            return (
                f"'{item}' is not allowed: write a literal or a reference to case data, "
                "${name} or ${name.attr} (Camunda expressions are not evaluated)"
            )
    return None


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def lanes_index(root: etree._Element) -> dict[str, str | None]:
    """Element id -> lane name, as SpiffWorkflow computes it (the last flowNodeRef in the file wins)."""
    lanes: dict[str, str | None] = {}
    for ref in root.iter(bpmn("flowNodeRef")):
        if ref.text:
            lanes[ref.text.strip()] = ref.getparent().get("name")
    return lanes


def lane_of(el: etree._Element, lanes: dict[str, str | None]) -> str | None:
    """The lane SpiffWorkflow gives the task: an enclosing subprocess's lane wins over the task's own."""
    parent = el.getparent()
    while parent is not None and parent.tag not in SUBPROCESS_TAGS:
        parent = parent.getparent()
    if parent is not None:
        outer = lane_of(parent, lanes)
        if outer is not None:
            return outer
    return lanes.get(el.get("id", ""))


def documentation(el: etree._Element) -> str:
    parts = ["".join(d.itertext()).strip() for d in el.findall(bpmn("documentation"))]
    return "\n\n".join(p for p in parts if p)


def read_form(el: etree._Element, file: str) -> tuple[FormSchema, list[Problem]]:
    """The camunda:formData of a user task or start event, and what is wrong with it."""
    fields: list[FormField] = []
    problems: list[Problem] = []
    owner = el.get("id")
    seen: set[str] = set()
    for xf in el.iterfind(f"{bpmn('extensionElements')}/{cam('formData')}/{cam('formField')}"):
        def bad(message: str, reason: str = "", xf: etree._Element = xf, **params: object) -> None:
            problems.append(Problem("error", file, message, owner, xf.sourceline, reason, params))

        field_id = (xf.get("id") or "").strip()
        if not NAME_RE.match(field_id):
            bad(
                f"form field id '{field_id}' is not usable as a case data name: use letters, digits "
                "and _, starting with a letter", "form_field_id_invalid", field=field_id,
            )
            continue
        if field_id in seen:
            bad(f"form field '{field_id}' is declared twice", "form_field_twice", field=field_id)
            continue
        seen.add(field_id)
        field, errors = _read_field(xf, field_id)
        for message in errors:  # a Finding: its reason and params travel with the Problem
            bad(f"form field '{field_id}': {message}", getattr(message, "reason", ""), field=field_id,
                **getattr(message, "params", {}))
        fields.append(field)
    return FormSchema(tuple(fields)), problems


def _read_field(xf: etree._Element, field_id: str) -> tuple[FormField, list[Finding]]:
    errors: list[Finding] = []
    declared = xf.get("type") or "string"
    kind = declared if declared in TYPES else "string"  # Camunda custom types are read as text
    options = tuple(
        Option(v.get("id") or "", v.get("name") or v.get("id") or "") for v in xf.iter(cam("value"))
    )
    if kind == "enum" and not options:
        errors.append(Finding("an enum field needs at least one camunda:value", "form_enum_no_values"))
    if kind == "enum" and any(not o.id for o in options):
        errors.append(Finding("every camunda:value needs an id", "form_enum_value_no_id"))
    properties = {
        p.get("id") or "": p.get("value") or ""
        for p in xf.iterfind(f"{cam('properties')}/{cam('property')}")
    }
    limits: dict[str, object] = {"required": False, "readonly": False}
    for c in xf.iterfind(f"{cam('validation')}/{cam('constraint')}"):
        name, config = c.get("name") or "", c.get("config")
        try:
            limits[name] = _constraint(name, config, kind)
        except ValueError as exc:
            errors.append(exc.args[0])
    label = xf.get("label") or field_id
    probe = FormField(field_id, kind, label, options=options)
    default = _default(probe, xf.get("defaultValue"), errors)
    field = FormField(
        id=field_id, type=kind, label=label, default=default, options=options, properties=properties,
        **limits,  # type: ignore[arg-type]
    )
    low, high = field.min, field.max  # both floats (long) or both ISO strings (date)
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        errors.append(Finding(f"min {low} is greater than max {high}", "form_min_above_max", min=low, max=high))
    return field, errors


def _constraint(name: str, config: str | None, kind: str) -> object:
    if name in ("required", "readonly"):
        return True
    if name in ("minlength", "maxlength"):
        if kind != "string":
            raise ValueError(Finding(f"{name} only applies to text fields", "form_constraint_text_only",
                                     constraint=name))
        if config is None or not config.strip().isdigit():
            raise ValueError(Finding(f"{name} needs a whole number as config, not {config!r}",
                                     "form_constraint_whole_number", constraint=name, config=repr(config)))
        return int(config)
    if name in ("min", "max"):
        if kind == "long":
            try:
                return float(config or "")
            except ValueError:
                raise ValueError(Finding(f"{name} needs a number as config, not {config!r}",
                                         "form_constraint_number", constraint=name, config=repr(config))) from None
        if kind == "date":
            try:
                return parse_date(config or "").isoformat()
            except CoercionError:
                raise ValueError(Finding(f"{name} needs a date (YYYY-MM-DD) as config, not {config!r}",
                                         "form_constraint_date", constraint=name, config=repr(config))) from None
        raise ValueError(Finding(f"{name} only applies to long and date fields", "form_constraint_number_only",
                                 constraint=name))
    raise ValueError(Finding(
        f"constraint '{name}' is not supported (use required, readonly, min, max, minlength, maxlength)",
        "form_constraint_unknown", constraint=name,
    ))


def _default(probe: FormField, raw: str | None, errors: list[Finding]) -> object:
    if raw is None or raw == "":
        return None
    if "${" in raw or "#{" in raw:
        problem = bad_reference(raw)
        if problem:
            errors.append(Finding(f"defaultValue {problem}", "form_default_expression", value=raw))
        return raw
    if probe.type == "date" and (camunda := _CAMUNDA_DATE.match(raw.strip())):
        raw = "{2}-{1:0>2}-{0:0>2}".format(*camunda.groups())  # Camunda Modeler writes dd/MM/yyyy
    try:
        return coerce(probe, raw)
    except CoercionError as exc:
        errors.append(Finding(f"defaultValue {raw!r}: the value {exc}", "form_default_invalid", value=repr(raw),
                              detail=str(exc)))
        return None
