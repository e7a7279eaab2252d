"""Issue 28: a compensation throw runs the handlers of the completed activities of its scope in reverse order
of completion, each once, and waits for them; with activityRef only that activity's; a multi-instance
activity compensates each completed instance; deploy refuses a compensation boundary with no handler."""

from __future__ import annotations

import re

import pytest

from engine.clock import FixedClock
from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import multi, open_elements, restarted, script


def _undoable(activity: str, body: str, handler: str | None = None) -> str:
    """``body`` (the activity) plus its compensation boundary event and a script handler appending to undone."""
    handler = handler or script(f"undo_{activity}", f"undone = undone + ['{activity}']")
    handler = handler.replace(f'id="undo_{activity}"', f'id="undo_{activity}" isForCompensation="true"', 1)
    return (body + f'<bpmn:boundaryEvent id="cb_{activity}" attachedToRef="{activity}">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>" + handler
            + f'<bpmn:association id="as_{activity}" associationDirection="One" sourceRef="cb_{activity}" '
            f'targetRef="undo_{activity}"/>')


def _throw(ref: str | None = None) -> str:
    attr = f' activityRef="{ref}"' if ref else ""
    return (f'<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition{attr}/>'
            "</bpmn:intermediateThrowEvent>")


INIT = "init|" + script("init", "undone = []")
BOOK = "book|" + _undoable("book", script("book", "booked = True"))
PAY = "pay|" + _undoable("pay", user_task("pay"))
MODELS = {
    "comp_all": chain(INIT, BOOK, PAY, "undo|" + _throw(), "after|" + user_task("after")),
    "comp_ref": chain(INIT, BOOK, PAY, "undo|" + _throw("book"), "after|" + user_task("after")),
    "comp_twice": chain(INIT, BOOK, PAY, "undo|" + _throw(), "undo2|" + _throw().replace('id="undo"', 'id="undo2"'),
                        "after|" + user_task("after")),
    "comp_end": chain(INIT, BOOK, PAY, end='<bpmn:endEvent id="e"><bpmn:compensateEventDefinition/></bpmn:endEvent>'),
    "comp_human": chain(INIT, BOOK, "undo|" + _throw(), "after|" + user_task("after")).replace(
        script("undo_book", "undone = undone + ['book']").replace('id="undo_book"',
                                                                   'id="undo_book" isForCompensation="true"', 1),
        user_task("undo_book").replace('id="undo_book"', 'id="undo_book" isForCompensation="true"', 1)),
    "comp_multi": chain(INIT, "items|" + script("items", "items = [1, 2, 3]"),
                        "each|" + _undoable("each", script("each", "item = item * 2",
                                                           multi(collection="items", element="item"))),
                        "undo|" + _throw(), "after|" + user_task("after")),
    # a throw inside a subprocess compensates the subprocess's activities, not the process's
    "comp_scope": chain(INIT, BOOK, "sub|" + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
                        + flow("sf1", "ss", "pay") + _undoable("pay", script("pay", "paid = True"))
                        + flow("sf2", "pay", "undo") + _throw() + flow("sf3", "undo", "se")
                        + '<bpmn:endEvent id="se"/></bpmn:subProcess>', "after|" + user_task("after")),
}


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    for pid, body in MODELS.items():
        engine.deploy_files({f"{pid}.bpmn": _process(pid, body)}, "system")
    return engine


def _process(pid: str, body: str) -> bytes:
    """Associations are artifacts: the schema wants them after the flow elements."""
    links = re.findall(r"<bpmn:association [^>]*/>", body)
    return process(pid, re.sub(r"<bpmn:association [^>]*/>", "", body) + "".join(links))


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
                 "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>", "undo|" + _throw())
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": _process("no_handler", body)})
    assert any(p.element_id == "cb" and "linked to no compensation handler" in p.message
               for p in refused.value.problems)


def test_an_activity_ref_without_a_handler_is_refused() -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": _process("bad_ref", chain(INIT, BOOK, "undo|" + _throw("init")))})
    assert any(p.element_id == "undo" and "activityRef 'init'" in p.message for p in refused.value.problems)
