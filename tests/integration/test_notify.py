"""Issue 13: notifications written with their event, sent after commit to a real SMTP server, exactly once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from engine.clock import FixedClock
from engine.config import load_settings
from engine.errors import Forbidden, InvalidInput
from engine.notify.sender import RECLAIMED, claim
from engine.service import Engine
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.support import PROCESSES, REQUEST


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _people(eng: Engine) -> Engine:
    eng.deploy_paths([PROCESSES / "review.bpmn", PROCESSES / "duties.bpmn"], actor="system")
    eng.add_user("rita", display_name="Rita Requester", email="rita@example.org")
    eng.add_user("ralf", display_name="Ralf", groups=["reviewers"], email="ralf@example.org")
    eng.add_user("rosa", display_name="Rosa", groups=["reviewers"], email="rosa@example.org")
    eng.add_user("audrey", groups=["reviewers"], roles=["auditor"], email="audrey@example.org")
    return eng


@pytest.fixture
def mailing(db_url: str, clock: FixedClock, smtp: SmtpServer) -> Iterator[Engine]:
    settings = dataclasses.replace(load_settings(), smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
                                   base_url="https://turnus.example", mail_retry_seconds=60, mail_max_attempts=3)
    eng = Engine.create(db_url, clock=clock, settings=settings)
    yield _people(eng)
    eng.close()


@pytest.fixture
def logged(db_url: str, clock: FixedClock) -> Iterator[Engine]:
    eng = Engine.create(db_url, clock=clock, settings=dataclasses.replace(load_settings(), smtp_host=None))
    yield _people(eng)
    eng.close()


def test_a_new_group_task_mails_each_member_once_with_a_link_to_the_task(mailing: Engine, smtp: SmtpServer) -> None:
    case_id = mailing.start("review", "rita", REQUEST)
    task_id = mailing.case(case_id, None).open_tasks[0].id
    assert smtp.received == []  # nothing is sent inside the command
    assert mailing.send_outbox().sent == 2
    got = sorted((r.to[0], r.subject) for r in smtp.received)
    # The auditor is a member of the group but has a read-only role: never told.
    assert got == [("ralf@example.org", "Ny opgave til din gruppe: Review request"),
                   ("rosa@example.org", "Ny opgave til din gruppe: Review request")]
    assert all(f"https://turnus.example/tasks/{task_id}" in r.body for r in smtp.received)
    assert mailing.send_outbox().sent == 0 and len(smtp.received) == 2


def test_handing_a_task_to_a_colleague_mails_them_in_their_language(mailing: Engine, smtp: SmtpServer) -> None:
    case_id = mailing.start("review", "rita", REQUEST)
    task_id = mailing.case(case_id, None).open_tasks[0].id
    mailing.send_outbox()
    mailing.set_notification_settings("rosa", "en", {})
    mailing.claim(task_id, "ralf")
    mailing.assign(task_id, "ralf", "rosa")
    assert mailing.send_outbox().sent == 1
    last = smtp.received[-1]
    assert (last.to, last.subject) == (["rosa@example.org"], "Task for you: Review request")
    assert last.body.startswith("Hello Rosa") and f"/tasks/{task_id}" in last.body


def test_a_mail_is_sent_exactly_once_after_the_server_was_down(mailing: Engine, smtp: SmtpServer,
                                                               clock: FixedClock) -> None:
    smtp.stop()
    mailing.start("review", "rita", REQUEST)
    report = mailing.send_outbox()
    assert (report.sent, report.retrying) == (0, 2)
    smtp.start()
    assert mailing.send_outbox().sent == 0  # the back-off has not passed yet
    clock.advance(seconds=61)
    assert mailing.send_outbox().sent == 2
    clock.advance(days=1)
    assert mailing.send_outbox().sent == 0
    ids = [r.message_id for r in smtp.received]
    assert len(ids) == 2 and len(set(ids)) == 2
    rows = {r["id"]: r for r in mailing.outbox_rows()}
    assert {f"<{i}@turnus.outbox>" for i in rows} == set(ids)
    assert {(r["status"], r["attempts"]) for r in rows.values()} == {("sent", 2)}


def test_a_mail_is_given_up_after_the_last_attempt_and_shown_to_administrators(mailing: Engine, smtp: SmtpServer,
                                                                               clock: FixedClock) -> None:
    mailing.add_user("admin", roles=["admin"])
    smtp.stop()
    mailing.start("review", "rita", REQUEST)
    for _ in range(3):
        mailing.send_outbox()
        clock.advance(hours=1)
    assert mailing.send_outbox().sent == 0
    failed = mailing.undeliverable("admin")
    assert sorted(m.recipient for m in failed) == ["ralf", "rosa"] and all(m.attempts == 3 for m in failed)
    assert "ConnectionRefusedError" in (failed[0].last_error or "")
    with pytest.raises(Forbidden, match="Only an administrator"):
        mailing.undeliverable("ralf")


def test_a_claim_abandoned_by_a_dead_sender_is_sent_again_with_the_same_message_id(
        mailing: Engine, smtp: SmtpServer, clock: FixedClock) -> None:
    mailing.start("review", "rita", REQUEST)
    with mailing.db.begin() as conn:  # a sender claims, then dies before recording the outcome
        claimed = claim(conn, clock.now(), mailing.settings)
    assert len(claimed) == 2
    assert mailing.send_outbox().sent == 0  # still held by the dead sender's claim
    clock.advance(seconds=mailing.settings.mail_claim_seconds + 1)
    assert mailing.send_outbox().sent == 2
    assert sorted(r.message_id for r in smtp.received) == sorted(f"<{p.id}@turnus.outbox>" for p in claimed)
    assert {r["last_error"] for r in mailing.outbox_rows()} == {RECLAIMED}


NEXT_STEPS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_steps" targetNamespace="urn:turnus:test">
  <bpmn:process id="steps" name="Timers and what follows them" isExecutable="true">
    <bpmn:startEvent id="start" camunda:initiator="requester"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait" name="One hour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="work"/>
    <bpmn:userTask id="work" name="Work" camunda:assignee="${requester}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="done"/>
    <bpmn:endEvent id="done"/>
    <bpmn:boundaryEvent id="daily" attachedToRef="work" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="daily" targetRef="count"/>
    <bpmn:scriptTask id="count" scriptFormat="python"><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="count" targetRef="remind"/>
    <bpmn:userTask id="remind" name="Remember the work" camunda:assignee="${requester}"/>
    <bpmn:sequenceFlow id="f6" sourceRef="remind" targetRef="reminded"/>
    <bpmn:endEvent id="reminded"/>
    <bpmn:boundaryEvent id="lapsed" attachedToRef="work" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f7" sourceRef="lapsed" targetRef="take_over"/>
    <bpmn:userTask id="take_over" name="Take over" camunda:candidateGroups="reviewers"/>
    <bpmn:sequenceFlow id="f8" sourceRef="take_over" targetRef="taken"/>
    <bpmn:endEvent id="taken"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_only_a_task_from_a_timer_on_a_waiting_task_is_mailed_as_a_reminder(
        mailing: Engine, smtp: SmtpServer, clock: FixedClock) -> None:
    mailing.deploy_files({"steps.bpmn": NEXT_STEPS}, actor="system")
    mailing.start("steps", "rita", {})

    def mails_after(**step: int) -> list[tuple[str, str]]:
        clock.advance(**step)
        assert mailing.fire_due() == 1
        mailing.send_outbox()
        got = sorted((r.to[0], r.subject) for r in smtp.received)
        smtp.received.clear()
        return got

    # After an intermediate timer the next task is simply the requester's next task.
    assert mails_after(hours=1, seconds=1) == [("rita@example.org", "Opgave til dig: Work")]
    # A non-interrupting timer on the waiting task (here through a script task) creates a reminder.
    assert mails_after(days=1) == [("rita@example.org", "Rykker: Remember the work")]
    # An interrupting timer ends the waiting task: what follows is a new task for the group, not a reminder.
    assert mails_after(days=2) == [("ralf@example.org", "Ny opgave til din gruppe: Take over"),
                                   ("rosa@example.org", "Ny opgave til din gruppe: Take over")]


def test_an_overdue_task_mails_once_and_a_finished_case_mails_its_starter(mailing: Engine, smtp: SmtpServer,
                                                                          clock: FixedClock) -> None:
    case_id = mailing.start("review", "rita", REQUEST)
    task_id = mailing.case(case_id, None).open_tasks[0].id
    mailing.send_outbox()
    assert mailing.sweep_overdue() == 0
    clock.advance(days=2, seconds=1)  # due P2D
    assert mailing.sweep_overdue() == 2
    assert mailing.sweep_overdue() == 0
    mailing.send_outbox()
    assert sorted(r.subject for r in smtp.received[2:]) == ["Overskredet frist: Review request"] * 2
    mailing.claim(task_id, "ralf")
    mailing.complete(task_id, "ralf", {"decision": "reject"})
    mailing.send_outbox()
    assert [(r.to, r.subject) for r in smtp.received[4:]] == [(["rita@example.org"],
                                                               "Din sag er afsluttet: New chairs")]


def test_kinds_switched_off_are_not_sent_and_digests_come_once_a_day(mailing: Engine, smtp: SmtpServer,
                                                                     clock: FixedClock) -> None:
    mailing.set_notification_settings("ralf", "da", {"task_offered": "off"})
    mailing.set_notification_settings("rosa", "en", {"task_offered": "digest"})
    clock.set(clock.now().replace(hour=3))  # 04:00 in Copenhagen: before the digest hour
    mailing.start("review", "rita", REQUEST)
    mailing.start("review", "rita", {**REQUEST, "title": "New desks"})
    assert mailing.send_outbox().sent == 0
    assert mailing.make_digests() == 0
    clock.set(clock.now().replace(hour=7))  # 08:00 in Copenhagen
    assert mailing.make_digests() == 1 and mailing.make_digests() == 0
    mailing.send_outbox()
    [digest] = smtp.received
    assert (digest.to, digest.subject) == (["rosa@example.org"], "Your daily summary from Turnus (2)")
    assert "New chairs" in digest.body and "New desks" in digest.body
    clock.advance(days=1)
    assert mailing.make_digests() == 0


def test_without_smtp_mails_are_kept_for_their_recipient_only(logged: Engine) -> None:
    logged.start("review", "rita", REQUEST)
    logged.send_outbox()
    [mail] = logged.mailbox("ralf")
    assert mail.subject == "Ny opgave til din gruppe: Review request" and "/tasks/" in (mail.body or "")
    assert logged.mail(mail.id, "ralf") == mail
    with pytest.raises(Forbidden, match="someone else"):
        logged.mail(mail.id, "rosa")
    assert logged.mailbox("rita") == []


def test_settings_refuse_an_unknown_language_kind_or_mode(logged: Engine) -> None:
    with pytest.raises(InvalidInput, match="da or en"):
        logged.set_notification_settings("ralf", "de", {})
    with pytest.raises(InvalidInput, match="no notification kind"):
        logged.set_notification_settings("ralf", "da", {"gossip": "now"})
    with pytest.raises(InvalidInput, match="now, digest, off"):
        logged.set_notification_settings("ralf", "da", {"overdue": "weekly"})
    logged.set_notification_settings("ralf", "en", {"overdue": "digest"})
    got = logged.notification_settings("ralf")
    assert got.language == "en" and got.modes["overdue"] == "digest" and got.modes["reminder"] == "now"


def test_outbox_rows_roll_back_with_their_command(logged: Engine) -> None:
    logged.start("review", "rita", REQUEST)
    before = len(logged.outbox_rows())
    with pytest.raises(InvalidInput):
        logged.start("review", "rita", {"title": "x"})  # refused: nothing of it is written
    assert len(logged.outbox_rows()) == before == 2
