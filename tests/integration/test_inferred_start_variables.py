"""Issue 23: what a Camunda 7 model uses but nothing in it sets — `${assignee}` in a user task, the multi-instance
collection `assigneeList` — is a required start variable, not a deploy refusal: listed by `turnus start-form`,
given with `start --data`, and a start without it is refused naming it before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.errors import FormInvalid
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.bpmn_models import chain, process
from tests.helpers.cli import ok, turnus

# As Camunda 7's own test models write them: nothing in either process sets the variable.
ASSIGNEE = process("asg", chain('work|<bpmn:userTask id="work" name="Work" camunda:assignee="${assignee}"/>'))
ASSIGNEE_LIST = process("mi", chain(
    'review|<bpmn:userTask id="review" name="Review" camunda:assignee="${assignee}">'
    '<bpmn:multiInstanceLoopCharacteristics camunda:collection="assigneeList" camunda:elementVariable="assignee"/>'
    "</bpmn:userTask>"))
# A script could set it: nothing is inferred, nothing refused (the value may come from the script).
SCRIPTED = process("scripted", chain(
    'pick|<bpmn:scriptTask id="pick" scriptFormat="python"><bpmn:script>assignee = "rita"</bpmn:script>'
    "</bpmn:scriptTask>", 'work|<bpmn:userTask id="work" name="Work" camunda:assignee="${assignee}"/>'))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    for name in ("rita", "bob", "carl"):
        engine.add_user(name)
    engine.deploy_files({"asg.bpmn": ASSIGNEE, "mi.bpmn": ASSIGNEE_LIST, "scripted.bpmn": SCRIPTED}, "system")
    return engine


def _count(eng: Engine) -> int:
    with eng.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()


def test_the_variables_are_required_start_variables(eng: Engine) -> None:
    [assignee] = eng.start_variables("asg").fields
    assert (assignee.id, assignee.type, assignee.required) == ("assignee", "string", True)
    [people] = eng.start_variables("mi").fields
    assert (people.id, people.properties.get("list"), people.required) == ("assigneeList", "true", True)
    assert eng.start_variables("scripted").fields == ()


@pytest.mark.parametrize(("key", "data", "named"), [
    ("asg", {}, "assignee"), ("mi", {}, "assigneeList"), ("mi", {"assigneeList": "bob"}, "assigneeList"),
])
def test_a_start_without_it_is_refused_naming_it_and_writes_nothing(eng: Engine, key: str, data: dict,
                                                                     named: str) -> None:
    with pytest.raises(FormInvalid) as err:
        eng.start(key, "rita", data)
    assert [e.field for e in err.value.errors] == [named] and named in str(err.value)
    assert _count(eng) == 0


def test_given_it_assigns_the_tasks(eng: Engine) -> None:
    one = eng.start("asg", "rita", {"assignee": "bob"})
    assert [t.assignee for t in eng.case(one, None).open_tasks] == ["bob"]
    many = eng.start("mi", "rita", {"assigneeList": ["bob", "carl"]})
    assert sorted(t.assignee for t in eng.case(many, None).open_tasks) == ["bob", "carl"]


def test_the_cli_lists_and_takes_them(db_url: str, tmp_path: Path) -> None:
    ok(db_url, "init")
    ok(db_url, "users", "add", "rita")
    ok(db_url, "users", "add", "bob")
    path = tmp_path / "mi.bpmn"
    path.write_bytes(ASSIGNEE_LIST)
    ok(db_url, "deploy", str(path))
    out = ok(db_url, "start-form", "mi")
    assert "assigneeList: list<string> (start variable, required: the collection of 'Review')" in out
    described = json.loads(ok(db_url, "start-form", "mi", "--json"))
    assert described["variables"] == [{"id": "assigneeList", "type": "list<string>", "required": True,
                                       "used_as": "collection", "used_by": "Review"}]
    refused = turnus(db_url, "start", "mi", "--as", "rita")
    assert refused.returncode == 1 and "assigneeList" in refused.stderr and "required" in refused.stderr
    started = ok(db_url, "start", "mi", "--as", "rita", "--data", '{"assigneeList": ["bob"]}').strip()
    assert "Review\tbob" in ok(db_url, "tasks", "--as", "bob") and started in ok(db_url, "tasks", "--as", "bob")
