"""No request, however malformed, gets a 500; every route answers something a person can act on."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from engine.service import Engine
from tests.web.conftest import open_task, start_review

WEIRD = ["", " ", "%00", "\x00", "a\x00b", "x" * 5000, "ünïcødé", "<script>", "../..", "1e999", "-1", "null",
         "[]", "{}"]


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


def test_every_route_is_known(app: Flask) -> None:
    routes = {r.replace("<id:", "<") for _, r in _routes(app)}
    assert routes >= {"/", "/login", "/logout", "/language", "/tasks", "/tasks/<task_id>",
                      "/tasks/<task_id>/claim", "/tasks/<task_id>/release", "/tasks/<task_id>/assign",
                      "/cases", "/cases/<case_id>", "/cases/<case_id>/comments", "/attachments/<attachment_id>",
                      "/start", "/start/<key>"}


@pytest.mark.parametrize("value", WEIRD)
def test_malformed_values_on_every_route(app: Flask, engine: Engine, as_user: Any, value: str) -> None:
    case_id = start_review(engine)
    task_id = open_task(engine, case_id)
    ralf = as_user("ralf")
    ids = {"task_id": task_id, "case_id": case_id, "attachment_id": "x" + value, "key": "review"}
    for method, rule in _routes(app):
        path = rule
        for name, real in ids.items():
            path = path.replace(f"<id:{name}>", real)
        form = {"action": value, "text": value, "to": value, "lang": value, "next": value, "decision": value,
                "title": value, "amount": value, "needed_by": value, "urgent": value, "username": value,
                "password": value}
        if method == "GET":
            response = ralf.get(path, query_string={"q": value, "page": value, "sort": value, "view": value,
                                                    "status": value, "next": value})
        else:
            response = ralf.post(path, form)
        assert response.status_code < 500, (method, path, value, response.status_code)


def test_malformed_ids_in_paths(engine: Engine, as_user: Any) -> None:
    ralf = as_user("ralf")
    for bad in ("%2e%2e", "%FF%FE", "a" * 10_000, "😀", "1;DROP", "%0d%0aSet-Cookie:x=1"):
        for path in (f"/tasks/{bad}", f"/cases/{bad}", f"/attachments/{bad}", f"/start/{bad}"):
            response = ralf.get(path)
            assert response.status_code in (404, 414), (path, response.status_code)
            assert "Set-Cookie: x=1" not in str(response.headers)


def test_wrong_methods_are_405(as_user: Any) -> None:
    ralf = as_user("ralf")
    assert ralf.http.put("/tasks").status_code == 405
    assert ralf.http.delete("/cases").status_code == 405
    assert ralf.get("/tasks/x/claim").status_code == 405


def test_oversized_request_is_413(as_user: Any) -> None:
    ralf = as_user("ralf")
    response = ralf.post("/start/review", {"title": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_unexpected_error_shows_a_generic_page(app: Flask, as_user: Any, monkeypatch: Any) -> None:
    engine = app.extensions["turnus.engine"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    ralf = as_user("ralf")
    monkeypatch.setattr(engine, "cases_for", broken)
    response = ralf.get("/cases")
    assert response.status_code == 500
    assert "Noget gik galt" in response.text and "secret internals" not in response.text
    assert "Traceback" not in response.text
