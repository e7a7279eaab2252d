"""Models with error and escalation scopes, shared by their tests and the coverage-spec tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import field, flow, process, user_task
from tests.helpers.coverage_support import (
    EVENTS,
    error,
    escalation,
    event_subprocess,
)

OUTCOME = field("outcome")


def error_scope(inner_handlers: str = "") -> str:
    """A subprocess: a parallel split into ``side`` and ``work``; ``work``'s outcome decides: late / gone throw
    that error, esc throws escalation LATE and goes on to ``more``, anything else ends normally."""
    def end(ident: str, definition: str = "") -> str:
        return f'<bpmn:endEvent id="{ident}">{definition}</bpmn:endEvent>'

    return ('<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_s"/>' + flow("i0", "sub_s", "pg")
            + '<bpmn:parallelGateway id="pg"/>' + flow("i1", "pg", "side") + user_task("side")
            + flow("i2", "side", "side_end") + end("side_end") + flow("i3", "pg", "work")
            + user_task("work", fields=OUTCOME) + flow("i4", "work", "gw")
            + '<bpmn:exclusiveGateway id="gw" default="i_ok"/>'
            + flow("i_late", "gw", "end_late", 'outcome == "late"') + end("end_late", error("e_late"))
            + flow("i_gone", "gw", "end_gone", 'outcome == "gone"') + end("end_gone", error("e_gone"))
            + flow("i_esc", "gw", "esc", 'outcome == "esc"')
            + f'<bpmn:intermediateThrowEvent id="esc">{escalation("x_late")}</bpmn:intermediateThrowEvent>'
            + flow("i5", "esc", "more") + user_task("more") + flow("i6", "more", "ok_end") + end("ok_end")
            + flow("i_ok", "gw", "ok_end") + inner_handlers + "</bpmn:subProcess>")


def error_model(pid: str, inner: str = "", outer: str = "", boundary: str = "") -> bytes:
    body = ('<bpmn:startEvent id="s"/>' + flow("o1", "s", "sub") + error_scope(inner) + flow("o2", "sub", "after")
            + user_task("after") + flow("o3", "after", "e") + '<bpmn:endEvent id="e"/>' + outer)
    if boundary:
        body += boundary + flow("o4", "b", "rescue") + user_task("rescue") + flow("o5", "rescue", "e2") \
            + '<bpmn:endEvent id="e2"/>'
    return process(pid, body, EVENTS)


def error_boundary(definition: str, interrupting: bool = True) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return f'<bpmn:boundaryEvent id="b" attachedToRef="sub"{cancel}>{definition}</bpmn:boundaryEvent>'


MODELS = {
    # code before catch-all, in the subprocess's own handlers
    "by_code": error_model("by_code", event_subprocess("h_late", error("e_late"))
                      + event_subprocess("h_any", error())),
    # the innermost scope first: the subprocess's handler, not the boundary event on it
    "inner_first": error_model("inner_first", event_subprocess("h_late", error("e_late")),
                          boundary=error_boundary(error("e_late"))),
    # nothing inside catches GONE: the boundary event on the subprocess does
    "to_boundary": error_model("to_boundary", event_subprocess("h_late", error("e_late")),
                          boundary=error_boundary(error())),
    # a handler that throws again reaches the process's handler, not itself or its siblings
    "rethrow": error_model("rethrow", event_subprocess("h_late", error("e_late"), inner=(
        flow("r1", "h_late_start", "h_late_end") + f'<bpmn:endEvent id="h_late_end">{error("e_gone")}</bpmn:endEvent>'))
        + event_subprocess("h_any", error()), outer=event_subprocess("top", error("e_gone"))),
    # escalations: caught by a non-interrupting handler beside the work, or by nobody at all
    "esc_note": error_model("esc_note", event_subprocess("h_esc", escalation("x_late"), interrupting=False)),
    "esc_stop": error_model("esc_stop", event_subprocess("h_esc", escalation())),
    "esc_none": error_model("esc_none", event_subprocess("h_other", escalation("x_other"))),
    "esc_boundary": error_model("esc_boundary", boundary=error_boundary(escalation("x_late"), interrupting=False)),
}
