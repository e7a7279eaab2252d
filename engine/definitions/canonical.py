"""A definition file's meaning, without the bytes that do not carry any.

Deploy compares these forms, not the bytes: the browser modeller re-serialises a diagram it was only shown
(attribute order, namespace prefixes and declarations, indentation, its own `exporter`/`exporterVersion`),
and a new version for that would be noise that migration and auditors then have to read. Everything else —
names, expressions, documentation, extension attributes, diagram coordinates — counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from lxml import etree

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
# Attributes a modelling tool writes about itself on the root element.
_TOOL_METADATA = frozenset({"exporter", "exporterVersion"})
# A plane's shapes and edges in any order draw the same diagram; bpmn-js writes them in its drawing order.
_UNORDERED = frozenset({f"{_DI}BPMNPlane"})
# bpmn-js marks every exclusive gateway's shape with this, whatever the file said: a drawing detail.
_DRAWING_ONLY = {f"{_DI}BPMNShape": frozenset({"isMarkerVisible"})}


def _qname(value: str, element: Any) -> str:
    """A QName-valued attribute (xsi:type) in Clark notation, so that the prefix chosen does not count."""
    prefix, _, local = value.rpartition(":")
    uri = element.nsmap.get(prefix or None)
    return f"{{{uri}}}{local}" if uri else value


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _node(element: Any, top: bool) -> list[Any]:
    attrs = []
    skip = _TOOL_METADATA if top else _DRAWING_ONLY.get(element.tag, frozenset())
    for name, value in element.attrib.items():
        if name in skip:
            continue
        attrs.append([name, _qname(value, element) if name == _XSI_TYPE else value])
    children = []
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions carry no meaning
            children.append(_node(child, False))
        tail = _text(child.tail)
        if tail:
            children.append(tail)
    if element.tag in _UNORDERED:
        children.sort(key=lambda c: json.dumps(c, ensure_ascii=False))
    return [element.tag, sorted(attrs), _text(element.text), children]


def canonical_form(data: bytes) -> str:
    """The file as a JSON document of (tag, sorted attributes, trimmed text, children); bytes that are not
    well-formed XML are their own form (such a file never reaches a deploy, but this must not raise)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return data.decode("utf-8", "replace")
    return json.dumps(_node(root, True), ensure_ascii=False, separators=(",", ":"))


def canonical_hash(files: Mapping[str, bytes]) -> str:
    """One digest over every file's name and canonical form."""
    digest = hashlib.sha256()
    for name in sorted(files):
        form = canonical_form(files[name]).encode()
        digest.update(f"{name}\0{len(form)}\0".encode())
        digest.update(form)
    return digest.hexdigest()
