"""Issue 28: a link throw continues at the link catch of its name in the same scope; deploy refuses a throw
with no catch, two catches of one name, and a link without a name."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.definitions import load_bundles
from engine.errors import DefinitionInvalid
from engine.service import Engine
from tests.helpers.bpmn_models import flow, process, user_task
from tests.helpers.coverage_support import open_elements, restarted


def throw(ident: str, name: str | None) -> str:
    attr = f' name="{name}"' if name is not None else ""
    return (f'<bpmn:intermediateThrowEvent id="{ident}"><bpmn:linkEventDefinition id="{ident}_d"{attr}/>'
            "</bpmn:intermediateThrowEvent>")


def catch(ident: str, name: str | None) -> str:
    attr = f' name="{name}"' if name is not None else ""
    return (f'<bpmn:intermediateCatchEvent id="{ident}"><bpmn:linkEventDefinition id="{ident}_d"{attr}/>'
            "</bpmn:intermediateCatchEvent>")


def _page(prefix: str, name: str, after: str) -> str:
    """prefix_s -> prefix_work -> throw name ... catch name -> after -> end, inside one scope."""
    return (f'<bpmn:startEvent id="{prefix}_s"/>' + flow(f"{prefix}1", f"{prefix}_s", f"{prefix}_work")
            + user_task(f"{prefix}_work") + flow(f"{prefix}2", f"{prefix}_work", f"{prefix}_go")
            + throw(f"{prefix}_go", name) + catch(f"{prefix}_land", name)
            + flow(f"{prefix}3", f"{prefix}_land", after) + user_task(after)
            + flow(f"{prefix}4", after, f"{prefix}_e") + f'<bpmn:endEvent id="{prefix}_e"/>')


# The subprocess uses the same link name as the process: each scope's throw lands in its own scope.
NESTED = (_page("p", "next", "sub").replace(user_task("sub"), '<bpmn:subProcess id="sub">'
                                                                 + _page("i", "next", "inner") + "</bpmn:subProcess>"))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    engine.deploy_files({"link.bpmn": process("linked", _page("p", "next", "after"))}, "system")
    engine.deploy_files({"nested.bpmn": process("nested_link", NESTED)}, "system")
    return engine


def _complete(eng: Engine, case_id: str, element: str) -> None:
    eng.complete(next(t.id for t in eng.case(case_id, None).open_tasks if t.element_id == element), "rita")


def test_a_link_throw_continues_at_its_catch(eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("linked", "rita")
    with restarted(db_url, clock) as again:
        _complete(again, case_id, "p_work")
        assert open_elements(again, case_id) == ["after"]
    with restarted(db_url, clock) as again:
        _complete(again, case_id, "after")
        view = again.case(case_id, None)
        assert view.status == "completed" and view.end_event == "p_e" and again.verify(case_id) == []


def test_links_stay_in_their_scope(eng: Engine) -> None:
    case_id = eng.start("nested_link", "rita")
    _complete(eng, case_id, "p_work")
    assert open_elements(eng, case_id) == ["i_work"]
    _complete(eng, case_id, "i_work")
    assert open_elements(eng, case_id) == ["inner"]
    _complete(eng, case_id, "inner")
    assert eng.case(case_id, None).status == "completed"


@pytest.mark.parametrize("body, element, words", [
    (_page("p", "next", "after").replace(catch("p_land", "next"), catch("p_land", "elsewhere")), "p_go",
     "no link catch event named 'next'"),
    (_page("p", "next", "after") + catch("p_twice", "next"), "p_twice", "two link catch events are named 'next'"),
    (_page("p", "next", "after").replace(throw("p_go", "next"), throw("p_go", None)), "p_go", "has no name"),
    (NESTED.replace(catch("i_land", "next"), ""), "i_go", "links do not cross subprocess borders"),
])
def test_a_link_without_a_single_target_is_refused(body: str, element: str, words: str) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": process("bad_link", body)})
    assert any(p.element_id == element and words in p.message for p in refused.value.problems), \
        [p.message for p in refused.value.problems]
