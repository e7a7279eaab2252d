"""Hardened parsing of uploaded BPMN/DMN files, and schema validation.

Nothing in an upload may make the server read a file, open a connection, expand entities or spend
unbounded memory: DOCTYPEs are refused outright (before and after parsing), entities are never
resolved, DTDs never loaded, and the size is capped before a byte is parsed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS

from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_SCHEMA_ERRORS = 20  # per file; a broken export can produce hundreds of near-identical ones

Kind = Literal["bpmn", "dmn"]


@dataclass
class Document:
    """One parsed file. ``by_id`` indexes every element carrying an ``id`` (first one wins)."""

    name: str
    kind: Kind
    root: etree._Element
    by_id: dict[str, etree._Element] = field(default_factory=dict)

    def reindex(self) -> None:
        self.by_id = {}
        for el in self.root.iter():
            ident = el.get("id") if isinstance(el.tag, str) else None
            if ident is not None:
                self.by_id.setdefault(ident, el)

    def line_of(self, element_id: str | None) -> int | None:
        el = self.by_id.get(element_id) if element_id else None
        return el.sourceline if el is not None else None

    @property
    def dmn_ns(self) -> str:
        return etree.QName(self.root).namespace or ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


def _decode_head(data: bytes) -> str:
    """The first 64 KiB as text, good enough to look at the prolog in UTF-8/16/32 files."""
    head = data[:65536]
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if head[:4] == b"<\x00?\x00":
        return head.decode("utf-16-le", errors="ignore")
    if head[:4] == b"\x00<\x00?":
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")


def doctype_line(data: bytes) -> int | None:
    """Line of a DOCTYPE in the prolog (before the root element), or None.

    Looking at the prolog only: "<!DOCTYPE" quoted inside a script or comment later on is harmless.
    """
    text = _decode_head(data).lstrip("\ufeff")
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<?", pos):
            closing = "?>"
        elif text.startswith("<!--", pos):
            closing = "-->"
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            return text.count("\n", 0, pos) + 1
        else:
            return None
        end = text.find(closing, pos)
        if end < 0:
            return None
        pos = end + len(closing)


def parse_document(name: str, data: bytes, max_bytes: int) -> tuple[Document | None, list[Problem]]:
    """Parse one upload safely; a Document, or None and the problems that stopped it."""
    if len(data) > max_bytes:
        return None, [
            Problem(
                "error", name,
                f"file is {len(data):,} bytes; the limit is {max_bytes:,} (TURNUS_MAX_DEFINITION_BYTES)",
                reason="file_too_large", params={"size": len(data), "limit": max_bytes},
            )
        ]
    line = doctype_line(data)
    if line is not None:
        return None, [_doctype_problem(name, line)]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return None, [Problem("error", name, f"not well-formed XML: {exc.msg}", None, exc.lineno or None,
                                    "xml_not_well_formed", {"detail": exc.msg})]
    if root is None:
        return None, [Problem("error", name, "the file is empty", reason="file_empty")]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return None, [_doctype_problem(name, 1)]
    qname = etree.QName(root)
    if qname.localname == "definitions" and qname.namespace == BPMN_NS:
        kind: Kind = "bpmn"
    elif qname.localname == "definitions" and qname.namespace in DMN_SCHEMAS:
        kind = "dmn"
    else:
        return None, [
            Problem(
                "error", name,
                f"not a BPMN 2.0 or DMN file: the root element is {root.tag} "
                f"(expected definitions in {BPMN_NS} or a DMN 1.1-1.3 namespace)",
                None, root.sourceline, "not_bpmn_or_dmn", {"root": str(root.tag)},
            )
        ]
    doc = Document(name, kind, root)
    doc.reindex()
    return doc, []


def _doctype_problem(name: str, line: int) -> Problem:
    return Problem(
        "error", name,
        "DOCTYPE declarations are not allowed (they can read files or expand entities); "
        "remove the <!DOCTYPE ...> line — BPMN and DMN files never need one",
        None, line, "doctype_refused",
    )


_lock = threading.Lock()
_validators: dict[str, BpmnValidator] = {}


def _validator(key: str) -> BpmnValidator:
    # Compiling the BPMN XSD takes ~100 ms; keep one per schema. Validation runs under the lock
    # because an XMLSchema's error_log is shared state.
    if key not in _validators:
        _validators[key] = BpmnValidator() if key == "bpmn" else BpmnValidator(DMN_SCHEMAS[key])
    return _validators[key]


def schema_problems(doc: Document) -> list[Problem]:
    """XSD validation (BPMN 2.0 or the file's DMN version); every error, with line and element."""
    key = "bpmn" if doc.kind == "bpmn" else doc.dmn_ns
    tree = doc.root.getroottree()
    with _lock:
        validator = _validator(key)
        if doc.kind == "bpmn":
            validator.preprocess(tree)  # what SpiffWorkflow does before validating (bpmn-js quirk)
        if validator.validator.validate(tree):
            return []
        entries = list(validator.validator.error_log)
    at_line: dict[int, str] = {}
    for el in doc.root.iter():
        if isinstance(el.tag, str) and el.get("id") is not None and el.sourceline is not None:
            at_line.setdefault(el.sourceline, el.get("id"))
    schema = "BPMN 2.0" if doc.kind == "bpmn" else "DMN"
    problems = [
        Problem("error", doc.name, f"does not match the {schema} schema: {e.message}", at_line.get(e.line), e.line,
                "schema_invalid", {"schema": schema, "detail": e.message})
        for e in entries[:MAX_SCHEMA_ERRORS]
    ]
    if len(entries) > MAX_SCHEMA_ERRORS:
        problems.append(
            Problem("error", doc.name, f"... and {len(entries) - MAX_SCHEMA_ERRORS} more schema errors",
                    reason="schema_more_errors", params={"count": len(entries) - MAX_SCHEMA_ERRORS})
        )
    return problems
