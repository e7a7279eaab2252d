"""The task page: instructions, context, the generated form; drafts, completion, refusals."""

from __future__ import annotations

import re
from typing import Any

from engine.service import Engine
from tests.web.conftest import open_task, start_review, start_widgets


def test_task_page_shows_instructions_context_and_form(engine: Engine, as_user: Any) -> None:
    case_id = start_widgets(engine)
    task_id = open_task(engine, case_id)
    page = as_user("ralf").get(f"/tasks/{task_id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Check proposal</h1>" in html
    assert "<strong>proposal</strong>" in html and 'href="https://example.org/guide"' in html
    assert "<script>alert" not in html and "onerror" not in html  # documentation is sanitised
    assert "Handbook for network leaders" in html
    assert "3.5.2027 (uge 18)" in html  # the readonly start date and the recorded one, d.m.yyyy + ISO week
    assert "Olga Outsider" in html  # a user field shows the person's name
    assert "Learning" in html and "Medium" in html  # enums show their labels
    assert 'type="radio"' in html and 'name="verdict"' in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="start_date"' not in html  # readonly: shown, not editable
    assert "Prioritet" in html and ">Høj<" in html and ">70<" not in html  # a word, not a bare number


def test_start_form_widgets(as_user: Any) -> None:
    html = as_user("rita").get("/start/widgets").text
    assert re.search(r'<textarea id="f-description" name="description"', html)
    assert re.search(r'<select id="f-manager" name="manager"', html) and "Olga Outsider" in html
    assert re.search(r'<select id="f-network" name="network"', html)  # five options: a select
    assert html.count('name="size"') == 3  # three options: radio buttons
    assert 'type="date"' in html and 'inputmode="numeric"' in html and 'type="checkbox"' in html
    assert "Et helt tal fra 1 til 37." in html and "Tidligst 1.1.2027." in html
    assert html.count("(skal udfyldes)") >= 2


def test_complete_task(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    task_id = open_task(engine, case_id)
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve", "reason": "Fine"})
    assert response.status_code == 302 and response.location == "/tasks"
    assert "»Review request« er udført. Tak." in ralf.get("/tasks").text
    case = engine.case(case_id, None)
    assert [t.name for t in case.open_tasks] == ["Acknowledge approval"]
    assert case.data["decision"] == "approve"


def test_invalid_submission_keeps_everything_and_marks_fields(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}", {"action": "complete", "note": "x" * 25})
    assert response.status_code == 400
    html = response.text
    assert "Der er 2 problemer i formularen" in html
    assert 'role="alert"' in html
    assert "Verdict skal udfyldes." in html
    assert "Note må højst have 20 tegn." in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-note-hint f-note-error"' in html
    assert "x" * 25 in html  # nothing typed is lost
    assert engine.task(task_id, "ralf").state == "open"


def test_invalid_numbers_and_dates_on_start(as_user: Any) -> None:
    rita = as_user("rita")
    response = rita.post("/start/widgets", {"title": "T", "manager": "olga", "hours": "forty",
                                            "start_date": "2026-12-31", "network": "bogus"})
    assert response.status_code == 400
    html = response.text
    assert "Hours per week skal være et helt tal, fx 12." in html
    assert "Start date skal være 1.1.2027 eller senere." in html
    assert "Vælg en af mulighederne for Network." in html
    assert 'value="forty"' in html


def test_errors_in_english(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    ralf.post("/language", {"lang": "en"})
    html = ralf.post(f"/tasks/{task_id}", {"action": "complete"}).text
    assert "Verdict must be filled in." in html and "There is 1 problem in the form" in html


def test_save_draft_and_come_back(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}", {"action": "draft", "note": "half done"})
    assert response.status_code == 302 and response.location == f"/tasks/{task_id}"
    page = ralf.get(f"/tasks/{task_id}").text
    assert "Din kladde er gemt." in page and 'value="half done"' in page
    assert engine.task(task_id, "ralf").state == "open"
    bad = ralf.post(f"/tasks/{task_id}", {"action": "draft", "note": "y" * 30})
    assert bad.status_code == 400 and "y" * 30 in bad.text


def test_completed_task_is_a_conflict(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf, rosa = as_user("ralf"), as_user("rosa")
    rosa_page = rosa.get(f"/tasks/{task_id}")  # rosa opens it, ralf completes it first
    assert rosa_page.status_code == 200
    assert ralf.post(f"/tasks/{task_id}", {"action": "complete", "decision": "reject"}).status_code == 302
    late = rosa.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"})
    assert late.status_code == 409 and "Ralf Reviewer" in late.text
    again = ralf.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"})
    assert again.status_code == 409
    done = ralf.get(f"/tasks/{task_id}")
    assert done.status_code == 200 and "Opgaven er afsluttet" in done.text
    assert 'value="complete"' not in done.text


def test_wrong_user_cannot_open_or_complete(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    olga = as_user("olga")
    assert olga.get(f"/tasks/{task_id}").status_code == 403
    assert olga.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"}).status_code == 403
    assert olga.post(f"/tasks/{task_id}", {"action": "draft", "decision": "approve"}).status_code == 403
    assert engine.task(task_id, "ralf").state == "open"


def test_claimed_task_is_closed_to_colleagues(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf, rosa = as_user("ralf"), as_user("rosa")
    ralf.post(f"/tasks/{task_id}/claim")
    page = rosa.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and "Ralf Reviewer arbejder på denne opgave." in page.text
    assert rosa.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"}).status_code == 403


def test_task_form_refusals(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf = as_user("ralf")
    assert ralf.post(f"/tasks/{task_id}", {"action": "delete"}).status_code == 400
    assert ralf.post(f"/tasks/{task_id}", {}).status_code == 400
    assert ralf.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve"}, csrf=False).status_code == 400
    for bad_id in ("nope", "0" * 36, "x" * 3000, "%00", "..%2F..%2Fetc", "'; drop table tasks; --"):
        assert ralf.get(f"/tasks/{bad_id}").status_code == 404, bad_id
        assert ralf.post(f"/tasks/{bad_id}", {"action": "complete"}).status_code == 404, bad_id


def test_fields_not_in_the_form_are_ignored(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    task_id = open_task(engine, case_id)
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}", {"action": "complete", "decision": "approve", "amount": "999999",
                                               "title": "Hijacked"})
    assert response.status_code == 302
    data = engine.case(case_id, None).data
    assert data["amount"] == 300 and data["title"] == "New chairs"


def test_readonly_field_cannot_be_overwritten(engine: Engine, as_user: Any) -> None:
    case_id = start_widgets(engine)
    task_id = open_task(engine, case_id)
    response = as_user("ralf").post(f"/tasks/{task_id}", {"action": "complete", "verdict": "ok",
                                                          "start_date": "2030-01-01"})
    assert response.status_code == 302
    assert engine.case(case_id, None).data["start_date"] == "2027-05-03"


def test_task_without_fields(engine: Engine, as_user: Any) -> None:
    case_id = start_widgets(engine)
    engine.complete(open_task(engine, case_id), "ralf", {"verdict": "ok"})
    confirm = open_task(engine, case_id)
    rita = as_user("rita")
    page = rita.get(f"/tasks/{confirm}")
    assert "Dette trin har ingen felter." in page.text
    assert rita.post(f"/tasks/{confirm}", {"action": "complete"}).status_code == 302
    assert engine.case(case_id, None).status == "completed"


def test_a_number_of_thousands_of_digits_is_a_field_error_not_a_conflict(as_user: Any) -> None:
    """Issue 7: a 5,000-digit integer in a `long` field was answered 409; it is a message next to the field."""
    rita = as_user("rita")
    response = rita.post("/start/widgets", {"title": "T", "manager": "olga", "hours": "9" * 5000,
                                            "start_date": "2027-02-01"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and "Hours per week" in response.text
    assert "9" * 5000 in response.text  # kept for editing


def test_priority_is_a_word_and_the_default_is_not_shown(engine: Engine, as_user: Any) -> None:
    """Issue 8: priority reached participants as a bare "50"; widgets' task has priority 70, review's the default."""
    high = open_task(engine, start_widgets(engine))
    ralf = as_user("ralf")
    page = ralf.get(f"/tasks/{high}").text
    assert "<dd>Høj</dd>" in page and ">70<" not in page
    default = open_task(engine, start_review(engine))
    plain = ralf.get(f"/tasks/{default}").text
    assert "Prioritet" not in plain and ">50<" not in plain
