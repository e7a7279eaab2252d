"""Models with message and signal catches, shared by the engine's and the CLI's messaging tests."""

from __future__ import annotations

from tests.helpers.bpmn_models import chain, flow, user_task

MESSAGES = ('<bpmn:message id="m_doc" name="document_arrived"/><bpmn:message id="m_order" name="order_placed"/>'
            '<bpmn:message id="m_withdraw" name="withdrawn"/><bpmn:message id="m_pay" name="paid"/>'
            '<bpmn:message id="m_answer" name="answer"/><bpmn:signal id="s_freeze" name="freeze"/>')


def catch(ident: str, definition: str) -> str:
    return f'{ident}|<bpmn:intermediateCatchEvent id="{ident}">{definition}</bpmn:intermediateCatchEvent>'


MSG_DOC = '<bpmn:messageEventDefinition messageRef="m_doc"/>'


SIG_FREEZE = '<bpmn:signalEventDefinition signalRef="s_freeze"/>'


MODELS = {
    # start -> wait for the document -> review -> end
    "wait_doc": chain(catch("doc_in", MSG_DOC), "review|" + user_task("review")),
    # started by a message
    "order": chain("handle|" + user_task("handle"), start='<bpmn:startEvent id="s">'
                   '<bpmn:messageEventDefinition messageRef="m_order"/></bpmn:startEvent>'),
    # an interrupting boundary message on a user task
    "withdrawable": chain("work|" + user_task("work")) + (
        '<bpmn:boundaryEvent id="on_withdraw" attachedToRef="work"><bpmn:messageEventDefinition '
        'messageRef="m_withdraw"/></bpmn:boundaryEvent>' + flow("w1", "on_withdraw", "gone")
        + '<bpmn:endEvent id="gone" name="Withdrawn"/>'),
    # a receive task
    "payment": chain('pay|<bpmn:receiveTask id="pay" name="Wait for payment" messageRef="m_pay"/>',
                     "ship|" + user_task("ship")),
    # an event-based gateway: the answer, or a reminder after a day
    "answer_or_remind": ('<bpmn:startEvent id="s"/>' + flow("f1", "s", "gw") + '<bpmn:eventBasedGateway id="gw"/>'
                         + flow("f2", "gw", "got") + flow("f3", "gw", "late")
                         + '<bpmn:intermediateCatchEvent id="got"><bpmn:messageEventDefinition messageRef="m_answer"/>'
                         '</bpmn:intermediateCatchEvent><bpmn:intermediateCatchEvent id="late">'
                         '<bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration>'
                         '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
                         + flow("f4", "got", "read") + user_task("read") + flow("f5", "read", "e1")
                         + flow("f6", "late", "remind") + user_task("remind") + flow("f7", "remind", "e2")
                         + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'),
    # waits for the signal
    "freezable": chain(catch("frozen", SIG_FREEZE), "thaw|" + user_task("thaw")),
    # started by the signal
    "on_freeze": chain("report|" + user_task("report"),
                       start=f'<bpmn:startEvent id="s">{SIG_FREEZE}</bpmn:startEvent>'),
    # throws the signal from inside a process
    "announcer": chain(f'shout|<bpmn:intermediateThrowEvent id="shout">{SIG_FREEZE}</bpmn:intermediateThrowEvent>'),
}
