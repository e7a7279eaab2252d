"""Issue 24: GET /api/v1/incidents and POST /api/v1/incidents/{id}/retry — administrators only (scope admin and
the role admin), with the API's conventions: problem+json refusals, Idempotency-Key, the incident's token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from engine.cases.incidents import IncidentRaised
from engine.service import Engine

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="urn:t">
  <bpmn:process id="shares" name="Shares" isExecutable="true">
    <bpmn:startEvent id="start" camunda:initiator="requester"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="ask"/>
    <bpmn:userTask id="ask" name="Ask" camunda:assignee="${requester}">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="divisor" label="Divisor" type="long"/>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="ask" targetRef="share"/>
    <bpmn:scriptTask id="share" name="Share" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>share = 100 / divisor</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="share" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _call(app: Flask, method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
    client = app.test_client()
    return client.open("/api/v1" + path, method=method, data=json.dumps(body) if body is not None else None,
                       content_type="application/json", headers={"Authorization": f"Bearer {token}", **headers})


@pytest.fixture
def failed(engine: Engine) -> str:
    engine.deploy_files({"shares.bpmn": MODEL}, actor="system")
    case_id = engine.start("shares", "rita")
    task = engine.case(case_id, None).open_tasks[0].id
    with pytest.raises(IncidentRaised):
        engine.complete(task, "rita", {"divisor": 0})
    return case_id


def test_an_administrator_lists_and_retries_an_incident(app: Flask, engine: Engine, failed: str) -> None:
    token = engine.add_token("admin", scopes=["admin"])[1]
    listed = _call(app, "GET", "/incidents", token)
    assert listed.status_code == 200
    (item,) = listed.json["items"]
    assert (item["case_id"], item["element_id"], item["kind"]) == (failed, "share", "error")
    assert "division by zero" in item["message"] and item["raised_at"].endswith("+00:00")
    assert _call(app, "GET", "/incidents?process=other", token).json["items"] == []
    # The script still fails: the retry records a new incident, which the answer says (problem+json).
    again = _call(app, "POST", f"/incidents/{failed}/retry", token, {"reason": "Try once more"},
                  **{"Idempotency-Key": "retry-1"})
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert again.json["reason"] == "incident"
    fresh = _call(app, "GET", "/incidents", token).json["items"][0]["token"]
    assert fresh != item["token"]
    raised = [e.kind for e in engine.history(failed, None)].count("incident_raised")
    replay = _call(app, "POST", f"/incidents/{failed}/retry", token, {"reason": "Try once more"},
                   **{"Idempotency-Key": "retry-1"})
    assert (replay.status_code, replay.json) == (409, again.json)
    assert [e.kind for e in engine.history(failed, None)].count("incident_raised") == raised, "no second effect"
    stale = _call(app, "POST", f"/incidents/{failed}/retry", token, {"reason": "Old page", "token": item["token"]})
    assert stale.status_code == 409 and stale.json["reason"] == "incident_changed"
    # Another administrator mends it at /admin (data corrected and retried); the API then says it is gone.
    engine.correct_and_retry(failed, "admin", fresh, {"divisor": 4}, "Divisor was 0")
    assert engine.case(failed, None).incident is None
    gone = _call(app, "POST", f"/incidents/{failed}/retry", token, {"reason": "Again"})
    assert gone.status_code == 409 and gone.json["reason"] == "incident_gone"
    assert _call(app, "GET", "/incidents", token).json["items"] == []


@pytest.mark.parametrize("user, scopes, status", [
    ("admin", ["cases:read"], 403),   # the right person, the wrong scope
    ("rita", ["admin"], 403),         # the scope, but not an administrator
])
def test_anyone_else_is_refused(app: Flask, engine: Engine, failed: str, user: str, scopes: list[str],
                                status: int) -> None:
    token = engine.add_token(user, scopes=scopes)[1]
    for method, path, body in (("GET", "/incidents", None), ("POST", f"/incidents/{failed}/retry", {"reason": "x"})):
        answer = _call(app, method, path, token, body)
        assert answer.status_code == status and answer.content_type == "application/problem+json", (method, path)
    assert engine.case(failed, None).incident is not None  # nothing changed
