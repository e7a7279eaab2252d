"""Issue 12: `turnus:startVariable` — a process without a start form declares the data `start` accepts
(typed and validated like form fields, lists for multi-instance collections); undeclared data is still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid, FormInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import HEAD, chain, field
from tests.helpers.cli import ok


def props(*values: str) -> str:
    inner = "".join(f'<camunda:property name="turnus:startVariable" value="{v}"/>' for v in values)
    return f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"


def model(pid: str, variables: tuple[str, ...], body: str) -> bytes:
    return (f'{HEAD}<bpmn:process id="{pid}" isExecutable="true">{props(*variables)}\n{body}\n</bpmn:process>\n'
            "</bpmn:definitions>\n").encode()


REVIEW = chain(
    'triage|<bpmn:userTask id="triage" name="Triage" camunda:assignee="${assignee}"/>',
    'each|<bpmn:userTask id="each" name="Review" camunda:assignee="${reviewer}"><bpmn:multiInstanceLoopCharacteristics '
    'camunda:collection="reviewers" camunda:elementVariable="reviewer"/></bpmn:userTask>')
VARIABLES = ("assignee:string", "reviewers:list&lt;string&gt;", "deadline:date", "rounds:long", "urgent:boolean")


@pytest.fixture
def eng(engine: Engine) -> Engine:
    for name in ("rita", "ralf", "rosa", "olga"):
        engine.add_user(name)
    engine.deploy_files({"sv.bpmn": model("sv", VARIABLES, REVIEW)}, "system")
    return engine


def _open(eng: Engine, case_id: str) -> list[tuple[str, str | None]]:
    return sorted((t.element_id, t.assignee) for t in eng.case(case_id, None).open_tasks)


def test_declared_variables_start_the_case_typed(eng: Engine) -> None:
    case_id = eng.start("sv", "rita", {"assignee": "olga", "reviewers": ["ralf", "rosa"], "deadline": "24.12.2027",
                                       "rounds": "2", "urgent": "yes"})
    data = eng.case(case_id, None).data
    assert (data["deadline"], data["rounds"], data["urgent"]) == ("2027-12-24", 2, True)
    assert _open(eng, case_id) == [("triage", "olga")]
    eng.complete(eng.case(case_id, None).open_tasks[0].id, "olga", {})
    assert _open(eng, case_id) == [("each", "ralf"), ("each", "rosa")]  # one instance per list item


@pytest.mark.parametrize("data,field_id,code", [
    ({"assignee": "olga", "is_admin": True}, "is_admin", "unknown"),  # mass assignment stays impossible
    ({"reviewers": "ralf"}, "reviewers", "type"),
    ({"reviewers": ["ralf", 7]}, "reviewers", "type"),
    ({"reviewers": ["x"] * 1001}, "reviewers", "maxitems"),
    ({"rounds": "two"}, "rounds", "type"),
    ({"deadline": "soon"}, "deadline", "type"),
    ({"assignee": ["olga"]}, "assignee", "type"),
])
def test_undeclared_or_mistyped_start_data_is_refused(eng: Engine, data: dict, field_id: str, code: str) -> None:
    with pytest.raises(FormInvalid) as err:
        eng.start("sv", "rita", data)
    assert [(e.field, e.code) for e in err.value.errors] == [(field_id, code)]
    assert eng.cases_for("rita") == []


def test_start_form_lists_the_variables(eng: Engine, db_url: str) -> None:
    assert [f.id for f in eng.start_variables("sv").fields] == ["assignee", "reviewers", "deadline", "rounds",
                                                                 "urgent"]
    assert eng.start_form("sv")[1].fields == ()  # the web start page shows only a start form


def test_the_cli_start_form_prints_them(db_url: str, tmp_path: Path) -> None:
    ok(db_url, "init")
    path = tmp_path / "sv.bpmn"
    path.write_bytes(model("sv", VARIABLES, REVIEW))
    ok(db_url, "deploy", str(path))
    out = ok(db_url, "start-form", "sv")
    assert "    reviewers: list<string> (start variable)" in out and "    rounds: long (start variable)" in out
    described = json.loads(ok(db_url, "start-form", "sv", "--json"))
    assert {"id": "reviewers", "type": "list<string>", "required": False} in described["variables"]
    assert described["form"]["fields"] == []


@pytest.mark.parametrize("value,finding", [
    ("assignee", "write it as NAME:TYPE"),
    ("_secret:string", "is not a variable name"),
    ("amount:money", "unknown type 'money'"),
    ("items:list&lt;enum&gt;", "unknown type 'enum'"),
    ("title:string", "declared twice"),
])
def test_a_bad_declaration_is_refused_at_deploy_naming_the_process(value: str, finding: str) -> None:
    start = ('<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>' + field("title")
             + "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>")
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"bad.bpmn": model("bad", (value,), chain("t|<bpmn:userTask id='t' camunda:assignee='rita'/>",
                                                                   start=start))})
    assert finding in str(err.value) and "element 'bad'" in str(err.value)
    assert "turnus:startVariable" in str(err.value)
