"""Hardened parsing: DOCTYPE/XXE/billion laughs refused without reading anything, size cap,
malformed XML with its line, wrong root, XSD errors with line and element."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from engine.definitions import load_bundles, load_paths
from engine.definitions.xmlsafe import _parser, doctype_line, parse_document
from engine.errors import DefinitionInvalid, Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn"

MINIMAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def refused(files: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles(files)
    return info.value.problems


def test_minimal_file_is_accepted() -> None:
    (bundle,) = load_bundles({"min.bpmn": MINIMAL})
    assert bundle.key == "p"


def test_xxe_file_is_refused_and_the_entity_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    data = (FIXTURES / "xxe.bpmn").read_bytes().replace(b"file:///etc/passwd", secret.as_uri().encode())
    (problem,) = refused({"xxe.bpmn": data})
    assert problem.file == "xxe.bpmn" and problem.line == 2
    assert "DOCTYPE declarations are not allowed" in problem.message
    assert "TOP-SECRET" not in str(DefinitionInvalid([problem]))
    assert "root:" not in problem.message


def test_the_parser_itself_never_resolves_entities(tmp_path: Path) -> None:
    # Defence in depth: even past the DOCTYPE refusal, the parser leaves entities unexpanded.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    data = (FIXTURES / "xxe.bpmn").read_bytes().replace(b"file:///etc/passwd", secret.as_uri().encode())
    root = etree.fromstring(data, _parser())
    assert b"TOP-SECRET" not in etree.tostring(root)


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.monotonic()
    (problem,) = refused({"lol.bpmn": (FIXTURES / "billion_laughs.bpmn").read_bytes()})
    assert time.monotonic() - started < 2
    assert "DOCTYPE" in problem.message and problem.line == 2


def test_doctype_after_comment_and_in_utf16_is_found() -> None:
    assert doctype_line(b'<?xml version="1.0"?>\n<!-- hi -->\n<!DOCTYPE x>\n<x/>') == 3
    assert doctype_line('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><x/>'.encode("utf-16")) == 1
    # A quoted DOCTYPE inside the document is just text.
    assert doctype_line(b"<x><![CDATA[<!DOCTYPE html>]]></x>") is None


def test_utf16_doctype_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<x>&a;</x>'
    (problem,) = refused({"u16.bpmn": data.encode("utf-16")})
    assert "DOCTYPE" in problem.message


def test_oversize_file_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNUS_MAX_DEFINITION_BYTES", "100")
    (problem,) = refused({"big.bpmn": MINIMAL})
    assert problem.file == "big.bpmn"
    assert "the limit is 100" in problem.message and "TURNUS_MAX_DEFINITION_BYTES" in problem.message


def test_oversize_file_on_disk_is_not_read_whole(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TURNUS_MAX_DEFINITION_BYTES", "100")
    (tmp_path / "big.bpmn").write_bytes(MINIMAL)
    (problem,) = refused_paths([tmp_path / "big.bpmn"])
    assert "larger than the limit of 100 bytes" in problem.message


def refused_paths(paths: list[Path]) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as info:
        load_paths(paths)
    return info.value.problems


def test_malformed_xml_names_the_line() -> None:
    data = MINIMAL.replace(b'<bpmn:endEvent id="e" />', b'<bpmn:endEvent id="e">')
    (problem,) = refused({"broken.bpmn": data})
    assert problem.file == "broken.bpmn"
    assert problem.message.startswith("not well-formed XML")
    assert problem.line == 7


def test_empty_and_non_xml_files() -> None:
    problems = refused({"empty.bpmn": b"", "text.dmn": b"hello"})
    assert {p.file for p in problems} == {"empty.bpmn", "text.dmn"}
    assert all("not well-formed" in p.message or "empty" in p.message for p in problems)


def test_wrong_root_element_is_refused() -> None:
    (problem,) = refused({"x.bpmn": b"<html><body/></html>"})
    assert "not a BPMN 2.0 or DMN file" in problem.message and problem.line == 1


def test_schema_errors_have_line_and_element() -> None:
    data = MINIMAL.replace(b'<bpmn:endEvent id="e" />', b'<bpmn:endEvent id="e" bogus="1" />')
    (problem,) = refused({"xsd.bpmn": data})
    assert "BPMN 2.0 schema" in problem.message and "bogus" in problem.message
    assert (problem.element_id, problem.line) == ("e", 6)


def test_every_file_is_reported_not_only_the_first() -> None:
    problems = refused({"a.bpmn": b"<x", "b.bpmn": b"<y", "ok.bpmn": MINIMAL})
    assert {p.file for p in problems} == {"a.bpmn", "b.bpmn"}


def test_nothing_given() -> None:
    (problem,) = refused({})
    assert "no BPMN or DMN files" in problem.message


def test_dmn_without_bpmn_is_refused() -> None:
    (problem,) = refused({"approval_level.dmn": (FIXTURES / "approval_level.dmn").read_bytes()})
    assert "no BPMN file" in problem.message


def test_parse_document_indexes_ids() -> None:
    doc, problems = parse_document("m.bpmn", MINIMAL, 10_000)
    assert problems == [] and doc is not None
    assert doc.kind == "bpmn" and doc.line_of("e") == 6 and doc.line_of("nope") is None
