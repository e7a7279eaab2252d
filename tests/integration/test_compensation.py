"""Issue 28: a compensation throw runs the handlers of the completed activities of its scope in reverse order
of completion, each once, and waits for them; with activityRef only that activity's; a multi-instance
activity compensates each completed instance; deploy refuses a compensation boundary with no handler."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import chain
from tests.helpers.compensation_models import BOOK, INIT, MODELS, comp_process, compensation_throw
from tests.helpers.coverage_support import open_elements, restarted, script


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    for pid, body in MODELS.items():
        engine.deploy_files({f"{pid}.bpmn": comp_process(pid, body)}, "system")
    return engine


def _complete(eng: Engine, case_id: str, element: str) -> None:
    eng.complete(next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == element), "rita")


def _undone(eng: Engine, case_id: str) -> list[str]:
    return eng.case(case_id, None).data["undone"]


def test_a_throw_runs_the_handlers_in_reverse_order_of_completion(eng: Engine) -> None:
    case_id = eng.start("comp_all", "rita")
    _complete(eng, case_id, "pay")
    assert open_elements(eng, case_id) == ["after"]
    assert _undone(eng, case_id) == ["pay", "book"]  # pay completed last: undone first


def test_an_activity_ref_compensates_only_that_activity(eng: Engine) -> None:
    case_id = eng.start("comp_ref", "rita")
    _complete(eng, case_id, "pay")
    assert _undone(eng, case_id) == ["book"]


def test_each_activity_is_compensated_once(eng: Engine) -> None:
    case_id = eng.start("comp_twice", "rita")
    _complete(eng, case_id, "pay")
    assert _undone(eng, case_id) == ["pay", "book"]  # the second throw finds nothing left to undo


def test_a_compensation_end_event_ends_the_case_after_its_handlers(eng: Engine) -> None:
    case_id = eng.start("comp_end", "rita")
    _complete(eng, case_id, "pay")
    view = eng.case(case_id, None)
    assert view.status == "completed" and view.end_event == "e" and view.data["undone"] == ["pay", "book"]


def test_the_throw_waits_for_a_human_handler_across_a_restart(eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("comp_human", "rita")
    assert open_elements(eng, case_id) == ["undo_book"]  # the flow waits at the throw
    with restarted(db_url, clock) as again:
        _complete(again, case_id, "undo_book")
        assert open_elements(again, case_id) == ["after"]
        assert again.verify(case_id) == []


def test_each_instance_of_a_multi_instance_activity_compensates(eng: Engine) -> None:
    case_id = eng.start("comp_multi", "rita")
    assert _undone(eng, case_id) == ["each", "each", "each"]


def test_a_throw_compensates_only_its_own_scope(eng: Engine) -> None:
    case_id = eng.start("comp_scope", "rita")
    assert open_elements(eng, case_id) == ["after"]
    assert _undone(eng, case_id) == ["pay"]  # book is outside the subprocess that threw


def test_a_compensation_boundary_without_a_handler_is_refused() -> None:
    body = chain(INIT, "book|" + script("book", "x = 1") + '<bpmn:boundaryEvent id="cb" attachedToRef="book">'
                 "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>", "undo|" + compensation_throw())
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": comp_process("no_handler", body)})
    assert any(p.element_id == "cb" and "linked to no compensation handler" in p.message
               for p in refused.value.problems)


def test_an_activity_ref_without_a_handler_is_refused() -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": comp_process("bad_ref", chain(INIT, BOOK, "undo|" + compensation_throw("init")))})
    assert any(p.element_id == "undo" and "activityRef 'init'" in p.message for p in refused.value.problems)
