"""Models with re-armed boundary events, shared by their tests and the coverage-spec tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import EVENTS


def boundary_model(pid: str, definition: str, interrupting: bool = False) -> bytes:
    cancel = "" if interrupting else ' cancelActivity="false"'
    boundary = (f'<bpmn:boundaryEvent id="nudge" attachedToRef="work"{cancel}>{definition}</bpmn:boundaryEvent>'
                + flow("b1", "nudge", "answer") + user_task("answer") + flow("b2", "answer", "b_end")
                + '<bpmn:endEvent id="b_end"/>')
    return process(pid, chain("work|" + user_task("work"), "after|" + user_task("after")) + boundary, EVENTS)
