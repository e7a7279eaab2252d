"""Issue 28: a conditional start event of an event subprocess is armed while its scope runs and fires when
the scope's data makes its condition true (on arrival or by a later command); a process-level conditional
start stays refused (nothing would ever evaluate it before a case exists)."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import chain, field, process, user_task
from tests.helpers.coverage_support import event_subprocess, open_elements, restarted

COND = "<bpmn:conditionalEventDefinition><bpmn:condition>stop</bpmn:condition></bpmn:conditionalEventDefinition>"
START = ('<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>' + field("stop", "boolean")
         + "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>")


def _model(pid: str, interrupting: bool) -> bytes:
    return process(pid, chain("work|" + user_task("work", fields=field("stop", "boolean")),
                              "more|" + user_task("more"), start=START)
                   + event_subprocess("esp", COND, interrupting))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.deploy_files({"stop.bpmn": _model("cond_stop", True)}, "system")
    engine.deploy_files({"note.bpmn": _model("cond_note", False)}, "system")
    return engine


def test_a_condition_true_at_the_start_fires_at_once(eng: Engine) -> None:
    case_id = eng.start("cond_stop", "rita", {"stop": True})
    assert open_elements(eng, case_id) == ["esp_task"]


@pytest.mark.parametrize("interrupting", [True, False])
def test_a_later_change_fires_it(eng: Engine, db_url: str, clock: FixedClock, interrupting: bool) -> None:
    case_id = eng.start("cond_stop" if interrupting else "cond_note", "rita", {"stop": False})
    assert open_elements(eng, case_id) == ["work"]
    with restarted(db_url, clock) as again:
        again.set_data(case_id, "admin", {"stop": True}, "the manager withdrew")
        assert open_elements(again, case_id) == (["esp_task"] if interrupting else ["esp_task", "work"])
        if not interrupting:  # once per activation of its scope, like a conditional boundary event
            task = next(t for t in again.case(case_id, None).open_tasks if t.element_id == "work")
            again.complete(task.id, "rita", {"stop": True})
            assert open_elements(again, case_id) == ["esp_task", "more"]


def test_a_process_level_conditional_start_stays_refused() -> None:
    body = chain("work|" + user_task("work"), start=f'<bpmn:startEvent id="s">{COND}</bpmn:startEvent>')
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": process("cond_proc", body)})
    assert any("conditional start events are not supported" in p.message for p in refused.value.problems)
