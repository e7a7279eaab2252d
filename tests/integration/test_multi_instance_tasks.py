"""Issue 28: multi-instance script tasks and call activities deploy and run (sequential and parallel,
cardinality and collection, completion condition); a case survives a restart between instances."""

from __future__ import annotations

import pytest

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.bpmn_models import chain, field, process, user_task
from tests.helpers.coverage_support import multi, open_elements, restarted, script

ITEMS = "init|" + script("init", "items = [1, 2, 3]")
AFTER = "after|" + user_task("after")
CALLEE = process("callee", chain("w|" + user_task("w", fields=field("res", "long"))))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    return engine


@pytest.mark.parametrize("sequential", [False, True])
def test_a_script_task_runs_once_per_cardinality(eng: Engine, sequential: bool) -> None:
    loop = multi("<bpmn:loopCardinality>3</bpmn:loopCardinality>", sequential=sequential)
    body = chain("calc|" + script("calc", "x = 1", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_card", body)}, "system")  # refused before: "not JSON serializable"
    case_id = eng.start("mi_card", "rita")
    assert open_elements(eng, case_id) == ["after"]
    runs = [e for e in eng.history(case_id, None) if e.kind == "script_run" and e.element_id == "calc"]
    assert len(runs) == 3


@pytest.mark.parametrize("sequential", [False, True])
def test_a_script_task_over_a_collection_writes_each_item_back(eng: Engine, sequential: bool) -> None:
    loop = multi(sequential=sequential, collection="items", element="item")
    body = chain(ITEMS, "calc|" + script("calc", "item = item * 10", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_coll", body)}, "system")
    case_id = eng.start("mi_coll", "rita")
    assert eng.case(case_id, None).data["items"] == [10, 20, 30]


def test_a_sequential_completion_condition_stops_the_remaining_instances(eng: Engine) -> None:
    loop = multi("<bpmn:completionCondition>item == 20</bpmn:completionCondition>", sequential=True,
                 collection="items", element="item")
    body = chain(ITEMS, "calc|" + script("calc", "item = item * 10", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_done", body)}, "system")
    case_id = eng.start("mi_done", "rita")
    assert eng.case(case_id, None).data["items"] == [10, 20, 3]  # the third never ran


def test_a_failing_instance_refuses_the_start_naming_the_task(eng: Engine) -> None:
    loop = multi(collection="items", element="item")
    body = chain(ITEMS, "calc|" + script("calc", "item = 10 // (item - 2)", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_fail", body)}, "system")
    with pytest.raises(IncidentRaised) as raised:
        eng.start("mi_fail", "rita")
    assert raised.value.info.element_id == "calc" and "ZeroDivisionError" in raised.value.info.message


@pytest.mark.parametrize("sequential", [False, True])
def test_a_call_activity_per_item_survives_a_restart_between_instances(
        eng: Engine, db_url: str, clock: FixedClock, sequential: bool) -> None:
    loop = multi(sequential=sequential, collection="items", element="item")
    body = chain(ITEMS, f'call|<bpmn:callActivity id="call" calledElement="callee">{loop}</bpmn:callActivity>',
                 AFTER)
    eng.deploy_files({"caller.bpmn": process("mi_call", body), "callee.bpmn": CALLEE}, "system")
    case_id = eng.start("mi_call", "rita")
    assert open_elements(eng, case_id) == (["w"] if sequential else ["w", "w", "w"])
    for left in (2, 1, 0):
        with restarted(db_url, clock) as again:
            task = again.case(case_id, None).open_tasks[0]
            again.complete(task.id, "rita", {"res": left})
            expected = ["after"] if left == 0 else (["w"] if sequential else ["w"] * left)
            assert open_elements(again, case_id) == expected
    with restarted(db_url, clock) as again:
        view = again.case(case_id, None)
        assert view.data["items"] == [1, 2, 3] and again.verify(case_id) == []
        again.complete(view.open_tasks[0].id, "rita")
        assert again.case(case_id, None).status == "completed"
