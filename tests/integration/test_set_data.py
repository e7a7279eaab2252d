"""Issue 12: `set data` — an administrator's audited change of case data outside a task form, in one
transaction with its `data_changed` event; refused for everyone else and for bad names, values or no reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Conflict, Forbidden, InvalidInput
from engine.service import Engine
from tests.helpers.bpmn_models import process
from tests.helpers.cli import ok, refused, turnus
from tests.helpers.conditional_models import MODELS


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"])
    engine.add_user("audmin", roles=["admin", "auditor"])
    engine.add_user("bot", roles=["integration"])
    engine.deploy_files({"cond_catch.bpmn": process("cond_catch", MODELS["cond_catch"])}, "system")
    return engine


def test_the_change_is_an_event_with_before_after_actor_and_reason(eng: Engine) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": False})
    eng.set_data(case_id, "admin", {"go": True, "reviewers": ["ralf", "rosa"]}, "  decided at the meeting ")
    event = next(e for e in eng.history(case_id, None) if e.kind == "data_changed")
    assert event.actor == "admin" and event.payload["reason"] == "decided at the meeting"
    assert event.payload["changes"] == {"go": {"before": False, "after": True},
                                        "reviewers": {"before": None, "after": ["ralf", "rosa"]}}
    view = eng.case(case_id, None)
    assert view.data["reviewers"] == ["ralf", "rosa"] and [t.element_id for t in view.open_tasks] == ["after"]
    assert eng.verify(case_id) == [] and eng.check_live_state(case_id) == []


@pytest.mark.parametrize("actor,reason", [("rita", "admin_only"), ("bot", "admin_only"),
                                          ("audrey", "read_only"), ("audmin", "read_only")])
def test_only_an_administrator_with_a_writable_role_may_set_data(eng: Engine, actor: str, reason: str) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": False})
    with pytest.raises(Forbidden) as err:
        eng.set_data(case_id, actor, {"go": True}, "why not")
    assert err.value.reason == reason
    assert "data_changed" not in [e.kind for e in eng.history(case_id, None)]


@pytest.mark.parametrize("data,reason_text,code", [
    ({}, "because", "set_data_empty"),
    ({"_secret": 1}, "because", "set_data_name"),
    ({"1st": 1}, "because", "set_data_name"),
    ({"bad name": 1}, "because", "set_data_name"),
    ({"x": float("nan")}, "because", "set_data_json"),
    ({"x": "y" * 70_000}, "because", "set_data_too_large"),
    ({"go": True}, "   ", "set_data_reason"),
    ({"go": True}, "r" * 1001, "set_data_reason_long"),
])
def test_bad_data_or_no_reason_is_refused_and_changes_nothing(eng: Engine, data: dict, reason_text: str,
                                                              code: str) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": False})
    with pytest.raises(InvalidInput) as err:
        eng.set_data(case_id, "admin", data, reason_text)
    assert err.value.reason == code
    assert eng.case(case_id, None).open_tasks == [] and len(eng.history(case_id, None)) == 1


def test_a_finished_case_is_refused(eng: Engine) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": False})
    eng.cancel(case_id, "admin", "test")
    with pytest.raises(Conflict) as err:
        eng.set_data(case_id, "admin", {"go": True}, "too late")
    assert err.value.reason == "case_closed"


def test_the_cli_sets_data_from_json_or_a_file(db_url: str, tmp_path: Path) -> None:
    ok(db_url, "init")
    ok(db_url, "users", "add", "rita")
    ok(db_url, "users", "add", "admin", "--role", "admin")
    model = tmp_path / "cond_catch.bpmn"
    model.write_bytes(process("cond_catch", MODELS["cond_catch"]))
    ok(db_url, "deploy", str(model))
    case_id = ok(db_url, "start", "cond_catch", "--as", "rita", "--data", '{"go": false}').strip()
    assert "set-data" in ok(db_url, "case", "--help")
    assert refused(db_url, "case", "set-data", case_id, "--as", "rita", "--data", '{"go": true}',
                   "--reason", "x") == "error: Only an administrator may change case data outside a task"
    missing = turnus(db_url, "case", "set-data", case_id, "--as", "admin", "--data", '{"go": true}')
    assert missing.returncode == 2 and "Missing option '--reason'" in missing.stderr
    data = tmp_path / "data.json"
    data.write_text('{"go": true}')
    assert ok(db_url, "case", "set-data", case_id, "--as", "admin", "--data", f"@{data}", "--reason",
              "Godkendt").strip() == f"{case_id} data changed"
    assert "after" in ok(db_url, "case", "show", case_id)


def test_a_change_that_makes_a_condition_fail_is_refused_and_records_no_incident(engine: Engine) -> None:
    from engine.cases.incidents import IncidentRaised
    from tests.helpers.bpmn_models import chain, user_task
    from tests.helpers.conditional_models import START, cond

    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    body = chain('wait|<bpmn:intermediateCatchEvent id="wait">' + cond("go &gt; 5") + "</bpmn:intermediateCatchEvent>",
                 "after|" + user_task("after"), start=START)
    engine.deploy_files({"cmp.bpmn": process("cmp", body)}, "system")
    case_id = engine.start("cmp", "rita", {"go": False})
    with pytest.raises(IncidentRaised) as err:
        engine.set_data(case_id, "admin", {"go": "many"}, "typo")
    assert err.value.info.element_id == "wait"
    view = engine.case(case_id, None)
    assert view.incident is None and view.data["go"] is False
    assert [e.kind for e in engine.history(case_id, None)] == ["case_started"]
