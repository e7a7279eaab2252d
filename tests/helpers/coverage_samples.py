"""One small sample model per BPMN feature of issue 28 (and the refusals next to them), shared by the check
that the modeller's Validate and the engine's deploy agree and by the token-simulation browser test.

``SAMPLES``: name -> (file content, whether the engine runs it). Compensation associations are artifacts and
are written after the flow elements of their scope, as the schema wants."""

from __future__ import annotations

from tests.helpers.bpmn_models import ERROR, chain, flow, process, user_task
from tests.helpers.coverage_support import (
    EVENTS,
    MESSAGE,
    SIGNAL,
    error,
    escalation,
    event_subprocess,
    multi,
    script,
)


def _undoable(activity: str, body: str) -> tuple[str, str]:
    """(the activity with its compensation boundary event and script handler, the association)."""
    handler = script(f"undo_{activity}", f"undone = undone + ['{activity}']").replace(
        f'id="undo_{activity}"', f'id="undo_{activity}" name="Fortryd {activity}" isForCompensation="true"', 1)
    return (body + f'<bpmn:boundaryEvent id="cb_{activity}" attachedToRef="{activity}">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>" + handler,
            f'<bpmn:association id="as_{activity}" associationDirection="One" sourceRef="cb_{activity}" '
            f'targetRef="undo_{activity}"/>')


def _throw(ident: str, definition: str, kind: str = "intermediateThrowEvent") -> str:
    return f'<bpmn:{kind} id="{ident}" name="{ident}">{definition}</bpmn:{kind}>'


def _link_throw(ident: str, name: str) -> str:
    return _throw(ident, f'<bpmn:linkEventDefinition name="{name}"/>')


def _link_catch(ident: str, name: str) -> str:
    return _throw(ident, f'<bpmn:linkEventDefinition name="{name}"/>', "intermediateCatchEvent")


COMPENSATE = "<bpmn:compensateEventDefinition/>"


def _ref(activity: str) -> str:
    return f'<bpmn:compensateEventDefinition activityRef="{activity}"/>'
_BOOK, _BOOK_LINK = _undoable("book", script("book", "booked = True"))
_PAY, _PAY_LINK = _undoable("pay", user_task("pay"))

# Event subprocess (non-interrupting message start) + link pair + compensation: the token-simulation model.
SIMULATION = process("sim_coverage", chain(
    "init|" + script("init", "undone = []").replace('id="init"', 'id="init" name="Forbered"', 1),
    "book|" + _BOOK.replace('id="book"', 'id="book" name="Book"', 1), "jump|" + _link_throw("jump", "videre"),
    start='<bpmn:startEvent id="s" name="Start"/>', end="")
    .replace(flow("c_end", "jump", "e"), "")
    + _link_catch("land", "videre") + flow("l1", "land", "pay") + _PAY + flow("l2", "pay", "undo")
    # activityRef on each throw: bpmn-js-token-simulation 0.39 runs no handler for a throw without one
    + _throw("undo", _ref("pay")) + flow("l3", "undo", "undo2") + _throw("undo2", _ref("book"))
    + flow("l4", "undo2", "e") + '<bpmn:endEvent id="e" name="Slut"/>'
    + event_subprocess("note", MESSAGE, interrupting=False) + _BOOK_LINK + _PAY_LINK, EVENTS)

_SUB_ERROR = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_s"/>' + flow("i1", "sub_s", "boom")
              + '<bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'
              + "{handlers}</bpmn:subProcess>")
SAMPLES: dict[str, tuple[bytes, bool]] = {
    "sim_coverage": (SIMULATION, True),
    "esp_error": (process("esp_error", chain("sub|" + _SUB_ERROR.format(
        handlers=event_subprocess("h", error("err")))), ERROR), True),
    "esp_escalation": (process("esp_escalation", chain(
        "up|" + _throw("up", escalation("x_late")), "after|" + user_task("after"))
        + event_subprocess("h", escalation("x_late"), interrupting=False), EVENTS), True),
    "esp_signal_timer": (process("esp_signal_timer", chain("w|" + user_task("w"))
                                 + event_subprocess("h", SIGNAL), EVENTS), True),
    "uncaught_error": (process("uncaught_error", chain("sub|" + _SUB_ERROR.format(handlers="")), ERROR), True),
    "signal_end": (process("signal_end", chain("w|" + user_task("w"),
                                               end=f'<bpmn:endEvent id="e">{SIGNAL}</bpmn:endEvent>'), EVENTS), True),
    "mi_done": (process("mi_done", chain("init|" + script("init", "items = [1, 2, 3]"), "calc|" + script(
        "calc", "item = item * 10", multi("<bpmn:completionCondition>item == 20</bpmn:completionCondition>",
                                          collection="items", element="item")))), True),
    "compensation_nested": (process("compensation_nested", chain(
        "init|" + script("init", "undone = []"),
        "sub|" + '<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_s"/>' + flow("i1", "sub_s", "book")
        + _BOOK + flow("i2", "book", "sub_e") + '<bpmn:endEvent id="sub_e"/>' + _BOOK_LINK + "</bpmn:subProcess>",
        "undo|" + _throw("undo", COMPENSATE))), True),
    # refused, by the engine and by Validate alike
    "link_without_catch": (process("link_without_catch", chain("jump|" + _link_throw("jump", "nowhere"), end="")
                                   .replace(flow("c_end", "jump", "e"), "")), False),
    "link_two_catches": (process("link_two_catches", chain("jump|" + _link_throw("jump", "x"), end="").replace(
        flow("c_end", "jump", "e"), "") + _link_catch("a", "x") + flow("a1", "a", "e") + _link_catch("b", "x")
        + flow("b1", "b", "e") + '<bpmn:endEvent id="e"/>'), False),
    "error_start_not_interrupting": (process("error_start_not_interrupting", chain("w|" + user_task("w"))
                                             + event_subprocess("h", error("err"), interrupting=False), ERROR), False),
    "compensation_start": (process("compensation_start", chain("w|" + user_task("w"))
                                   + event_subprocess("h", COMPENSATE)), False),
    "compensation_bad_ref": (process("compensation_bad_ref", chain(
        "w|" + user_task("w"), "undo|" + _throw("undo", '<bpmn:compensateEventDefinition activityRef="w"/>'))),
        False),
}
