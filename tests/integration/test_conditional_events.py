"""Issue 12: conditional events (intermediate catch, interrupting and non-interrupting boundary) fire when
their condition is true on arrival and, while waiting, as soon as the data makes it true; a conditional start
event is refused at deploy (the library never evaluates it). Data changes here come from `set data`."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import chain, process, user_task
from tests.helpers.conditional_models import MODELS, cond


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.deploy_files({f"{key}.bpmn": process(key, body) for key, body in MODELS.items()}, "system")
    return engine


def _open(eng: Engine, case_id: str) -> list[str]:
    return sorted(t.element_id for t in eng.case(case_id, None).open_tasks)


def test_a_conditional_catch_true_on_arrival_passes_at_once(eng: Engine) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": True})
    assert _open(eng, case_id) == ["after"]


def test_a_conditional_catch_waits_until_the_data_makes_it_true(eng: Engine) -> None:
    case_id = eng.start("cond_catch", "rita", {"go": False})
    assert _open(eng, case_id) == []
    eng.set_data(case_id, "admin", {"note": "x"}, "unrelated change")
    assert _open(eng, case_id) == []  # evaluated again, still false
    eng.set_data(case_id, "admin", {"go": True}, "approved at the meeting")
    assert _open(eng, case_id) == ["after"]
    assert eng.check_live_state(case_id) == [] and eng.verify(case_id) == []


@pytest.mark.parametrize("go", [True, False])
def test_an_interrupting_conditional_boundary_cancels_its_activity(eng: Engine, go: bool) -> None:
    case_id = eng.start("cond_stop", "rita", {"go": go})
    if not go:
        assert _open(eng, case_id) == ["work"]
        eng.set_data(case_id, "admin", {"go": True}, "stop the work")
    assert _open(eng, case_id) == ["then"]
    kinds = [e.kind for e in eng.history(case_id, None)]
    assert go or "task_cancelled" in kinds  # reached false, the work task opened and was withdrawn


@pytest.mark.parametrize("go", [True, False])
def test_a_non_interrupting_conditional_boundary_adds_a_path_and_fires_once(eng: Engine, go: bool) -> None:
    case_id = eng.start("cond_note", "rita", {"go": go})
    if not go:
        assert _open(eng, case_id) == ["work"]
        eng.set_data(case_id, "admin", {"go": True}, "note it")
    assert _open(eng, case_id) == ["then", "work"]
    then = next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == "then")
    eng.complete(then, "rita", {})
    assert _open(eng, case_id) == ["work"]  # still true, but it fired once for this activation
    work = next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == "work")
    eng.complete(work, "rita", {})
    assert eng.case(case_id, None).status == "completed"


def test_a_conditional_start_event_of_a_process_is_refused_at_deploy() -> None:
    # One of an event subprocess runs since issue 28 (tests/integration/test_conditional_starts.py).
    body = chain("work|" + user_task("work"), start=f'<bpmn:startEvent id="s">{cond("go")}</bpmn:startEvent>')
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"c.bpmn": process("c", body)})
    assert "element 's'" in str(err.value) and "conditional start events are not supported" in str(err.value)
