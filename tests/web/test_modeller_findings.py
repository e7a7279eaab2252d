"""Modeller findings in the reader's language: Danish by default, English when chosen; unknown reasons and
params that do not fit fall back to the engine's English message."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import Flask

from engine.errors import Problem
from engine.service import Engine
from tests.web.conftest import ROOT, password_hash
from web.modeller.findings import finding_text, reasons

REVIEW = (ROOT / "tests" / "integration" / "processes" / "review.bpmn").read_text()
FINDINGS = ROOT / "web" / "modeller" / "findings.py"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
EL = REVIEW.replace('decision == "approve"', '${decision == "approve"}')


@pytest.fixture
def paula(engine: Engine, as_user: Any) -> Any:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    return as_user("paula")


def _messages(client: Any, files: dict[str, str]) -> list[str]:
    res = client.http.post("/modeller/validate", data=json.dumps({"files": files}), content_type="application/json",
                           headers={"X-CSRFToken": client.token})
    assert res.status_code == 200 and res.json["ok"] is False, res.json
    return [f["message"] for f in res.json["findings"]]


def test_findings_are_danish_by_default(paula: Any) -> None:
    assert _messages(paula, {"broken.bpmn": "<definitions"})[0] == "Filen er ikke gyldig XML."
    off = REVIEW.replace('isExecutable="true"', 'isExecutable="false"')
    assert any(m.startswith("Der er ingen eksekverbar proces i denne fil.") for m in _messages(paula, {"r.bpmn": off}))
    el = _messages(paula, {"review.bpmn": EL})
    # the expressions themselves are shown as written, only the words around them are translated
    assert ('I betingelsen står et Camunda EL-udtryk, men udtryk i Turnus er Python: skriv decision == "approve" '
            'i stedet for ${decision == "approve"}.') in el, el
    enum = REVIEW.replace('<camunda:formField id="title" label="Title" type="string">',
                          '<camunda:formField id="title" label="Title" type="enum">', 1)
    assert "Formularfelt title: et enum-felt skal have mindst én camunda:value." in _messages(paula, {"r.bpmn": enum})


def test_findings_are_english_when_the_reader_chose_english(paula: Any) -> None:
    assert paula.post("/language", {"lang": "en", "next": "/modeller"}).status_code == 302
    assert _messages(paula, {"broken.bpmn": "<definitions"})[0] == "The file is not well-formed XML."
    assert ('The condition is a Camunda EL expression, but expressions in Turnus are Python: write '
            'decision == "approve" instead of ${decision == "approve"}.') in _messages(paula, {"review.bpmn": EL})


def _danish() -> dict[str, str]:
    with (ROOT / "web" / "translations" / "da" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        # a plural entry by its singular id, with its plural form (the placeholders are the same)
        return {(m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.id, str) else m.string[-1])
                for m in read_po(handle) if m.id}


def test_every_finding_has_a_danish_translation_with_the_same_placeholders() -> None:
    danish = _danish()
    found = [message for _line, message, _comments, _context in extract_from_file("python", str(FINDINGS))]
    msgids = [m if isinstance(m, str) else m[0] for m in found]
    assert len(msgids) >= len(reasons()) > 80
    for msgid in msgids:
        assert danish.get(msgid), f"no Danish translation of {msgid!r}"
        assert sorted(PLACEHOLDER.findall(danish[msgid])) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_unknown_reason_or_missing_params_fall_back_to_the_english_message(app: Flask) -> None:
    with app.test_request_context():
        assert finding_text(Problem("error", "a.bpmn", "something new", reason="not_known")) == "something new"
        assert finding_text(Problem("error", "a.bpmn", "no reason at all")) == "no reason at all"
        lacking = Problem("error", "a.bpmn", "process id 'x' is also used in b.bpmn", reason="process_id_twice")
        assert finding_text(lacking) == "process id 'x' is also used in b.bpmn"
        known = Problem("error", "a.bpmn", "English", reason="process_id_twice", params={"id": "x", "other": "b.bpmn"})
        assert finding_text(known) == "Proces-id'et x bruges også i b.bpmn."


def test_the_catalogue_matches_the_reasons_the_engine_sets() -> None:
    """Every keyword-given reason in engine/definitions is translated, and every translated reason is set
    somewhere (the event_* ones are built from lint._EVENT_ADVICE's keys)."""
    files = [*(ROOT / "engine" / "definitions").glob("*.py"), ROOT / "engine" / "form_rules.py"]
    source = "".join(p.read_text() for p in files)
    assert not sorted(r for r in re.findall(r'reason="([a-z_]+)"', source) if r not in reasons())
    stale = sorted(r for r in reasons() if f'"{r}"' not in source and not r.startswith("event_"))
    assert not stale, stale


def test_every_reason_renders_in_danish_when_its_params_are_there(app: Flask) -> None:
    found = [message for _line, message, _comments, _context in extract_from_file("python", str(FINDINGS))]
    names = {name for m in found for name in PLACEHOLDER.findall(m if isinstance(m, str) else m[0])}
    params = {name: f"<{name}>" for name in names}
    with app.test_request_context():
        for reason in sorted(reasons()):
            text = finding_text(Problem("error", "a.bpmn", "ENGLISH", reason=reason, params=params))
            assert text != "ENGLISH" and "%(" not in text, reason
        assert finding_text(Problem("error", "a.bpmn", "ENGLISH", reason="file_empty")) == "Filen er tom."
