"""Issue 28: event subprocesses with message, signal and timer starts are armed while their scope runs;
an interrupting one cancels the rest of its scope, a non-interrupting one runs beside it, as often as its
event comes; a scope that is done disarms them. Cases are restarted between commands where it matters."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.errors import Conflict
from engine.service import Engine
from tests.helpers.coverage_support import (
    HOUR,
    MESSAGE,
    SIGNAL,
    kinds,
    open_elements,
    restarted,
)
from tests.helpers.event_subprocess_models import esp_model, esp_nested


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("bot", roles=["integration"])
    files = {f"{pid}.bpmn": esp_model(pid, start, i) for pid, start, i in (
        ("msg_stop", MESSAGE, True), ("msg_note", MESSAGE, False), ("sig_stop", SIGNAL, True),
        ("sig_note", SIGNAL, False), ("tim_stop", HOUR, True), ("tim_note", HOUR, False))}
    files |= {"nested_stop.bpmn": esp_nested("nested_stop", True), "nested_note.bpmn": esp_nested("nested_note", False)}
    for name, content in files.items():  # one deploy each: subprocess ids are unique per deploy
        engine.deploy_files({name: content}, "system")
    return engine


def _complete(eng: Engine, case_id: str, element: str) -> None:
    task = next(t for t in eng.case(case_id, None).open_tasks if t.element_id == element)
    eng.complete(task.id, "rita")


def test_an_interrupting_message_start_cancels_the_scope_and_the_case_ends_with_the_handler(eng: Engine) -> None:
    case_id = eng.start("msg_stop", "rita")
    delivery = eng.send_message("poke", "bot", case_id=case_id, data={"why": "withdrawn"})
    assert delivery.elements == ("esp_start",)
    assert open_elements(eng, case_id) == ["esp_task"]
    assert "task_cancelled" in kinds(eng, case_id)
    with pytest.raises(Conflict):  # interrupted: nothing in the scope listens any more
        eng.send_message("poke", "bot", case_id=case_id)
    _complete(eng, case_id, "esp_task")
    view = eng.case(case_id, None)
    assert view.status == "completed" and view.data["why"] == "withdrawn"
    assert eng.verify(case_id) == []


def test_a_non_interrupting_message_start_fires_each_time_beside_the_work(
        eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("msg_note", "rita")
    for n in (1, 2):
        with restarted(db_url, clock) as again:  # each delivery on a freshly loaded case
            again.send_message("poke", "bot", case_id=case_id, data={"n": n})
            assert open_elements(again, case_id) == ["esp_task"] * n + ["work"]
    with restarted(db_url, clock) as again:
        _complete(again, case_id, "work")
        assert again.case(case_id, None).status == "running"  # the handlers still run
        _complete(again, case_id, "esp_task")
        _complete(again, case_id, "esp_task")
        assert again.case(case_id, None).status == "completed"
        assert again.verify(case_id) == []


def test_a_scope_done_without_the_event_disarms_its_event_subprocesses(eng: Engine) -> None:
    for pid in ("msg_note", "msg_stop", "tim_note"):
        case_id = eng.start(pid, "rita")
        _complete(eng, case_id, "work")
        view = eng.case(case_id, None)
        assert view.status == "completed" and view.end_event == "e" and view.next_timer_at is None
        with pytest.raises(Conflict):
            eng.send_message("poke", "bot", case_id=case_id)


@pytest.mark.parametrize("interrupting", [True, False])
def test_a_signal_start_reaches_the_event_subprocess(eng: Engine, interrupting: bool) -> None:
    case_id = eng.start("sig_stop" if interrupting else "sig_note", "rita")
    eng.send_signal("halt", "bot", data={})
    assert open_elements(eng, case_id) == (["esp_task"] if interrupting else ["esp_task", "work"])


@pytest.mark.parametrize("interrupting", [True, False])
def test_a_timer_start_fires_once_due_and_interrupts_only_when_it_should(
        eng: Engine, clock: FixedClock, db_url: str, interrupting: bool) -> None:
    case_id = eng.start("tim_stop" if interrupting else "tim_note", "rita")
    clock.advance(minutes=59)
    assert eng.fire_timers() == 0
    clock.advance(minutes=1)
    with restarted(db_url, clock) as again:
        assert again.fire_timers() == 1
        assert open_elements(again, case_id) == (["esp_task"] if interrupting else ["esp_task", "work"])
        clock.advance(hours=2)
        assert again.fire_timers() == 0  # a duration fires once
        for element in open_elements(again, case_id):
            _complete(again, case_id, element)
        assert again.case(case_id, None).status == "completed"


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_event_subprocess_in_a_subprocess_listens_only_while_the_subprocess_runs(
        eng: Engine, interrupting: bool) -> None:
    pid = "nested_stop" if interrupting else "nested_note"
    case_id = eng.start(pid, "rita")
    with pytest.raises(Conflict):  # the subprocess has not started yet
        eng.send_message("poke", "bot", case_id=case_id)
    _complete(eng, case_id, "before")
    eng.send_message("poke", "bot", case_id=case_id)
    assert open_elements(eng, case_id) == (["esp_task"] if interrupting else ["esp_task", "inner"])
    if not interrupting:
        _complete(eng, case_id, "inner")
        assert open_elements(eng, case_id) == ["esp_task"]  # the subprocess waits for its handler
    _complete(eng, case_id, "esp_task")
    assert open_elements(eng, case_id) == ["after"]  # the subprocess ended; the flow goes on
    with pytest.raises(Conflict):
        eng.send_message("poke", "bot", case_id=case_id)
    _complete(eng, case_id, "after")
    assert eng.case(case_id, None).status == "completed"
