"""My cases, the case page, comments; and starting a case from a start form."""

from __future__ import annotations

from typing import Any

from engine.clock import FixedClock
from engine.service import Engine
from tests.web.conftest import REQUEST, open_task, start_review


def test_my_cases_shows_phase_and_who(engine: Engine, as_user: Any) -> None:
    start_review(engine, title="Chairs")
    page = as_user("rita").get("/cases")
    assert page.status_code == 200
    assert "Chairs" in page.text and "Review a request" in page.text and "I gang" in page.text
    assert "Review request: reviewers" in page.text  # waiting on whom
    assert "1.3.2027" in page.text


def test_my_cases_includes_group_cases_and_not_others(engine: Engine, as_user: Any) -> None:
    start_review(engine, title="Chairs")
    assert "Chairs" in as_user("ralf").get("/cases").text
    assert "Chairs" not in as_user("olga").get("/cases").text


def test_my_cases_status_filter(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine, title="Chairs")
    engine.complete(open_task(engine, case_id), "ralf", {"decision": "reject"})
    start_review(engine, title="Desks")
    rita = as_user("rita")
    done = rita.get("/cases?status=completed").text
    assert "Chairs" in done and "Desks" not in done
    assert rita.get("/cases?status=bogus").status_code == 200


def test_my_cases_pages_back_from_the_newest_keeping_the_filter(engine: Engine, as_user: Any,
                                                                   clock: FixedClock) -> None:
    for n in range(1, 8):  # page size 5 here (web_settings)
        start_review(engine, title=f"Sag {n}")
        clock.advance(minutes=1)
    rita = as_user("rita")
    first = rita.get("/cases").text
    assert [n for n in range(1, 8) if f">Sag {n}<" in first] == [3, 4, 5, 6, 7]
    assert "Ældre sager" in first and "Nyere sager" not in first and "Side 1" in first
    second = rita.get("/cases?page=2").text
    assert [n for n in range(1, 8) if f">Sag {n}<" in second] == [1, 2]
    assert "Nyere sager" in second and "Ældre sager" not in second
    assert first.index(">Sag 7<") < first.index(">Sag 3<")  # newest first
    running = rita.get("/cases?status=running").text
    assert 'href="/cases?status=running&amp;page=2"' in running
    beyond = rita.get("/cases?page=3")
    assert beyond.status_code == 200 and "Der er ingen sager på denne side." in beyond.text
    for bad in ("abc", "-4", "0", "99999999999999999999"):  # never a 500: the nearest page there is
        assert rita.get(f"/cases?page={bad}").status_code == 200
    assert [n for n in range(1, 8) if f">Sag {n}<" in rita.get("/cases?page=abc").text] == [3, 4, 5, 6, 7]


def test_case_page(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine, title="Chairs")
    engine.complete(open_task(engine, case_id), "ralf", {"decision": "approve", "reason": "Needed"})
    engine.comment(case_id, "rita", "Thanks!\nSee you.")
    page = as_user("rita").get(f"/cases/{case_id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Chairs</h1>" in html
    assert "Acknowledge approval" in html  # the phase and what it waits on
    assert "Review request" in html and "Approve" in html and "Needed" in html  # recorded steps
    assert "Thanks!\nSee you." in html and "Rita Requester" in html


def test_case_refusals(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    olga = as_user("olga")
    assert olga.get(f"/cases/{case_id}").status_code == 403
    assert olga.post(f"/cases/{case_id}/comments", {"text": "Hi"}).status_code == 403
    assert olga.get("/cases/nope").status_code == 404
    assert olga.get("/cases/" + "x" * 2000).status_code == 404


def test_comment(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    ralf = as_user("ralf")  # a candidate takes part
    response = ralf.post(f"/cases/{case_id}/comments", {"text": "Looks fine <b>really</b>"})
    assert response.status_code == 302 and response.location.endswith("#comments")
    page = ralf.get(f"/cases/{case_id}").text
    assert "Din kommentar er tilføjet." in page
    assert "Looks fine &lt;b&gt;really&lt;/b&gt;" in page  # escaped, never HTML
    comments = [e for e in engine.history(case_id, None) if e.kind == "comment_added"]
    assert comments[0].actor == "ralf"


def test_comment_refusals(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine)
    rita = as_user("rita")
    empty = rita.post(f"/cases/{case_id}/comments", {"text": "   "})
    assert empty.status_code == 400 and "Skriv en kommentar, før du sender den." in empty.text
    long = rita.post(f"/cases/{case_id}/comments", {"text": "z" * 5001})
    assert long.status_code == 400 and "z" * 5001 in long.text  # kept for editing
    assert rita.post(f"/cases/{case_id}/comments", {"text": "Hi"}, csrf=False).status_code == 400
    assert rita.post("/cases/nope/comments", {"text": "Hi"}).status_code == 404
    assert rita.post(f"/cases/{case_id}/comments", {}).status_code == 400


def test_start_page_lists_processes(as_user: Any) -> None:
    page = as_user("rita").get("/start")
    assert page.status_code == 200
    assert "Review a request" in page.text and "Widget test" in page.text


def test_start_a_case(engine: Engine, as_user: Any) -> None:
    rita = as_user("rita")
    form = rita.get("/start/review")
    assert form.status_code == 200 and 'name="title"' in form.text
    response = rita.post("/start/review", REQUEST)
    assert response.status_code == 302 and response.location.startswith("/cases/")
    case_id = response.location.rsplit("/", 1)[1]
    page = rita.get(response.location)
    assert "Sagen er startet." in page.text
    view = engine.case(case_id, None)
    assert view.title == "New chairs" and view.data["urgent"] is True and view.started_by == "rita"
    assert "New chairs" in as_user("ralf").get("/tasks").text  # the next step is in the group's inbox


def test_start_with_danish_date(engine: Engine, as_user: Any) -> None:
    response = as_user("rita").post("/start/review", {**REQUEST, "needed_by": "1.5.2027"})
    assert response.status_code == 302
    assert engine.case(response.location.rsplit("/", 1)[1], None).data["needed_by"] == "2027-05-01"


def test_start_refusals(engine: Engine, as_user: Any) -> None:
    rita = as_user("rita")
    assert rita.get("/start/nope").status_code == 404
    assert rita.post("/start/nope", REQUEST).status_code == 404
    assert rita.post("/start/review", REQUEST, csrf=False).status_code == 400
    bad = rita.post("/start/review", {**REQUEST, "amount": "5000", "needed_by": "31.2.2027"})
    assert bad.status_code == 400
    assert "Amount må højst være 1000." in bad.text and "Needed by skal være en rigtig dato" in bad.text
    assert engine.cases_for("rita") == []
