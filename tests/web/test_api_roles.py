"""The route × role test of the API (the web's is tests/web/test_modeller.py's): every /api/v1 operation, called
by every role, answers what the policy says — the same policy as the pages and the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine.service import Engine
from engine.store.tables import external_tasks
from tests.helpers.external_models import deploy
from tests.web.conftest import open_task, password_hash, start_review
from web.api.registry import OPERATIONS

ROLES = {"anonymous": None, "employee": "olga", "starter": "rita", "reviewer": "ralf", "auditor": "audrey",
         "process-owner": "paula", "integration": "hr", "admin": "admin"}
A = "anonymous"
ALL = set(ROLES) - {A}
WRITERS = ALL - {"auditor"}
READERS = {"starter", "reviewer", "auditor", "admin"}  # take part in the case, or read every case
EXTERNAL = {"integration", "admin"}  # an outside system's account, or an administrator
WORKERS = {"reviewer", "admin"}  # candidates of the review task, or an administrator (who may not work it)
# (method, rule) -> (path, body, roles answered with a 2xx); every other signed-in role gets 403 or 404
MATRIX: dict[tuple[str, str], tuple[str, Any, set[str]]] = {
    ("GET", "/definitions"): ("/definitions", None, ALL),
    ("GET", "/definitions/<id:key>"): ("/definitions/review", None, ALL),
    ("GET", "/definitions/<id:key>/xml"): ("/definitions/review/xml", None, ALL),
    ("POST", "/cases"): ("/cases", {"key": "review", "data": {"title": "T", "amount": 1, "needed_by": "2027-05-01"}},
                         WRITERS),
    ("GET", "/cases"): ("/cases", None, ALL),
    ("GET", "/cases/<id:case_id>"): ("/cases/{case}", None, READERS),
    ("GET", "/cases/<id:case_id>/history"): ("/cases/{case}/history", None, READERS),
    ("POST", "/cases/<id:case_id>/comments"): ("/cases/{case}/comments", {"text": "hi"}, READERS - {"auditor"}),
    ("GET", "/tasks"): ("/tasks", None, ALL),
    ("GET", "/tasks/<id:task_id>"): ("/tasks/{task}", None, WORKERS),
    ("POST", "/tasks/<id:task_id>/claim"): ("/tasks/{task}/claim", None, {"reviewer"}),
    ("POST", "/tasks/<id:task_id>/release"): ("/tasks/{task4}/release", None, {"admin"}),  # rosa holds it
    ("POST", "/tasks/<id:task_id>/assign"): ("/tasks/{task2}/assign", {"to": "rosa"}, WORKERS),
    ("POST", "/tasks/<id:task_id>/complete"): ("/tasks/{task3}/complete", {"data": {"decision": "approve"}},
                                               {"reviewer"}),
    ("POST", "/messages"): ("/messages", {"name": "nobody_listens", "case_id": "{case}"}, set()),
    ("POST", "/signals"): ("/signals", {"name": "nobody_listens"}, {"integration", "admin"}),
    ("POST", "/cases/<id:case_id>/cancel"): ("/cases/{case}/cancel", {"reason": "test"}, {"admin"}),
    ("GET", "/incidents"): ("/incidents", None, {"admin"}),
    # the case has no incident: an administrator is told so (409), everyone else is refused before that
    ("POST", "/incidents/<id:case_id>/retry"): ("/incidents/{case}/retry", {"reason": "test"}, set()),
    ("GET", "/webhooks"): ("/webhooks", None, {"admin"}),
    ("POST", "/webhooks"): ("/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["case.finished"]}, {"admin"}),
    ("DELETE", "/webhooks/<id:webhook_id>"): ("/webhooks/{hook}", None, {"admin"}),
    # external tasks: the fetch locks the three waiting ones for worker w, on which the next three act
    ("POST", "/external-tasks/fetch-and-lock"): (
        "/external-tasks/fetch-and-lock",
        {"worker_id": "w", "topics": [{"name": "payments", "lock_duration_ms": 60000}], "max_tasks": 5}, EXTERNAL),
    ("POST", "/external-tasks/<id:task_id>/extend-lock"): (
        "/external-tasks/{ext1}/extend-lock", {"worker_id": "w", "new_duration_ms": 60000}, EXTERNAL),
    ("POST", "/external-tasks/<id:task_id>/failure"): (
        "/external-tasks/{ext2}/failure", {"worker_id": "w", "error_message": "x", "retries": 1}, EXTERNAL),
    ("POST", "/external-tasks/<id:task_id>/complete"): (
        "/external-tasks/{ext3}/complete", {"worker_id": "w", "data": {}}, EXTERNAL),
}
# a message nobody waits for is refused after the policy let the sender through
MESSAGE_SENDERS = {"integration", "admin"}


def test_the_matrix_covers_every_api_operation(app: Flask) -> None:
    assert {(op.method, op.path) for op in OPERATIONS} == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_for_every_role(engine: Engine, app: Flask, role: str) -> None:
    engine.add_user("paula", roles=["process-owner"], password_hash=password_hash())
    engine.add_user("audrey", roles=["auditor"], password_hash=password_hash())
    engine.add_user("hr", roles=["integration"], password_hash=password_hash())
    case = start_review(engine)
    ids = {"case": case, "task": open_task(engine, case), "task2": open_task(engine, start_review(engine)),
           "task3": open_task(engine, start_review(engine)), "task4": open_task(engine, start_review(engine))}
    engine.claim(ids["task4"], "rosa")
    ids["hook"] = engine.add_webhook("http://127.0.0.1:9/hook", ["case.finished"], "admin")[0].id
    deploy(engine, "pay")
    ext_cases = [engine.start("pay", "rita") for _ in range(3)]
    ext_ids = engine._read(lambda conn: {r.case_id: r.id for r in conn.execute(select(external_tasks))})
    ids.update({f"ext{i + 1}": ext_ids[c] for i, c in enumerate(ext_cases)})
    name = ROLES[role]
    headers = {"Authorization": f"Bearer {engine.add_token(name, scopes=['admin'])[1]}"} if name else {}
    http = app.test_client()
    for (method, _rule), (path, body, allowed) in MATRIX.items():
        url = "/api/v1" + path.format(**ids)
        data = json.dumps(body).replace("{case}", case) if body is not None else "{}"
        res = http.open(url, method=method, data=data if method == "POST" else None,
                        content_type="application/json", headers=headers)
        assert res.mimetype in ("application/json", "application/xml", "application/problem+json"), url
        if name is None:
            assert res.status_code == 401, (url, res.status_code)
        elif role in allowed:
            assert 200 <= res.status_code < 300, (role, method, url, res.status_code, res.json)
        elif path == "/messages" and role in MESSAGE_SENDERS:
            assert res.status_code in (404, 409, 422), (role, url, res.status_code, res.json)
        elif path.startswith("/incidents/") and role == "admin":
            assert res.status_code == 409 and res.json["reason"] == "incident_gone", (url, res.json)
        else:
            assert res.status_code in (403, 404), (role, method, url, res.status_code, res.json)
            assert res.json["reason"], (role, method, url, res.json)
