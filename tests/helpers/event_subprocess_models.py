"""Models with event subprocesses, shared by their tests and the coverage-spec tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import chain, flow, process, user_task
from tests.helpers.coverage_support import (
    EVENTS,
    MESSAGE,
    event_subprocess,
)


def esp_model(pid: str, start: str, interrupting: bool) -> bytes:
    return process(pid, chain("work|" + user_task("work")) + event_subprocess("esp", start, interrupting), EVENTS)


def esp_nested(pid: str, interrupting: bool) -> bytes:
    inner = (flow("n1", "sub_s", "inner") + user_task("inner") + flow("n2", "inner", "sub_e")
             + '<bpmn:endEvent id="sub_e"/>' + event_subprocess("esp", MESSAGE, interrupting))
    sub = f'<bpmn:subProcess id="sub"><bpmn:startEvent id="sub_s"/>{inner}</bpmn:subProcess>'
    return process(pid, chain("before|" + user_task("before"), "sub|" + sub, "after|" + user_task("after")), EVENTS)
