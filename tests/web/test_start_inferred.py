"""Issue 23: a start variable inferred from a Camunda model (`${assignee}`, `assigneeList`) is asked for on the
web's start page and is in the API's start schema; a start without it is refused naming it, in Danish."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from engine.service import Engine
from tests.helpers.bpmn_models import chain, process

ASSIGNEE_LIST = process("mi", chain(
    'review|<bpmn:userTask id="review" name="Gennemse" camunda:assignee="${assignee}">'
    '<bpmn:multiInstanceLoopCharacteristics camunda:collection="assigneeList" camunda:elementVariable="assignee"/>'
    "</bpmn:userTask>"))
ASSIGNEE = process("asg", chain('work|<bpmn:userTask id="work" name="Arbejd" camunda:assignee="${assignee}"/>'))


@pytest.fixture
def deployed(engine: Engine) -> Engine:
    engine.deploy_files({"mi.bpmn": ASSIGNEE_LIST, "asg.bpmn": ASSIGNEE}, "system")
    return engine


def test_the_start_page_asks_for_it_and_starts_with_one_per_line(deployed: Engine, as_user: Any) -> None:
    rita = as_user("rita")
    page = rita.get("/start/mi").text
    assert "assigneeList (collection for “Gennemse”)" in page and "Én pr. linje." in page
    refused = rita.post("/start/mi", {"assigneeList": ""})
    assert refused.status_code == 400 and "assigneeList" in refused.text and "skal udfyldes" in refused.text
    done = rita.post("/start/mi", {"assigneeList": "ralf\n rosa \n\n"})
    assert done.status_code == 302
    case_id = done.headers["Location"].rsplit("/", 1)[-1]
    assert sorted(t.assignee for t in deployed.case(case_id, None).open_tasks) == ["ralf", "rosa"]


def test_a_person_variable_is_a_choice_of_people(deployed: Engine, as_user: Any) -> None:
    rita = as_user("rita")
    page = rita.get("/start/asg").text
    assert '<select id=' in page and "Ralf Reviewer" in page
    done = rita.post("/start/asg", {"assignee": "ralf"})
    assert done.status_code == 302
    assert [t.assignee for t in deployed.tasks_for("ralf") if t.key == "asg"] == ["ralf"]


def test_the_api_start_schema_has_it_and_a_start_without_it_is_a_problem(deployed: Engine, app: Flask) -> None:
    token = deployed.add_token("rita", scopes=["cases:read", "cases:write"])[1]
    http = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    schema = http.get("/api/v1/definitions/mi", headers=auth).json["start_form"]
    assert schema["required"] == ["assigneeList"]
    assert schema["properties"]["assigneeList"]["type"] == "array"
    assert schema["properties"]["assigneeList"]["items"] == {"type": "string"}
    res = http.post("/api/v1/cases", data=json.dumps({"key": "mi", "data": {}}), content_type="application/json",
                    headers={**auth, "Accept-Language": "en"})
    assert res.status_code == 422 and res.content_type == "application/problem+json"
    assert [e["field"] for e in res.json["errors"]] == ["assigneeList"]
    ok = http.post("/api/v1/cases", data=json.dumps({"key": "mi", "data": {"assigneeList": ["ralf"]}}),
                   content_type="application/json", headers=auth)
    assert ok.status_code == 201
