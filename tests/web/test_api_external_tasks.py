"""Issue 23: /api/v1/external-tasks over HTTP — a worker's fetch-and-lock, complete, failure and extend-lock, and
each refusal as problem+json in the caller's language (scope, role, lock not held, bodies that do not fit)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.external_models import deploy
from tests.web.conftest import password_hash


@pytest.fixture
def worker(engine: Engine) -> str:
    deploy(engine, "pay", "parcels")
    engine.add_user("hr", roles=["integration"], password_hash=password_hash())
    return engine.add_token("hr", scopes=["external-tasks"])[1]


def _post(app: Flask, path: str, token: str, body: Any, **headers: str) -> Any:
    return app.test_client().post("/api/v1/external-tasks" + path, data=json.dumps(body),
                                  content_type="application/json",
                                  headers={"Authorization": f"Bearer {token}", **headers})


def _fetch(app: Flask, token: str, worker_id: str = "w1", ms: int = 60_000, **more: Any) -> Any:
    return _post(app, "/fetch-and-lock", token,
                 {"worker_id": worker_id, "topics": [{"name": "payments", "lock_duration_ms": ms}], **more})


def test_a_worker_fetches_completes_and_the_case_goes_on(app: Flask, engine: Engine, worker: str) -> None:
    case_id = engine.start("pay", "rita")
    reader = engine.add_token("admin", scopes=["cases:read"])[1]
    view = app.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {reader}"})
    assert view.json["waiting_on"] == [] and view.json["waiting_on_external"] == ["Charge"]
    res = _fetch(app, worker, max_tasks=5)
    assert res.status_code == 200
    (item,) = res.json["items"]
    assert (item["case_id"], item["topic"], item["element_id"], item["worker_id"]) == (
        case_id, "payments", "charge", "w1")
    assert item["variables"]["amount"] == 120 and item["lock_expires_at"].endswith("+00:00")
    assert _fetch(app, worker, "w2").json["items"] == []
    ext = item["id"]
    extended = _post(app, f"/{ext}/extend-lock", worker, {"worker_id": "w1", "new_duration_ms": 120_000})
    assert extended.status_code == 200 and extended.json["lock_expires_at"] > item["lock_expires_at"]
    done = _post(app, f"/{ext}/complete", worker, {"worker_id": "w1", "data": {"receipt": "R-9"}},
                 **{"Idempotency-Key": "pay-1"})
    assert (done.status_code, done.json) == (200, {"ok": True})
    replay = _post(app, f"/{ext}/complete", worker, {"worker_id": "w1", "data": {"receipt": "R-9"}},
                   **{"Idempotency-Key": "pay-1"})
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert engine.case(case_id, None).data["receipt"] == "R-9"
    again = _post(app, f"/{ext}/complete", worker, {"worker_id": "w1", "data": {}})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["reason"] == "external_task_closed"


def test_completing_a_task_one_no_longer_holds_is_a_409_in_danish(app: Flask, engine: Engine, worker: str,
                                                                   clock: FixedClock) -> None:
    engine.start("pay", "rita")
    ext = _fetch(app, worker, "slow", ms=1000).json["items"][0]["id"]
    clock.advance(seconds=2)
    assert _fetch(app, worker, "fast").json["items"][0]["id"] == ext, "the expired lock made it fetchable"
    late = _post(app, f"/{ext}/complete", worker, {"worker_id": "slow", "data": {}})
    assert late.status_code == 409 and late.mimetype == "application/problem+json"
    assert late.json["reason"] == "external_task_not_held"
    assert "Worker slow har ikke denne eksterne opgave" in late.json["detail"]
    english = _post(app, f"/{ext}/extend-lock", worker, {"worker_id": "slow", "new_duration_ms": 1000},
                    **{"Accept-Language": "en"})
    assert english.status_code == 409 and "does not hold this external task" in english.json["detail"]


def test_a_failure_without_retries_is_an_incident_on_the_case(app: Flask, engine: Engine, worker: str) -> None:
    case_id = engine.start("pay", "rita")
    ext = _fetch(app, worker).json["items"][0]["id"]
    res = _post(app, f"/{ext}/failure", worker, {"worker_id": "w1", "error_message": "card declined",
                                                 "error_details": "trace…", "retries": 0})
    assert (res.status_code, res.json) == (200, {"ok": True, "incident": True})
    assert engine.case(case_id, None).incident["message"] == "card declined"
    assert _fetch(app, worker).json["items"] == []


def test_each_parcel_is_its_own_external_task(app: Flask, engine: Engine, worker: str) -> None:
    engine.start("parcels", "rita")
    body = {"worker_id": "w1", "topics": [{"name": "shipping", "lock_duration_ms": 60_000}], "max_tasks": 10}
    items = _post(app, "/fetch-and-lock", worker, body).json["items"]
    assert sorted(i["variables"]["item"] for i in items) == ["a", "b", "c"]


def test_refusals_are_problem_json(app: Flask, engine: Engine, worker: str) -> None:
    engine.add_user("olga", password_hash=password_hash())
    person = engine.add_token("olga", scopes=["external-tasks"])[1]
    refused = _fetch(app, person)
    assert refused.status_code == 403 and refused.json["reason"] == "external_not_allowed"
    assert _post(app, "/nope/complete", person, {"worker_id": "w"}).status_code == 403, "policy before existence"
    tasks_only = engine.add_token("hr", scopes=["tasks:write"])[1]
    no_scope = _fetch(app, tasks_only)
    assert no_scope.status_code == 403 and no_scope.json["scope"] == "external-tasks"
    missing = _post(app, "/nope/complete", worker, {"worker_id": "w"})
    assert missing.status_code == 404 and missing.json["reason"] == "no_external_task"
    bad = _post(app, "/fetch-and-lock", worker, {"worker_id": "w", "topics": []})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "topics"
    assert _fetch(app, worker, ms=0).status_code == 422
    assert _post(app, "/nope/failure", worker, {"worker_id": "w", "error_message": "x", "retries": -1}
                 ).status_code == 422
    engine.start("pay", "rita")
    ext = _fetch(app, worker).json["items"][0]["id"]
    key = _post(app, f"/{ext}/complete", worker, {"worker_id": "w1", "data": {"2fast": 1}})
    assert key.status_code == 422 and key.json["reason"] == "data_key_invalid"
    assert app.test_client().post("/api/v1/external-tasks/fetch-and-lock").status_code == 401


def test_the_operations_are_in_the_openapi_document(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path in ("/external-tasks/fetch-and-lock", "/external-tasks/{task_id}/complete",
                 "/external-tasks/{task_id}/failure", "/external-tasks/{task_id}/extend-lock"):
        op = paths[path]["post"]
        assert op["security"] == [{"bearer": ["external-tasks"]}]
        assert {"200", "403", "404", "409", "422"} <= set(op["responses"])


def test_the_audit_timeline_tells_the_workers_part_in_danish(app: Flask, engine: Engine, worker: str,
                                                              as_user: Any) -> None:
    engine.add_user("revisor", roles=["auditor"], password_hash=password_hash())
    case_id = engine.start("pay", "rita")
    ext = _fetch(app, worker).json["items"][0]["id"]
    _post(app, f"/{ext}/failure", worker, {"worker_id": "w1", "error_message": "bank nede", "retries": 3})
    ext = _fetch(app, worker, "w2").json["items"][0]["id"]
    _post(app, f"/{ext}/complete", worker, {"worker_id": "w2", "data": {"receipt": "R-1"}})
    page = as_user("revisor").get(f"/audit/cases/{case_id}")
    assert page.status_code == 200
    assert "Trinnet “Charge” venter på en ekstern worker (topic payments)" in page.text
    assert "Den eksterne worker w1 kunne ikke udføre trinnet “Charge”" in page.text and "bank nede" in page.text
    assert "fuldførte trinnet “Charge” (worker w2)" in page.text


def test_the_case_page_says_it_waits_for_an_external_system(app: Flask, engine: Engine, worker: str,
                                                             as_user: Any) -> None:
    case_id = engine.start("pay", "rita")
    page = as_user("rita").get(f"/cases/{case_id}").text
    assert "Et eksternt system, ved Charge" in page and "Ingen lige nu" not in page
    ext = _fetch(app, worker).json["items"][0]["id"]
    _post(app, f"/{ext}/complete", worker, {"worker_id": "w1", "data": {}})
    assert "Et eksternt system" not in as_user("rita").get(f"/cases/{case_id}").text
