"""Issue 28: a signal end event broadcasts its signal like an intermediate signal throw: to the waiting
elements of its own case and of every other case, and it starts the processes it starts, in one command."""

from __future__ import annotations

import pytest

from engine.service import Engine
from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import EVENTS, SIGNAL, event_subprocess, kinds, open_elements

THROWER = process("thrower", chain("work|" + user_task("work"), end=f'<bpmn:endEvent id="e">{SIGNAL}</bpmn:endEvent>'),
                  EVENTS)
WAITER = process("waiter", chain(f'wait|<bpmn:intermediateCatchEvent id="wait">{SIGNAL}</bpmn:intermediateCatchEvent>',
                                 "after|" + user_task("after")), EVENTS)
STARTED = process("started", chain("greet|" + user_task("greet"), start=f'<bpmn:startEvent id="s">{SIGNAL}'
                                   "</bpmn:startEvent>"), EVENTS)
# A signal end inside a subprocess; the process listens for it with a non-interrupting event subprocess.
INNER = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>' + flow("g1", "ss", "se")
         + f'<bpmn:endEvent id="se">{SIGNAL}</bpmn:endEvent></bpmn:subProcess>')
SELF = process("self_heard", chain("work|" + user_task("work"), "sub|" + INNER, "after|" + user_task("after"))
               + event_subprocess("heard", SIGNAL, interrupting=False), EVENTS)


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    for name, content in (("thrower", THROWER), ("waiter", WAITER), ("started", STARTED), ("self", SELF)):
        engine.deploy_files({f"{name}.bpmn": content}, "system")
    return engine


def test_a_signal_end_event_reaches_other_cases_and_starts_processes(eng: Engine) -> None:
    waiting = eng.start("waiter", "rita")
    thrower = eng.start("thrower", "rita")
    assert eng.tasks_for("rita") and open_elements(eng, waiting) == []
    eng.complete(eng.case(thrower, None).open_tasks[0].id, "rita")
    view = eng.case(thrower, None)
    assert view.status == "completed" and view.end_event == "e" and "signal_thrown" in kinds(eng, thrower)
    assert open_elements(eng, waiting) == ["after"]
    assert "signal_received" in kinds(eng, waiting)
    assert [t.element_id for t in eng.tasks_for("rita")].count("greet") == 1  # a case of "started" began


def test_a_signal_end_event_is_heard_in_its_own_case(eng: Engine) -> None:
    case_id = eng.start("self_heard", "rita")
    eng.complete(eng.case(case_id, None).open_tasks[0].id, "rita")
    assert open_elements(eng, case_id) == ["after", "heard_task"]
