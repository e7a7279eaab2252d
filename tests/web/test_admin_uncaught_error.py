"""Issue 28: an error nothing catches is an incident the operator's console shows, in Danish, with cancel as
the way out (retrying it is refused with why)."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest

from engine.service import Engine
from tests.helpers.bpmn_models import ERROR, flow, process

BODY = ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "sub") + '<bpmn:subProcess id="sub">'
        '<bpmn:startEvent id="ss"/>' + flow("g1", "ss", "boom")
        + '<bpmn:endEvent id="boom" name="Afvist"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'
        "</bpmn:subProcess>" + flow("f2", "sub", "e") + '<bpmn:endEvent id="e"/>')


@pytest.fixture
def uncaught(engine: Engine) -> str:
    engine.deploy_files({"uncaught.bpmn": process("uncaught", BODY, ERROR)}, actor="system")
    return engine.start("uncaught", "rita", {})


def test_the_console_lists_it_and_explains_it_in_danish(engine: Engine, uncaught: str, as_user: Any) -> None:
    admin = as_user("admin")
    listed = unescape(admin.get("/admin/incidents").text)
    assert f"/admin/incidents/{uncaught}" in listed and "Afvist" in listed and "E1" in listed
    detail = unescape(admin.get(f"/admin/incidents/{uncaught}").text)
    assert "en fejl, som intet fanger" in detail and "ingen fejl-grænsebegivenhed" in detail
    assert "Ret data og prøv igen" not in detail and "Annullér sagen" in detail
    token = engine.incident(uncaught, "admin").token
    refused = admin.post(f"/admin/incidents/{uncaught}/retry", {"token": token, "reason": "igen"})
    assert refused.status_code == 409
    assert "et nyt forsøg ville kaste den igen" in unescape(refused.text)
    done = admin.post(f"/admin/incidents/{uncaught}/cancel", {"token": token, "reason": "ingen håndtering"})
    assert done.status_code == 302 and engine.case(uncaught, None).status == "cancelled"


def test_the_api_lists_it_and_refuses_its_retry_as_problem_json(app: Any, engine: Engine, uncaught: str) -> None:
    import json

    token = engine.add_token("admin", scopes=["admin"])[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    (item,) = client.get("/api/v1/incidents", headers=headers).json["items"]
    assert (item["case_id"], item["element_id"], item["kind"], item["raised_by_command"]) == (
        uncaught, "boom", "uncaught_error", "uncaught_error")
    assert "E1" in item["message"]
    refused = client.post(f"/api/v1/incidents/{uncaught}/retry", data=json.dumps({"reason": "again"}),
                          content_type="application/json", headers=headers)
    assert refused.status_code == 409 and refused.content_type == "application/problem+json"
    assert refused.json["reason"] == "incident_uncaught_error"
