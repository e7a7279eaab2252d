"""Refusals read in the reader's language, with readable names: never the engine's English text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.service import Engine
from tests.web.conftest import ROOT, open_task, password_hash, start_review
from web.modeller.findings import reasons as modeller_reasons
from web.oidc import refusal_reasons as sign_in_reasons
from web.refusals import _MESSAGES
from web.saml import refusal_reasons as saml_reasons


def _claimed_by_ralf(engine: Engine) -> str:
    task_id = open_task(engine, start_review(engine))
    engine.claim(task_id, "ralf")
    return task_id


def test_a_403_page_says_why_in_danish(engine: Engine, as_user: Any) -> None:
    task_id = _claimed_by_ralf(engine)
    page = as_user("rosa").post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"})
    assert page.status_code == 403
    assert "Ikke tilladt" in page.text
    assert "&#39;Review request&#39; er tildelt Ralf Reviewer, ikke dig." in page.text
    assert "assigned to" not in page.text and "ralf " not in page.text  # no English, no raw user id


def test_the_same_refusal_in_english(engine: Engine, as_user: Any) -> None:
    task_id = _claimed_by_ralf(engine)
    rosa = as_user("rosa")
    rosa.post("/language", {"lang": "en", "next": "/tasks"})
    page = rosa.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"})
    assert page.status_code == 403
    assert "&#39;Review request&#39; is assigned to Ralf Reviewer, not to you." in page.text


def test_a_task_one_may_not_see(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    page = as_user("olga").get(f"/tasks/{task_id}")
    assert page.status_code == 403 and "Du har ikke adgang til at se denne opgave." in page.text
    assert task_id not in page.text.split("<main", 1)[-1]  # the refusal does not echo ids


def test_handing_a_task_to_a_read_only_colleague_is_refused_by_name(engine: Engine, as_user: Any) -> None:
    engine.add_user("revisor", display_name="Rikke Revisor", roles=["auditor"], groups=["reviewers"],
                    password_hash=password_hash())
    task_id = _claimed_by_ralf(engine)
    page = as_user("ralf").post(f"/tasks/{task_id}/assign", {"to": "revisor"})
    assert page.status_code == 403
    assert "Rikke Revisor har en rolle, der kun kan læse, og kan ikke få &#39;Review request&#39;." in page.text


def test_giving_back_a_task_that_has_no_group_says_what_to_do_instead(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    engine.complete(open_task(engine, case_id), "ralf", {"decision": "approve"})
    acknowledge = open_task(engine, case_id)  # assigned to the requester, no candidate group
    page = as_user("rita").post(f"/tasks/{acknowledge}/release")
    assert page.status_code == 409
    assert "har ingen gruppe at give den tilbage til: giv den i stedet til en kollega." in page.text


def test_every_reason_the_engine_gives_has_a_message() -> None:
    reasons = set()
    for path in Path(ROOT / "engine").rglob("*.py"):
        reasons |= set(re.findall(r'reason="([a-z_]+)"', path.read_text(encoding="utf-8")))
    reasons -= {"migrated", "receiver_"}  # an event's field; the prefix of the receiver_duty_* reasons
    reasons |= {"duty_initiator", "duty_completer", "receiver_duty_initiator", "receiver_duty_completer"}
    assert len(reasons) > 30
    # Validation findings (engine/definitions, form fields) are the modeller's to say: web/modeller/findings.py;
    # a refused directory sign-in has a page of its own (web/oidc.py, web/saml.py).
    assert sorted(reasons - set(_MESSAGES) - modeller_reasons() - sign_in_reasons() - saml_reasons()) == []


def test_a_failing_rule_is_explained_without_the_scripts_english(engine: Engine, as_user: Any) -> None:
    engine.deploy_paths([ROOT / "tests" / "integration" / "processes" / "incident.bpmn"], actor="system")
    case_id = engine.start("incident", "rita", {})
    task_id = open_task(engine, case_id)
    rita = as_user("rita")
    failed = rita.post(f"/tasks/{task_id}", {"action": "complete", "divisor": "0"})
    assert failed.status_code == 409
    assert "En regel i processen fejlede, så intet blev ændret." in failed.text
    assert "ZeroDivision" not in failed.text and "division" not in failed.text
    page = rita.get(f"/cases/{case_id}").text
    assert "En regel i processen fejlede ved dette trin, så sagen venter på en administrator." in page
    assert "division" not in page.lower()
    admin_page = as_user("admin").get(f"/cases/{case_id}").text
    assert "Teknisk detalje:" in admin_page and "division" in admin_page.lower()
