"""Models with compensation handlers and throws, shared by the compensation and coverage-spec tests."""

from __future__ import annotations

import re

from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import multi, script


def undoable(activity: str, body: str, handler: str | None = None) -> str:
    """``body`` (the activity) plus its compensation boundary event and a script handler appending to undone."""
    handler = handler or script(f"undo_{activity}", f"undone = undone + ['{activity}']")
    handler = handler.replace(f'id="undo_{activity}"', f'id="undo_{activity}" isForCompensation="true"', 1)
    return (body + f'<bpmn:boundaryEvent id="cb_{activity}" attachedToRef="{activity}">'
            "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>" + handler
            + f'<bpmn:association id="as_{activity}" associationDirection="One" sourceRef="cb_{activity}" '
            f'targetRef="undo_{activity}"/>')


def compensation_throw(ref: str | None = None) -> str:
    attr = f' activityRef="{ref}"' if ref else ""
    return (f'<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition{attr}/>'
            "</bpmn:intermediateThrowEvent>")


INIT = "init|" + script("init", "undone = []")


BOOK = "book|" + undoable("book", script("book", "booked = True"))


PAY = "pay|" + undoable("pay", user_task("pay"))


MODELS = {
    "comp_all": chain(INIT, BOOK, PAY, "undo|" + compensation_throw(), "after|" + user_task("after")),
    "comp_ref": chain(INIT, BOOK, PAY, "undo|" + compensation_throw("book"), "after|" + user_task("after")),
    "comp_twice": chain(INIT, BOOK, PAY, "undo|" + compensation_throw(),
                        "undo2|" + compensation_throw().replace('id="undo"', 'id="undo2"'),
                        "after|" + user_task("after")),
    "comp_end": chain(INIT, BOOK, PAY, end='<bpmn:endEvent id="e"><bpmn:compensateEventDefinition/></bpmn:endEvent>'),
    "comp_human": chain(INIT, BOOK, "undo|" + compensation_throw(), "after|" + user_task("after")).replace(
        script("undo_book", "undone = undone + ['book']").replace('id="undo_book"',
                                                                   'id="undo_book" isForCompensation="true"', 1),
        user_task("undo_book").replace('id="undo_book"', 'id="undo_book" isForCompensation="true"', 1)),
    "comp_multi": chain(INIT, "items|" + script("items", "items = [1, 2, 3]"),
                        "each|" + undoable("each", script("each", "item = item * 2",
                                                           multi(collection="items", element="item"))),
                        "undo|" + compensation_throw(), "after|" + user_task("after")),
    # a throw inside a subprocess compensates the subprocess's activities, not the process's
    "comp_scope": chain(INIT, BOOK, "sub|" + '<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
                        + flow("sf1", "ss", "pay") + undoable("pay", script("pay", "paid = True"))
                        + flow("sf2", "pay", "undo") + compensation_throw() + flow("sf3", "undo", "se")
                        + '<bpmn:endEvent id="se"/></bpmn:subProcess>', "after|" + user_task("after")),
}


def comp_process(pid: str, body: str) -> bytes:
    """Associations are artifacts: the schema wants them after the flow elements."""
    links = re.findall(r"<bpmn:association [^>]*/>", body)
    return process(pid, re.sub(r"<bpmn:association [^>]*/>", "", body) + "".join(links))
