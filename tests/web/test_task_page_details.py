"""The task page reads top to bottom: the case before the form; links in answers work, safely; optional
tasks say so; a finished case's history is folded by phase."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from engine.service import Engine
from tests.web.conftest import HERE, open_task, start_review
from web.present import linkify


@pytest.fixture
def optional(engine: Engine) -> Engine:
    engine.deploy_paths([HERE / "processes" / "optional.bpmn"], actor="system")
    return engine


def test_the_case_so_far_comes_before_the_form(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine, title="Chairs for the meeting room")
    task_id = open_task(engine, case_id)
    engine.claim(task_id, "ralf")
    html = as_user("ralf").get(f"/tasks/{task_id}").text
    proposal = html.index("Chairs for the meeting room</dd>")  # what the requester wrote
    form = html.index(f'<form method="post" action="/tasks/{task_id}"')
    assert proposal < form


def test_addresses_in_answers_and_comments_become_safe_links(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine, title="See https://intra.example.dk/plan?a=1&b=2.")
    engine.comment(case_id, "rita", "Draft: http://example.org/x <script>alert(1)</script> javascript:alert(2)")
    html = as_user("rita").get(f"/cases/{case_id}").text
    assert ('<a href="https://intra.example.dk/plan?a=1&amp;b=2" rel="noopener noreferrer">'
            "https://intra.example.dk/plan?a=1&amp;b=2</a>.") in html  # the full stop is not part of the link
    assert '<a href="http://example.org/x" rel="noopener noreferrer">' in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html


def test_linkify_escapes_before_it_links(app: Flask) -> None:
    with app.test_request_context("/"):
        assert str(linkify('x" onmouseover="y https://a.dk/"q')) == (
            'x&#34; onmouseover=&#34;y <a href="https://a.dk/" rel="noopener noreferrer">https://a.dk/</a>&#34;q')
        assert str(linkify("ftp://a.dk data:text/html,x")) == "ftp://a.dk data:text/html,x"
        assert str(linkify(None)) == ""


def test_an_optional_task_without_a_due_date_says_it_is_optional(optional: Engine, as_user: Any) -> None:
    case_id = optional.start("optional", "rita", {"title": "My period"})
    task_id = open_task(optional, case_id)
    rita = as_user("rita")
    inbox = rita.get("/tasks").text
    assert "Valgfri (lukker af sig selv: 14 days before the end date)" in inbox
    page = rita.get(f"/tasks/{task_id}").text
    assert "Opgaven er valgfri: udfør den kun, hvis der er brug for det." in page
    optional.complete(task_id, "rita", {})
    close = open_task(optional, case_id)  # has a due date and no closing timer: not optional
    page = rita.get(f"/tasks/{close}").text
    assert "valgfri" not in page.lower()


def test_a_finished_case_folds_its_history_by_phase(optional: Engine, as_user: Any) -> None:
    case_id = optional.start("optional", "rita", {"title": "My period"})
    optional.complete(open_task(optional, case_id), "rita", {"note": "All well"})
    rita = as_user("rita")
    running = rita.get(f"/cases/{case_id}").text  # a running case keeps its current phase open
    assert '<details class="phase" open>\n    <summary>Development period <span class="phase__count">(1 trin)' \
        in running
    optional.complete(open_task(optional, case_id), "rita", {})
    html = rita.get(f"/cases/{case_id}").text
    assert html.count('<details class="phase">') == 3  # started, the period, closing: all folded
    assert " open>" not in html
    assert "<summary>Development period" in html and "All well" in html  # folded, not gone


def test_the_initiator_variable_is_not_shown_as_a_raw_row(engine: Engine, as_user: Any) -> None:
    case_id = start_review(engine, title="Chairs")
    html = as_user("rita").get(f"/cases/{case_id}").text
    assert "<dt>requester</dt>" not in html  # the variable camunda:initiator fills; the step names the person
    assert "Sagen blev startet</strong> – Rita Requester" in html
