"""My tasks and group tasks; claim, release, hand over — and every refusal."""

from __future__ import annotations

import re
from typing import Any

from engine.clock import FixedClock
from engine.service import Engine
from tests.web.conftest import open_task, start_review, start_widgets

ROW_CASE_RE = re.compile(r'<td><a href="/tasks/[^"?]+">[^<]*</a></td>\s*<td>([^<]*)</td>')


def _task_links(html: str) -> int:
    return html.count('href="/tasks/') - html.count('href="/tasks/?')


def test_group_tasks_with_counts(engine: Engine, as_user: Any) -> None:
    start_review(engine, title="Chairs")
    start_review(engine, title="Desks")
    ralf = as_user("ralf")
    page = ralf.get("/tasks")  # nothing is his yet: the group list is shown
    assert page.status_code == 200
    assert "Gruppens opgaver <span class=\"count\">(2)</span>" in page.text
    assert "Mine opgaver <span class=\"count\">(0)</span>" in page.text
    assert "Chairs" in page.text and "Desks" in page.text and "Review request" in page.text
    assert "3.3.2027" in page.text  # due in two days, shown d.m.yyyy


def test_my_tasks_after_claim(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}/claim")
    assert response.status_code == 302 and response.location == f"/tasks/{task_id}"
    mine = ralf.get("/tasks?view=mine")
    assert "Mine opgaver <span class=\"count\">(1)</span>" in mine.text
    assert "New chairs" in mine.text
    assert engine.task(task_id, "ralf").assignee == "ralf"


def test_outsider_sees_no_tasks(engine: Engine, as_user: Any) -> None:
    start_review(engine)
    page = as_user("olga").get("/tasks?view=group")
    assert "Ingen opgaver her lige nu." in page.text


def _rows(html: str) -> list[str]:
    """The case titles of the inbox table's rows, top to bottom."""
    return ROW_CASE_RE.findall(html)


def test_filter_and_sort(engine: Engine, clock: FixedClock, as_user: Any) -> None:
    # Each sort puts these three in a different order: due (and created) Chairs, Handbook, Desks; priority
    # puts Handbook (70) before the two at the default; case title is alphabetical.
    start_review(engine, title="Chairs")
    clock.advance(hours=1)
    start_widgets(engine, title="Handbook")
    clock.advance(hours=1)
    start_review(engine, title="Desks")
    ralf = as_user("ralf")
    found = ralf.get("/tasks?view=group&q=desk")
    assert _rows(found.text) == ["Desks"]
    assert _rows(ralf.get("/tasks?view=group").text) == ["Chairs", "Handbook", "Desks"]  # due first
    assert _rows(ralf.get("/tasks?view=group&sort=case").text) == ["Chairs", "Desks", "Handbook"]
    assert _rows(ralf.get("/tasks?view=group&sort=created").text) == ["Desks", "Handbook", "Chairs"]  # newest
    assert _rows(ralf.get("/tasks?view=group&sort=priority").text) == ["Handbook", "Chairs", "Desks"]


def test_overdue_tasks_are_marked(engine: Engine, clock: FixedClock, as_user: Any) -> None:
    start_review(engine, title="Late one")
    clock.advance(days=3)
    start_review(engine, title="Fresh one")
    ralf = as_user("ralf")
    page = ralf.get("/tasks?view=group")
    assert "row--overdue" in page.text and "Over fristen" in page.text
    assert "1 opgave er over fristen." in page.text
    only = ralf.get("/tasks?view=group&overdue=1")
    assert "Late one" in only.text and "Fresh one" not in only.text


def test_paging(engine: Engine, as_user: Any) -> None:
    for n in range(7):
        start_review(engine, title=f"Case {n}")
    ralf = as_user("ralf")
    first = ralf.get("/tasks?view=group")
    assert "Side 1 af 2" in first.text and _task_links(first.text) == 5
    second = ralf.get("/tasks?view=group&page=2")
    assert _task_links(second.text) == 2
    assert ralf.get("/tasks?view=group&page=99").status_code == 200  # clamped to the last page


def test_malformed_list_parameters_are_ignored(engine: Engine, as_user: Any) -> None:
    start_review(engine)
    ralf = as_user("ralf")
    for query in ("page=abc", "page=-5", "page=1e99", "sort=drop%20table", "view=everyone", "overdue=yes",
                  "q=" + "x" * 5000, "q=%ff%fe"):
        assert ralf.get(f"/tasks?{query}").status_code == 200, query
    assert ralf.get("/tasks?q=%00").status_code == 400  # a NUL is never text a person typed


def test_claim_refusals(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    olga, ralf, rosa = as_user("olga"), as_user("ralf"), as_user("rosa")
    assert olga.post(f"/tasks/{task_id}/claim").status_code == 403  # not a candidate
    assert ralf.post(f"/tasks/{task_id}/claim").status_code == 302
    twice = ralf.post(f"/tasks/{task_id}/claim")
    assert twice.status_code == 409 and "Du har allerede &#39;Review request&#39;." in twice.text
    taken = rosa.post(f"/tasks/{task_id}/claim")
    assert taken.status_code == 409 and "&#39;Review request&#39; er allerede taget af Ralf Reviewer." in taken.text
    assert ralf.post("/tasks/no-such-task/claim").status_code == 404
    assert ralf.post(f"/tasks/{task_id}/claim", csrf=False).status_code == 400


def test_release(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf, rosa = as_user("ralf"), as_user("rosa")
    ralf.post(f"/tasks/{task_id}/claim")
    assert rosa.post(f"/tasks/{task_id}/release").status_code == 403
    response = ralf.post(f"/tasks/{task_id}/release")
    assert response.status_code == 302 and response.location == "/tasks"
    assert engine.task(task_id, "ralf").assignee is None
    nobody = ralf.post(f"/tasks/{task_id}/release")
    assert nobody.status_code == 409 and "&#39;Review request&#39; er ikke taget af nogen." in nobody.text


def test_hand_over_to_colleague(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf = as_user("ralf")
    ralf.post(f"/tasks/{task_id}/claim")
    response = ralf.post(f"/tasks/{task_id}/assign", {"to": "rosa"})
    assert response.status_code == 302
    assert "Opgaven blev givet til Rosa Reviewer." in ralf.get(response.location).text
    assert engine.task(task_id, "rosa").assignee == "rosa"
    rosa = as_user("rosa")
    assert "New chairs" in rosa.get("/tasks?view=mine").text


def test_hand_over_refusals(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf, olga = as_user("ralf"), as_user("olga")
    assert olga.post(f"/tasks/{task_id}/assign", {"to": "olga"}).status_code == 403
    assert ralf.post(f"/tasks/{task_id}/assign", {"to": "nobody"}).status_code == 400
    assert ralf.post(f"/tasks/{task_id}/assign", {}).status_code == 400
    assert ralf.post(f"/tasks/{task_id}/assign", {"to": "rosa"}, csrf=False).status_code == 400
    assert ralf.post("/tasks/nope/assign", {"to": "rosa"}).status_code == 404


def test_next_parameter_stays_on_site(engine: Engine, as_user: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf = as_user("ralf")
    response = ralf.post(f"/tasks/{task_id}/claim", {"next": "https://evil.example/"})
    assert response.location == f"/tasks/{task_id}"
    response = ralf.post(f"/tasks/{task_id}/release", {"next": "/tasks?view=group"})
    assert response.location == "/tasks?view=group"


def test_refusals_are_logged(engine: Engine, as_user: Any, caplog: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    olga = as_user("olga")
    with caplog.at_level("WARNING", logger="turnus.web.refused"):
        olga.get(f"/tasks/{task_id}")
    assert any("403" in r.getMessage() and "olga" in r.getMessage() for r in caplog.records)
