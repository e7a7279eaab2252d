"""Models with conditional events, shared by the conditional-event and set-data tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import chain, field, flow, user_task


def cond(expr: str) -> str:
    return (f"<bpmn:conditionalEventDefinition><bpmn:condition>{expr}</bpmn:condition>"
            "</bpmn:conditionalEventDefinition>")


START = ('<bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>' + field("go", "boolean")
         + "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>")


def conditional_boundary(ident: str, interrupting: bool) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return (f'<bpmn:boundaryEvent id="{ident}" attachedToRef="work"{cancel}>{cond("go")}</bpmn:boundaryEvent>'
            + flow("b1", ident, "then") + user_task("then") + flow("b2", "then", "e2") + '<bpmn:endEvent id="e2"/>')


MODELS = {
    "cond_catch": chain('wait|<bpmn:intermediateCatchEvent id="wait">' + cond("go")
                        + "</bpmn:intermediateCatchEvent>", "after|" + user_task("after"), start=START),
    "cond_stop": chain("work|" + user_task("work"), start=START) + conditional_boundary("stop", True),
    "cond_note": chain("work|" + user_task("work"), start=START) + conditional_boundary("note", False),
}
