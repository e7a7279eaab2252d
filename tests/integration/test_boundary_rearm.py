"""Issue 28: a non-interrupting message or signal boundary event stays armed while its activity runs and
fires each time its event comes (it fired once before); it is disarmed when the activity ends."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.errors import Conflict
from engine.service import Engine
from tests.helpers.boundary_models import boundary_model
from tests.helpers.coverage_support import MESSAGE, SIGNAL, open_elements, restarted


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.add_user("bot", roles=["integration"])
    engine.deploy_files({"msg.bpmn": boundary_model("nudge_msg", MESSAGE),
                         "sig.bpmn": boundary_model("nudge_sig", SIGNAL),
                         "stop.bpmn": boundary_model("nudge_stop", MESSAGE, interrupting=True)}, "system")
    return engine


def _complete(eng: Engine, case_id: str, element: str) -> None:
    eng.complete(next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == element), "rita")


def test_a_non_interrupting_message_boundary_fires_every_time(eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("nudge_msg", "rita")
    for n in (1, 2, 3):
        with restarted(db_url, clock) as again:
            delivery = again.send_message("poke", "bot", case_id=case_id, data={"n": n})
            assert delivery.elements == ("nudge",)
            assert open_elements(again, case_id) == ["answer"] * n + ["work"]
    _complete(eng, case_id, "answer")  # a finished reaction changes nothing for the others
    assert open_elements(eng, case_id) == ["answer", "answer", "work"]
    _complete(eng, case_id, "work")
    with pytest.raises(Conflict):  # the activity ended: its boundary event no longer listens
        eng.send_message("poke", "bot", case_id=case_id)
    assert open_elements(eng, case_id) == ["after", "answer", "answer"]
    for element in ("answer", "answer", "after"):
        _complete(eng, case_id, element)
    view = eng.case(case_id, None)
    assert view.status == "completed" and eng.verify(case_id) == []


def test_a_non_interrupting_signal_boundary_fires_every_time(eng: Engine) -> None:
    case_id = eng.start("nudge_sig", "rita")
    eng.send_signal("halt", "bot")
    eng.send_signal("halt", "bot")
    assert open_elements(eng, case_id) == ["answer", "answer", "work"]


def test_an_interrupting_message_boundary_fires_once_and_ends_the_activity(eng: Engine) -> None:
    case_id = eng.start("nudge_stop", "rita")
    eng.send_message("poke", "bot", case_id=case_id)
    assert open_elements(eng, case_id) == ["answer"]
    with pytest.raises(Conflict):
        eng.send_message("poke", "bot", case_id=case_id)
