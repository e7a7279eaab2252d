"""Issue 28: a multi-instance activity's completionCondition is evaluated each time an instance completes;
once it holds, the instances still running are cancelled (their tasks withdrawn) and the flow goes on.
Parallel and sequential, cardinality and collection, for user tasks, script tasks and call activities; the
engine is restarted (state saved and restored, no spec cached) between every step."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.bpmn_models import chain, field, process, user_task
from tests.helpers.coverage_support import multi, open_elements, restarted, script

ITEMS = "init|" + script("init", "items = [1, 2, 3, 4]")
AFTER = "after|" + user_task("after")
RES = field("res", "long")
DONE = "<bpmn:completionCondition>res &gt;= 10</bpmn:completionCondition>"
CALLEE = process("callee", chain("w|" + user_task("w", fields=RES)))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    return engine


def _loop(sequential: bool, collection: bool) -> str:
    if collection:
        return multi(DONE, sequential=sequential, collection="items", element="item")
    return multi("<bpmn:loopCardinality>4</bpmn:loopCardinality>" + DONE, sequential=sequential)


def _activity(kind: str, loop: str) -> str:
    if kind == "user":
        return f'work|<bpmn:userTask id="work" name="work" camunda:assignee="rita">' \
               f"<bpmn:extensionElements><camunda:formData>{RES}</camunda:formData></bpmn:extensionElements>" \
               f"{loop}</bpmn:userTask>"
    return f'work|<bpmn:callActivity id="work" calledElement="callee">{loop}</bpmn:callActivity>'


def _complete_one(db_url: str, clock: FixedClock, case_id: str, res: int) -> list[str]:
    """In a freshly started engine: complete the first open instance with ``res``; the open elements after."""
    with restarted(db_url, clock) as again:
        task = next(t for t in again.case(case_id, None).open_tasks if t.element_id in ("work", "w"))
        again.complete(task.id, "rita", {"res": res})
        return open_elements(again, case_id)


@pytest.mark.parametrize("collection", [False, True], ids=["cardinality", "collection"])
@pytest.mark.parametrize("kind", ["user", "call"])
def test_parallel_instances_stop_once_the_condition_holds(eng: Engine, db_url: str, clock: FixedClock,
                                                          kind: str, collection: bool) -> None:
    body = chain(ITEMS, _activity(kind, _loop(False, collection)), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_par", body), "callee.bpmn": CALLEE}, "system")
    case_id = eng.start("mi_par", "rita")
    inner = "work" if kind == "user" else "w"
    assert open_elements(eng, case_id) == [inner] * 4
    assert _complete_one(db_url, clock, case_id, 1) == [inner] * 3  # the condition is false: the rest go on
    assert _complete_one(db_url, clock, case_id, 12) == ["after"]  # true: the two still open are cancelled
    with restarted(db_url, clock) as again:
        history = again.history(case_id, None)
        cancelled = [e for e in history if e.kind == "task_cancelled" and e.element_id == inner]
        assert len(cancelled) == 2
        assert again.verify(case_id) == []
        again.complete(again.case(case_id, None).open_tasks[0].id, "rita")
        assert again.case(case_id, None).status == "completed"


@pytest.mark.parametrize("collection", [False, True], ids=["cardinality", "collection"])
@pytest.mark.parametrize("kind", ["user", "call"])
def test_sequential_instances_stop_once_the_condition_holds(eng: Engine, db_url: str, clock: FixedClock,
                                                            kind: str, collection: bool) -> None:
    body = chain(ITEMS, _activity(kind, _loop(True, collection)), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_seq", body), "callee.bpmn": CALLEE}, "system")
    case_id = eng.start("mi_seq", "rita")
    inner = "work" if kind == "user" else "w"
    assert open_elements(eng, case_id) == [inner]
    assert _complete_one(db_url, clock, case_id, 1) == [inner]
    assert _complete_one(db_url, clock, case_id, 10) == ["after"]  # the third and fourth never start
    with restarted(db_url, clock) as again:
        created = [e for e in again.history(case_id, None) if e.kind == "task_created"
                   and e.element_id == inner]
        assert len(created) == 2


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_script_instances_stop_at_the_first_that_makes_it_true(eng: Engine, sequential: bool) -> None:
    loop = multi("<bpmn:completionCondition>item == 20</bpmn:completionCondition>", sequential=sequential,
                 collection="items", element="item")
    body = chain(ITEMS, "calc|" + script("calc", "item = item * 10", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_script", body)}, "system")
    case_id = eng.start("mi_script", "rita")
    assert eng.case(case_id, None).data["items"] == [10, 20, 3, 4]
    runs = [e for e in eng.history(case_id, None) if e.kind == "script_run" and e.element_id == "calc"]
    assert len(runs) == 2


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_cardinality_scripts_stop_too(eng: Engine, sequential: bool) -> None:
    loop = multi("<bpmn:loopCardinality>5</bpmn:loopCardinality>"
                 "<bpmn:completionCondition>done</bpmn:completionCondition>", sequential=sequential)
    body = chain("calc|" + script("calc", "done = True", loop), AFTER)
    eng.deploy_files({"mi.bpmn": process("mi_card_done", body)}, "system")
    case_id = eng.start("mi_card_done", "rita")
    runs = [e for e in eng.history(case_id, None) if e.kind == "script_run" and e.element_id == "calc"]
    assert open_elements(eng, case_id) == ["after"] and len(runs) == 1
