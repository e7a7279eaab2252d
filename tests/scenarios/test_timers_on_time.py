"""Every timer of the rotation, one case each, on a fixed clock: nothing a second before the due instant, the
participant's task (and its mail: a reminder only from a timer on a task that goes on waiting) at it.
A timer due at T fires at T.

Timers of the model (processes/netvaerksturnus.bpmn) and their tests here:
- fortnightly reminders (R/P14D) and their 7-day lapse (P7D) on the theme review, the agreement negotiation
  and the deliverable review: test_theme_review_reminder…, test_agreement_reminder…, test_deliverable_reminder…
- the start date (wait_for_start): test_start_date…
- fortnightly progress notes (progress_note_due) and their 14-day lapse: test_progress_note…
- the decision point 14 days before the end date (decision_point_reached): test_decision_point…
- the end date while waiting, deciding, awaiting approval or an early-return answer (wait_for_end_date,
  extension_decision_lapsed, extension_approval_lapsed, early_return_lapsed): test_end_date_…
- the follow-up three months after the return date (wait_for_follow_up): test_follow_up…
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.helpers.rotation import DRAFT, EMPLOYEE, LEADER, MANAGER, SECRETARY, Rotation, at

SECOND = timedelta(seconds=1)


def _mailbox(rotation: Rotation, user: str) -> list[Any]:
    """What ``user`` finds on /mail once the outbox is sent (no SMTP host set: mails are kept there)."""
    rotation.engine.send_outbox()
    return rotation.engine.mailbox(user)


def reminder_mails(rotation: Rotation, user: str) -> list[str]:
    """Subjects of the reminder mails ``user`` has."""
    return sorted(m.subject or "" for m in _mailbox(rotation, user) if m.kind == "reminder")


def mails_about(rotation: Rotation, user: str, task_name: str) -> list[str]:
    """Subjects of every mail ``user`` has about a task of this name, whatever its kind."""
    return [m.subject for m in _mailbox(rotation, user) if (m.subject or "").endswith(f": {task_name}")]


def just_before(rotation: Rotation, due: str) -> list[str]:
    rotation.at((at(due) - SECOND).isoformat())
    return rotation.open()


def on_time(rotation: Rotation, due: str) -> list[str]:
    rotation.at(due)
    return rotation.open()


def reminder_cycle_and_lapse(rotation: Rotation, waiting: list[str], reminder: str, first: str) -> None:
    """A fortnightly reminder for the secretariat at ``first``, withdrawn 7 days later if nobody acts."""
    assert rotation.view().next_timer_at == at(first)
    assert just_before(rotation, first) == waiting
    assert reminder_mails(rotation, SECRETARY) == []
    assert on_time(rotation, first) == sorted([*waiting, reminder])
    [task] = rotation.tasks(reminder)
    assert task.candidate_groups == ("netvaerkssekretariat",)
    assert reminder_mails(rotation, SECRETARY) == [f"Rykker: {task.name}"]
    lapse = (at(first) + timedelta(days=7)).isoformat()
    assert just_before(rotation, lapse) == sorted([*waiting, reminder])
    assert on_time(rotation, lapse) == waiting
    assert task.id in {e.task_id for e in rotation.history("task_cancelled")}
    assert reminder_mails(rotation, SECRETARY) == [f"Rykker: {task.name}"]  # a lapse sends nothing


def test_theme_review_reminder_every_14_days_lapses_after_7(rotation: Rotation) -> None:
    # the case started on 4 January 2027 at 09:00 (CET)
    reminder_cycle_and_lapse(rotation, ["qualify_theme"], "remind_theme_review", "2027-01-18T09:00+01:00")


def test_agreement_reminder_every_14_days_lapses_after_7(rotation: Rotation) -> None:
    rotation.at("2027-01-05T10:00+01:00")
    rotation.theme_approved()  # the negotiation starts now
    reminder_cycle_and_lapse(rotation, ["draft_agreement"], "remind_agreement", "2027-01-19T10:00+01:00")


def test_deliverable_reminder_every_14_days_lapses_after_7(rotation: Rotation) -> None:
    rotation.theme_approved().agreement_approved()
    rotation.at("2027-03-01T08:00+01:00")
    rotation.do("report_early_end", early_end_kind="deliverable_ready", early_end_date="2027-03-02")
    assert rotation.open() == ["hand_in_deliverable"]  # the deliverable review started at 08:00
    reminder_cycle_and_lapse(rotation, ["hand_in_deliverable"], "remind_deliverable", "2027-03-15T08:00+01:00")


def test_start_date_opens_the_period_at_08_00(rotation: Rotation) -> None:
    rotation.theme_approved().agreement_approved()
    assert just_before(rotation, "2027-03-01T08:00+01:00") == []
    assert on_time(rotation, "2027-03-01T08:00+01:00") == ["report_early_end"]
    [task] = rotation.tasks("report_early_end")
    assert task.assignee == EMPLOYEE
    # the start date opens the period: a new task for the employee, not a reminder of an older one
    assert mails_about(rotation, EMPLOYEE, task.name) == [f"Opgave til dig: {task.name}"]


def test_progress_note_every_14_days_lapses_after_14_across_summer_time(rotation: Rotation) -> None:
    rotation.theme_approved().agreement_approved()
    rotation.at("2027-03-01T08:00+01:00")  # the period (and its fortnightly rhythm) starts
    assert just_before(rotation, "2027-03-15T08:00+01:00") == ["report_early_end"]
    assert on_time(rotation, "2027-03-15T08:00+01:00") == ["report_early_end", "write_progress_note"]
    [note] = rotation.tasks("write_progress_note")
    assert note.assignee == EMPLOYEE
    assert reminder_mails(rotation, EMPLOYEE).count(f"Rykker: {note.name}") == 1
    # summer time began on 28 March: 14 x 24 hours after 08:00 CET is 09:00 CEST, when the next note is due too
    assert just_before(rotation, "2027-03-29T09:00+02:00") == ["report_early_end", "write_progress_note"]
    assert [t.id for t in rotation.tasks("write_progress_note")] == [note.id]
    assert on_time(rotation, "2027-03-29T09:00+02:00") == ["report_early_end", "write_progress_note"]
    [second] = rotation.tasks("write_progress_note")
    assert second.id != note.id and note.id in {e.task_id for e in rotation.history("task_cancelled")}
    assert reminder_mails(rotation, EMPLOYEE).count(f"Rykker: {note.name}") == 2


def test_decision_point_14_days_before_the_end_date(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-06-15T12:00+02:00")
    rotation.write_notes()
    assert just_before(rotation, "2027-06-16T08:00+02:00") == ["report_early_end"]
    assert on_time(rotation, "2027-06-16T08:00+02:00") == ["decide_extension"]
    [decision] = rotation.tasks("decide_extension")
    assert decision.candidate_groups == ("ledelsesteam",)
    assert mails_about(rotation, LEADER, decision.name) == [f"Ny opgave til din gruppe: {decision.name}"]


def finished_notes(rotation: Rotation, when: str) -> None:
    rotation.at(when)
    rotation.write_notes()


def test_end_date_while_waiting_for_it(rotation: Rotation) -> None:
    rotation.in_period()
    finished_notes(rotation, "2027-06-16T08:00+02:00")
    rotation.do("decide_extension", extension_decision="finish", extension_reason="Planen holder.")
    finished_notes(rotation, "2027-06-29T12:00+02:00")
    assert just_before(rotation, "2027-06-30T08:00+02:00") == []
    assert on_time(rotation, "2027-06-30T08:00+02:00") == ["hand_in_deliverable"]
    assert rotation.data["return_date"] == "2027-06-30"


def test_end_date_while_nobody_decides_on_an_extension(rotation: Rotation) -> None:
    rotation.in_period()
    finished_notes(rotation, "2027-06-29T12:00+02:00")
    assert just_before(rotation, "2027-06-30T08:00+02:00") == ["decide_extension"]
    assert on_time(rotation, "2027-06-30T08:00+02:00") == ["hand_in_deliverable"]
    assert rotation.data["period_outcome"] == "completed"


def test_end_date_while_the_manager_has_not_approved_the_extension(rotation: Rotation) -> None:
    rotation.in_period()
    finished_notes(rotation, "2027-06-16T08:00+02:00")
    rotation.do("decide_extension", extension_decision="extend", extension_end_date="2027-08-31",
                extension_reason="Mere tid.")
    finished_notes(rotation, "2027-06-29T12:00+02:00")
    assert just_before(rotation, "2027-06-30T08:00+02:00") == ["approve_extension_manager"]
    assert rotation.tasks("approve_extension_manager")[0].assignee == MANAGER
    assert on_time(rotation, "2027-06-30T08:00+02:00") == ["hand_in_deliverable"]
    assert rotation.data["end_date"] == DRAFT["end_date"]


def test_end_date_while_an_early_return_is_unanswered(rotation: Rotation) -> None:
    rotation.in_period()
    finished_notes(rotation, "2027-06-10T12:00+02:00")
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-06-20",
                early_return_reason="changed_priorities")
    finished_notes(rotation, "2027-06-29T12:00+02:00")
    assert just_before(rotation, "2027-06-30T08:00+02:00") == [
        "approve_early_return_leadership", "approve_early_return_manager"]
    assert on_time(rotation, "2027-06-30T08:00+02:00") == ["hand_in_deliverable"]
    assert rotation.data["period_outcome"] == "completed"


def test_follow_up_three_months_after_the_return_date(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-04-15",
                early_return_reason="basis_needs")
    rotation.do("approve_early_return_leadership", early_return_leadership_decision="approved")
    rotation.do("approve_early_return_manager", early_return_manager_decision="approved")
    rotation.hand_over()
    finished_notes(rotation, "2027-07-14T12:00+02:00")
    assert just_before(rotation, "2027-07-15T08:00+02:00") == []
    assert on_time(rotation, "2027-07-15T08:00+02:00") == ["follow_up"]
    [follow_up] = rotation.tasks("follow_up")
    assert follow_up.candidate_groups == ("netvaerkssekretariat",)
    assert mails_about(rotation, SECRETARY, follow_up.name) == [f"Ny opgave til din gruppe: {follow_up.name}"]
