"""Refusals on a Danish page are Danish: one sentence per error (Camunda's invoice example cut down to three
errors), the library's own words (lxml, the Python compiler) kept apart in `detail`, migration refusals."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask, session

from engine.errors import NotFound
from engine.service import Engine
from tests.web.conftest import ROOT, password_hash, start_review

INVOICE = (ROOT / "tests" / "fixtures" / "refusals" / "invoice_three_errors.bpmn").read_text(encoding="utf-8")
MIGRATION = ROOT / "engine" / "cases" / "migration.py"


@pytest.fixture
def paula(engine: Engine, as_user: Any) -> Any:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    return as_user("paula")


def _send(client: Any, path: str, files: dict[str, str]) -> Any:
    return client.http.post(path, data=json.dumps({"files": files}), content_type="application/json",
                            headers={"X-CSRFToken": client.token})


def test_a_refusal_with_three_errors_is_three_danish_sentences(paula: Any, engine: Engine) -> None:
    for path in ("/modeller/validate", "/modeller/deploy"):
        res = _send(paula, path, {"invoice.bpmn": INVOICE})
        assert res.json["ok"] is False and res.status_code in (200, 422)
        errors = [f for f in res.json["findings"] if f["severity"] == "error"]
        assert [f["element_id"] for f in errors] == ["assign", "f3", "archive"]
        for f in errors:  # one sentence each, in Danish, no library text in it
            assert "\n" not in f["message"] and f["message"].endswith("."), f
            assert not re.search(r"\b(the|is|not|names|line)\b", f["message"]), f
        el = next(f for f in errors if f["element_id"] == "f3")
        assert el["message"].startswith("I betingelsen står et Camunda EL-udtryk")
        assert "SyntaxError" in el["detail"]  # the compiler's own words, for whoever needs them
    with pytest.raises(NotFound):
        engine.versions_of("invoice")  # nothing was deployed


def test_the_library_s_message_is_kept_apart_from_the_sentence(paula: Any) -> None:
    res = _send(paula, "/modeller/validate", {"broken.bpmn": "<definitions"})
    found = res.json["findings"][0]
    assert found["message"] == "Filen er ikke gyldig XML."
    assert found["detail"] and found["detail"] not in found["message"]  # lxml's words, in English
    paula.post("/language", {"lang": "en", "next": "/modeller"})
    found = _send(paula, "/modeller/validate", {"broken.bpmn": "<definitions"}).json["findings"][0]
    assert found["message"] == "The file is not well-formed XML." and found["detail"]


def test_migration_refusals_are_in_the_page_s_language(paula: Any, engine: Engine) -> None:
    start_review(engine)
    paula.refresh_token("/modeller/review/migrate")
    page = paula.post("/modeller/review/migrate", {"to": "1", "cases": "no-such-case", "action": "dry-run"})
    assert "afvist: Dette er ikke en igangværende sag i denne proces på en anden version." in page.text


def test_every_migration_refusal_has_a_text_in_both_languages(app: Flask) -> None:
    from web.modeller.migration_words import codes, refused_text

    source = MIGRATION.read_text(encoding="utf-8")
    raised = {code for call in re.findall(r"raise Refused\((.*?)\)\n", source, flags=re.S)
              for code in re.findall(r'",\s*"([a-z_]+)"', call)}  # Refused(message, code, ...)
    assert raised and raised <= codes(), raised - codes()
    params = {"step": "'Godkend' (approve)", "what": ("bpmn_name",), "status": "completed", "have": "a",
              "want": "b", "version": 2, "name": "sub"}
    with app.test_request_context("/"):
        for code in sorted(codes()):
            assert refused_text(code, params, "ENGLISH") != "ENGLISH", code
        assert refused_text("at_changed_step", params, "x") == ("Sagen står ved trinnet 'Godkend' (approve), som "
                                                                "er ændret i den nye version (navn); flyt den, "
                                                                "når trinnet er færdigt.")
        assert refused_text("unknown_code", {}, "the engine's words") == "the engine's words"
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert refused_text("case_not_running", params, "x") == "The case is not running (Finished)."


def test_verify_says_an_unreadable_state_in_danish_and_keeps_the_library_s_error_in_details(
        engine: Engine, as_user: Any) -> None:
    from sqlalchemy import select, update

    from engine.store.tables import case_state_tasks

    engine.add_user("revisor", display_name="Rikke Revisor", roles=["auditor"], password_hash=password_hash())
    cid = start_review(engine)
    with engine.db.begin() as conn:
        first = conn.execute(select(case_state_tasks.c.task_id).where(case_state_tasks.c.case_id == cid)
                             .limit(1)).scalar_one()
        conn.execute(update(case_state_tasks).where(case_state_tasks.c.case_id == cid,
                                                    case_state_tasks.c.task_id == first)
                     .values(body_json='{"edited": "by hand"}'))
    page = as_user("revisor").get(f"/audit/cases/{cid}?verify=1").text
    item = page.split("Den gemte tilstand stemmer ikke med hændelserne:")[1].split("</ul>")[0]
    sentence, details = item.split("<details", 1)
    assert "Den gemte procestilstand kan ikke læses" in sentence and "(" not in sentence
    assert "Den oprindelige besked (på engelsk)" in details and "<pre>" in details


def test_an_unknown_export_format_is_the_danish_not_found_page(engine: Engine, as_user: Any) -> None:
    engine.add_user("revisor", display_name="Rikke Revisor", roles=["auditor"], password_hash=password_hash())
    cid = start_review(engine)
    page = as_user("revisor").get(f"/audit/cases/{cid}/export.xml")
    assert page.status_code == 404 and '<html lang="da">' in page.text and "json or csv" not in page.text
