"""Issue 12: `timers run --now T` with T exactly a timer's due instant fires it (it used to report the case
as moved and fire nothing: SpiffWorkflow fires only strictly after the instant)."""

from __future__ import annotations

from datetime import timedelta

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.bpmn_models import chain, process, user_task

WAIT = ('wait|<bpmn:intermediateCatchEvent id="wait" name="An hour"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
CYCLE = ('<bpmn:boundaryEvent id="tick" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition>'
         '<bpmn:timeCycle>"R/PT1H"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
         '<bpmn:sequenceFlow id="t1" sourceRef="tick" targetRef="note"/>'
         '<bpmn:userTask id="note" name="note" camunda:assignee="rita"/>'
         '<bpmn:sequenceFlow id="t2" sourceRef="note" targetRef="note_end"/><bpmn:endEvent id="note_end"/>')


def test_a_timer_fires_at_exactly_its_due_instant(engine: Engine, clock: FixedClock) -> None:
    engine.add_user("rita")
    engine.deploy_files({"p.bpmn": process("wait_hour", chain(WAIT, "after|" + user_task("after")))}, "system")
    t0 = clock.now()
    case_id = engine.start("wait_hour", "rita")
    assert engine.case(case_id, None).next_timer_at.replace(tzinfo=t0.tzinfo) == t0 + timedelta(hours=1)
    assert engine.fire_timers(t0 + timedelta(hours=1) - timedelta(microseconds=1)) == 0
    assert engine.fire_timers(t0 + timedelta(hours=1)) == 1
    assert [t.element_id for t in engine.case(case_id, None).open_tasks] == ["after"]
    assert [e.kind for e in engine.history(case_id, None)].count("timer_fired") == 1


def test_a_cycle_fires_at_each_occurrence_instant_once(engine: Engine, clock: FixedClock) -> None:
    engine.add_user("rita")
    engine.deploy_files({"p.bpmn": process("cycle_hour", chain("work|" + user_task("work")) + CYCLE)}, "system")
    t0 = clock.now()
    case_id = engine.start("cycle_hour", "rita")
    assert engine.fire_timers(t0 + timedelta(hours=1)) == 1
    assert engine.fire_timers(t0 + timedelta(hours=1)) == 0  # the same instant again: nothing more is due
    assert engine.fire_timers(t0 + timedelta(hours=2)) == 1
    notes = [t for t in engine.case(case_id, None).open_tasks if t.element_id == "note"]
    assert len(notes) == 2
