"""Models with external service tasks (issue 23), shared by the engine's and the API's external-task tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import chain, flow, process, user_task


def external(ident: str, topic: str, inner: str = "") -> str:
    return (f'{ident}|<bpmn:serviceTask id="{ident}" name="{ident.capitalize()}" camunda:type="external" '
            f'camunda:topic="{topic}">{inner}</bpmn:serviceTask>')


def script(ident: str, code: str) -> str:
    return f'{ident}|<bpmn:scriptTask id="{ident}" scriptFormat="python"><bpmn:script>{code}</bpmn:script>' \
           '</bpmn:scriptTask>'


MODELS = {
    # amount set -> a worker charges it -> rita confirms
    "pay": process("pay", chain(script("prep", "amount = 120"), external("charge", "payments"),
                                "confirm|" + user_task("confirm"))),
    # a worker charges, then a script divides by what it reported
    "pay_divide": process("pay_divide", chain(external("charge", "payments"),
                                              script("share", "share = 100 / divisor"))),
    # one worker task per parcel (multi-instance), then rita confirms
    "parcels": process("parcels", chain(
        script("prep", 'items = ["a", "b", "c"]'),
        external("ship", "shipping", '<bpmn:multiInstanceLoopCharacteristics camunda:collection="items" '
                                     'camunda:elementVariable="item"/>'),
        "confirm|" + user_task("confirm"))),
    # an interrupting boundary timer: after an hour the case stops waiting for the worker
    "pay_or_late": process("pay_or_late", chain(external("charge", "payments")) + (
        '<bpmn:boundaryEvent id="too_late" attachedToRef="charge"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        + flow("late1", "too_late", "late") + '<bpmn:endEvent id="late" name="Late"/>')),
    # charge (a worker) beside sign (rita), joined
    "pay_and_sign": process("pay_and_sign", '<bpmn:startEvent id="s"/>' + flow("f1", "s", "split")
                            + '<bpmn:parallelGateway id="split"/>' + flow("f2", "split", "charge")
                            + flow("f3", "split", "sign") + external("charge", "payments").split("|", 1)[1]
                            + user_task("sign") + flow("f4", "charge", "join") + flow("f5", "sign", "join")
                            + '<bpmn:parallelGateway id="join"/>' + flow("f6", "join", "e")
                            + '<bpmn:endEvent id="e"/>'),
}


def deploy(engine: object, *names: str) -> None:
    engine.deploy_files({f"{n}.bpmn": MODELS[n] for n in names}, actor="system")  # type: ignore[attr-defined]
