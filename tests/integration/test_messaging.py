"""Issue 12: messages (by case id or business key; start, intermediate catch, boundary, receive task,
event-based gateway with a timer) and signals (broadcast, signal start, a throw reaching other cases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.service import Engine
from engine.store.tables import event_subscriptions
from tests.helpers.bpmn_models import process
from tests.helpers.messaging_models import MESSAGES, MODELS


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("bot", roles=["integration"])
    engine.add_user("audrey", roles=["auditor"])
    engine.deploy_files({f"{key}.bpmn": process(key, body, MESSAGES) for key, body in MODELS.items()}, "system")
    return engine


def _open(eng: Engine, case_id: str) -> list[str]:
    return [t.element_id for t in eng.case(case_id, None).open_tasks]


def _kinds(eng: Engine, case_id: str) -> list[str]:
    return [e.kind for e in eng.history(case_id, None)]


def test_a_message_by_business_key_reaches_the_waiting_case_with_its_data(eng: Engine) -> None:
    case_id = eng.start("wait_doc", "rita", business_key="J-2027-17")
    other = eng.start("wait_doc", "rita", business_key="J-2027-18")
    found = eng.send_message("document_arrived", "bot", business_key="J-2027-17", data={"doc_ref": "A-1"})
    assert found.case_id == case_id and found.elements == ("doc_in",) and not found.started
    assert _open(eng, case_id) == ["review"] and _open(eng, other) == []
    assert eng.case(case_id, None).data["doc_ref"] == "A-1"
    received = [e for e in eng.history(case_id, None) if e.kind == "message_received"]
    assert received[0].actor == "bot" and received[0].payload["data"] == {"doc_ref": "A-1"}
    with pytest.raises(NotFound, match="waits for message 'document_arrived'"):
        eng.send_message("document_arrived", "bot", business_key="J-2027-17")  # it no longer waits
    assert eng.verify(case_id) == []


def test_a_message_by_case_id_and_the_refusals(eng: Engine) -> None:
    case_id = eng.start("wait_doc", "rita")
    with pytest.raises(Forbidden, match="admin or integration"):
        eng.send_message("document_arrived", "audrey", case_id=case_id)
    with pytest.raises(Forbidden):
        eng.send_message("document_arrived", "rita", case_id=case_id)
    with pytest.raises(Conflict, match="not waiting for message 'paid'"):
        eng.send_message("paid", "bot", case_id=case_id)
    with pytest.raises(InvalidInput, match="not a variable name"):
        eng.send_message("document_arrived", "bot", case_id=case_id, data={"__class__": 1})
    with pytest.raises(InvalidInput, match="say which with --case"):
        eng.send_message("document_arrived", "bot")
    with pytest.raises(NotFound):
        eng.send_message("no_such_message", "bot")
    assert _kinds(eng, case_id).count("message_received") == 0  # the refusals changed nothing
    eng.send_message("document_arrived", "bot", case_id=case_id)
    assert _open(eng, case_id) == ["review"]
    with eng.db.connect() as conn:  # the wait is gone from the subscriptions the next message reads
        assert conn.execute(select(event_subscriptions).where(event_subscriptions.c.case_id == case_id)).all() == []


def test_a_message_start_event_starts_a_case_with_the_business_key(eng: Engine) -> None:
    found = eng.send_message("order_placed", "bot", business_key="O-7", data={"amount": 5})
    assert found.started
    view = eng.case(found.case_id, None)
    assert view.started_by == "bot" and view.data["amount"] == 5 and _open(eng, found.case_id) == ["handle"]


def test_a_boundary_message_interrupts_the_task(eng: Engine) -> None:
    case_id = eng.start("withdrawable", "rita")
    assert _open(eng, case_id) == ["work"]
    eng.send_message("withdrawn", "bot", case_id=case_id, data={"reason": "moved away"})
    view = eng.case(case_id, None)
    assert view.status == "completed" and view.end_event == "gone" and view.open_tasks == []
    assert "task_cancelled" in _kinds(eng, case_id)


def test_a_receive_task_waits_for_its_message(eng: Engine) -> None:
    case_id = eng.start("payment", "rita")
    assert _open(eng, case_id) == []
    eng.send_message("paid", "bot", case_id=case_id, data={"paid_amount": 120})
    assert _open(eng, case_id) == ["ship"] and eng.case(case_id, None).data["paid_amount"] == 120


def test_an_event_based_gateway_takes_the_message(eng: Engine) -> None:
    case_id = eng.start("answer_or_remind", "rita")
    eng.send_message("answer", "bot", case_id=case_id, data={"answer": "yes"})
    assert _open(eng, case_id) == ["read"]
    assert eng.case(case_id, None).next_timer_at is None  # the timer lost the race


def test_an_event_based_gateway_takes_the_timer_and_then_refuses_the_message(eng: Engine, clock: FixedClock) -> None:
    t0 = clock.now()
    case_id = eng.start("answer_or_remind", "rita")
    assert eng.case(case_id, None).next_timer_at.replace(tzinfo=t0.tzinfo) == t0 + timedelta(days=1)
    assert eng.fire_timers(t0 + timedelta(days=1)) == 1
    assert _open(eng, case_id) == ["remind"]
    with pytest.raises(Conflict, match="not waiting"):
        eng.send_message("answer", "bot", case_id=case_id)


def test_a_signal_reaches_every_waiting_case_and_starts_its_processes(eng: Engine) -> None:
    first, second = eng.start("freezable", "rita"), eng.start("freezable", "rita")
    unrelated = eng.start("wait_doc", "rita")
    results = eng.send_signal("freeze", "bot", data={"frozen_by": "storm"})
    reached = {r.case_id for r in results if not r.started}
    [started] = [r.case_id for r in results if r.started]
    assert reached == {first, second}
    assert _open(eng, first) == ["thaw"] and eng.case(first, None).data["frozen_by"] == "storm"
    assert _open(eng, started) == ["report"] and _open(eng, unrelated) == []
    with pytest.raises(Forbidden):
        eng.send_signal("freeze", "audrey")


def test_a_signal_thrown_inside_a_process_reaches_the_other_cases(eng: Engine) -> None:
    waiting = eng.start("freezable", "rita")
    announcer = eng.start("announcer", "rita")
    assert eng.case(announcer, None).status == "completed"
    assert _open(eng, waiting) == ["thaw"]
    assert "signal_thrown" in _kinds(eng, announcer)
    [received] = [e for e in eng.history(waiting, None) if e.kind == "signal_received"]
    assert received.payload["from_case"] == announcer
    [started] = [c for c in eng.cases_for("rita") if c.key == "on_freeze"]  # the signal start, too
    assert eng.case(started.id, None).started_by == "system"
