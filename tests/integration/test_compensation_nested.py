"""Issue 28: a compensation throw reaches into a subprocess that has completed: the handlers of the activities
completed inside it run, in reverse order of completion with the rest of the scope, each once (BPMN 2.0
§10.7.2, Camunda 7); a subprocess with a compensation handler of its own runs that one instead; each instance
of a multi-instance subprocess compensates; a human handler inside waits across a restart."""

from __future__ import annotations

import re

import pytest

from engine.clock import FixedClock
from engine.definitions import load_bundles
from engine.service import Engine
from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import multi, open_elements, restarted, script


def _undoable(activity: str, body: str, handler: str | None = None) -> str:
    handler = handler or script(f"undo_{activity}", f"undone = undone + ['{activity}']")
    handler = handler.replace(f'id="undo_{activity}"', f'id="undo_{activity}" isForCompensation="true"', 1)
    return (body + f'<bpmn:boundaryEvent id="cb_{activity}" attachedToRef="{activity}">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>" + handler
            + f'<bpmn:association id="as_{activity}" associationDirection="One" sourceRef="cb_{activity}" '
            f'targetRef="undo_{activity}"/>')


def _throw(ident: str = "undo", ref: str | None = None) -> str:
    attr = f' activityRef="{ref}"' if ref else ""
    return (f'<bpmn:intermediateThrowEvent id="{ident}"><bpmn:compensateEventDefinition{attr}/>'
            "</bpmn:intermediateThrowEvent>")


def _sub(inner: str, loop: str = "", ident: str = "sub") -> str:
    return (f'<bpmn:subProcess id="{ident}">{loop}<bpmn:startEvent id="{ident}_s"/>' + inner
            + f'<bpmn:endEvent id="{ident}_e"/></bpmn:subProcess>')


INIT = "init|" + script("init", "undone = []")
BOOK = "book|" + _undoable("book", script("book", "booked = True"))
INNER = (flow("i1", "sub_s", "a1") + _undoable("a1", script("a1", "one = True")) + flow("i2", "a1", "a2")
         + _undoable("a2", script("a2", "two = True")) + flow("i3", "a2", "sub_e"))
HUMAN = (flow("i1", "sub_s", "a1") + _undoable("a1", script("a1", "one = True"),
                                               user_task("undo_a1")) + flow("i2", "a1", "sub_e"))
EACH = flow("i1", "sub_s", "a1") + _undoable("a1", script("a1", "one = item")) + flow("i2", "a1", "sub_e")
AFTER = "after|" + user_task("after")
MODELS = {
    "nest_all": chain(INIT, BOOK, "sub|" + _sub(INNER), "undo|" + _throw(), AFTER),
    "nest_ref": chain(INIT, BOOK, "sub|" + _sub(INNER), "undo|" + _throw(ref="sub"), AFTER),
    "nest_twice": chain(INIT, "sub|" + _sub(INNER), "undo|" + _throw(), "undo2|" + _throw("undo2"), AFTER),
    "nest_own": chain(INIT, BOOK, "sub|" + _undoable("sub", _sub(INNER)), "undo|" + _throw(), AFTER),
    "nest_multi": chain(INIT, "items|" + script("items", "items = [1, 2, 3]"),
                        "sub|" + _sub(EACH, multi(collection="items", element="item")), "undo|" + _throw(), AFTER),
    "nest_human": chain(INIT, "sub|" + _sub(HUMAN), "undo|" + _throw(), AFTER),
    "nest_deep": chain(INIT, "sub|" + _sub(flow("d1", "sub_s", "a0") + _undoable("a0", script("a0", "z = 0"))
                                           + flow("d2", "a0", "deep") + _sub(INNER.replace("sub_", "deep_"),
                                                                             ident="deep")
                                           + flow("d3", "deep", "sub_e")), "undo|" + _throw(), AFTER),
}


def _process(pid: str, body: str) -> bytes:
    """Associations are artifacts: the schema wants them after the flow elements of their scope."""
    def move(scope: re.Match[str]) -> str:
        text = scope.group(0)
        links = re.findall(r"<bpmn:association [^>]*/>", text)
        return re.sub(r"<bpmn:association [^>]*/>", "", text).replace("</bpmn:subProcess>",
                                                                       "".join(links) + "</bpmn:subProcess>")
    body = re.sub(r"<bpmn:subProcess .*?</bpmn:subProcess>", move, body, flags=re.S)
    inner_free = re.sub(r"<bpmn:subProcess .*?</bpmn:subProcess>", "", body, flags=re.S)
    outer = re.findall(r"<bpmn:association [^>]*/>", inner_free)
    for link in outer:
        body = body.replace(link, "", 1)
    return process(pid, body + "".join(outer))


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.add_user("rita")
    for pid, body in MODELS.items():
        engine.deploy_files({f"{pid}.bpmn": _process(pid, body)}, "system")
    return engine


def _undone(eng: Engine, case_id: str) -> list[str]:
    return eng.case(case_id, None).data["undone"]


def test_the_activities_inside_a_completed_subprocess_compensate_in_reverse_order(eng: Engine) -> None:
    case_id = eng.start("nest_all", "rita")
    assert open_elements(eng, case_id) == ["after"]
    assert _undone(eng, case_id) == ["a2", "a1", "book"]


def test_two_levels_down_compensate_too(eng: Engine) -> None:
    case_id = eng.start("nest_deep", "rita")
    assert _undone(eng, case_id) == ["a2", "a1", "a0"]


def test_an_activity_ref_naming_the_subprocess_compensates_inside_it(eng: Engine) -> None:
    case_id = eng.start("nest_ref", "rita")
    assert _undone(eng, case_id) == ["a2", "a1"]


def test_each_inner_activity_compensates_once(eng: Engine) -> None:
    case_id = eng.start("nest_twice", "rita")
    assert open_elements(eng, case_id) == ["after"] and _undone(eng, case_id) == ["a2", "a1"]


def test_a_subprocess_with_its_own_handler_runs_that_one(eng: Engine) -> None:
    case_id = eng.start("nest_own", "rita")
    assert _undone(eng, case_id) == ["sub", "book"]


def test_each_instance_of_a_multi_instance_subprocess_compensates(eng: Engine) -> None:
    case_id = eng.start("nest_multi", "rita")
    assert open_elements(eng, case_id) == ["after"] and _undone(eng, case_id) == ["a1", "a1", "a1"]


def test_a_human_handler_inside_waits_across_a_restart(eng: Engine, db_url: str, clock: FixedClock) -> None:
    case_id = eng.start("nest_human", "rita")
    assert open_elements(eng, case_id) == ["undo_a1"]
    with restarted(db_url, clock) as again:
        [task] = again.case(case_id, None).open_tasks
        again.complete(task.id, "rita")
        assert open_elements(again, case_id) == ["after"] and again.verify(case_id) == []
    with restarted(db_url, clock) as again:
        again.complete(again.case(case_id, None).open_tasks[0].id, "rita")
        assert again.case(case_id, None).status == "completed"


def test_an_activity_ref_to_a_subprocess_with_nothing_to_undo_is_refused() -> None:
    plain = _sub(flow("i1", "sub_s", "a1") + script("a1", "x = 1") + flow("i2", "a1", "sub_e"))
    from engine.errors import DefinitionInvalid

    with pytest.raises(DefinitionInvalid) as refused:
        load_bundles({"p.bpmn": _process("bad", chain(INIT, "sub|" + plain, "undo|" + _throw(ref="sub")))})
    assert any(p.element_id == "undo" and "activityRef 'sub'" in p.message for p in refused.value.problems)


def test_the_nested_maps_round_trip_through_the_serializer(eng: Engine) -> None:
    import json

    from engine.runtime.compensation import CompensationEventDefinition
    from engine.runtime.specconfig import REGISTRY

    with eng.db.connect() as conn:
        stored = json.loads(eng.versions.latest(conn, "nest_deep").spec_json)
    spec = REGISTRY.restore(json.loads(json.dumps(stored["spec"])))  # restore mutates its input
    assert REGISTRY.convert(spec) == stored["spec"]
    definition = spec.task_specs["undo"].event_definition
    assert isinstance(definition, CompensationEventDefinition)
    assert definition.nested == {"sub": {"a0": "undo_a0", "a1": "undo_a1", "a2": "undo_a2"},
                                 "deep": {"a1": "undo_a1", "a2": "undo_a2"}}
    assert {"undo_a0", "undo_a1", "undo_a2"} <= set(spec.task_specs)  # parsed into the throw's scope
