"""Segregation of duties in the inbox: pickers offer only people who may, refusals are explained."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.service import Engine
from tests.web.conftest import ROOT, password_hash, start_widgets

DUTIES = ROOT / "tests" / "integration" / "processes" / "duties.bpmn"


@pytest.fixture
def duties(engine: Engine) -> Engine:
    engine.deploy_paths([DUTIES], actor="system")
    engine.add_user("maja", display_name="Maja Manager", groups=["managers", "reviewers"],
                    password_hash=password_hash())
    engine.add_user("mads", display_name="Mads Manager", groups=["managers"], password_hash=password_hash())
    engine.add_user("audrey", display_name="Audrey Auditor", roles=["auditor"], groups=["managers"],
                    password_hash=password_hash())
    return engine


def _options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, select_id
    return re.findall(r'<option value="([^"]*)"', block.group(1))


def _task(engine: Engine, case_id: str, element_id: str) -> str:
    return next(t.id for t in engine.case(case_id, None).open_tasks if t.element_id == element_id)


def test_the_approver_picker_offers_members_only_never_the_requester(duties: Engine, as_user: Any) -> None:
    html = as_user("maja").get("/start/duties").text
    assert _options(html, "f-approver") == ["", "mads"]  # not herself, not the auditor, not admin or outsiders


def test_a_tampered_self_pick_is_refused_next_to_the_field(duties: Engine, as_user: Any) -> None:
    maja = as_user("maja")
    response = maja.post("/start/duties", {"title": "T", "approver": "maja"})
    assert response.status_code == 400
    assert 'id="f-approver-error"' in response.text
    assert duties.cases_for("maja") == []


def test_the_requester_sees_why_she_cannot_take_her_own_check(duties: Engine, as_user: Any) -> None:
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    task_id = _task(duties, case_id, "check")
    html = as_user("maja").get(f"/tasks/{task_id}").text
    assert 'id="duty-refusal"' in html and "Du har selv startet sagen, så du må ikke udføre" in html
    assert "inbox.claim" not in html and f"/tasks/{task_id}/claim" not in html


def test_hand_over_lists_only_those_who_may_work_it_and_release_is_not_offered(duties: Engine,
                                                                               as_user: Any) -> None:
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    check = _task(duties, case_id, "check")
    duties.claim(check, "ralf")
    duties.complete(check, "ralf", {"checked": True})
    approve = _task(duties, case_id, "approve")
    html = as_user("mads").get(f"/tasks/{approve}").text
    picked = _options(html, "assign-to")
    assert picked[0] == "" and "maja" not in picked and "ralf" not in picked and "audrey" not in picked
    assert "rita" in picked  # a task with no candidates may go to anyone the rules allow
    assert "/release" not in html  # no group to give it back to: only reassign


def test_read_only_context_is_still_shown_after_a_validation_error(engine: Engine, as_user: Any) -> None:
    case_id = start_widgets(engine)
    task_id = _task(engine, case_id, next(t.element_id for t in engine.case(case_id, None).open_tasks))
    bad = as_user("ralf").post(f"/tasks/{task_id}", {"action": "draft", "note": "y" * 30})
    assert bad.status_code == 400
    shown = re.findall(r'<p class="readonly-value">(.*?)</p>', bad.text, re.S)
    assert shown and "–" not in [v.strip() for v in shown] and "" not in [v.strip() for v in shown], shown


def test_a_search_with_no_match_says_so_rather_than_no_tasks(engine: Engine, as_user: Any) -> None:
    from tests.web.conftest import start_review

    start_review(engine)
    ralf = as_user("ralf")
    assert "Ingen opgaver passer til din søgning" in ralf.get("/tasks?view=group&q=zzzz").text
    empty = as_user("olga").get("/tasks").text
    assert "Ingen opgaver passer" not in empty and "Ingen opgaver her lige nu" in empty
