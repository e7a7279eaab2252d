"""Phases 4-5: deliverable, hand-over to basis, dissemination, follow-up and close; reminders."""

from __future__ import annotations

from tests.helpers.rotation import EMPLOYEE, MANAGER, PLAN, SECRETARY, Rotation


def test_deliverable_sent_back_once(rotation: Rotation) -> None:
    rotation.in_period().finish_period()
    rotation.do("hand_in_deliverable", deliverable_link="https://intra/v1", deliverable_summary="Udkast.")
    rotation.do("review_deliverable", deliverable_decision="rework",
                deliverable_comment="Mangler kapitlet om konflikter.")
    [task] = rotation.tasks()
    assert (task.element_id, task.assignee) == ("hand_in_deliverable", EMPLOYEE)
    assert rotation.data["deliverable_comment"] == "Mangler kapitlet om konflikter."
    rotation.do("hand_in_deliverable", deliverable_link="https://intra/v2", deliverable_summary="Endelig.")
    rotation.do("review_deliverable", deliverable_decision="accepted", deliverable_comment="Godkendt.")
    assert rotation.open() == ["hand_over_to_basis"]
    assert rotation.data["deliverable_link"] == "https://intra/v2"


def test_full_completion_with_three_dissemination_activities(rotation: Rotation) -> None:
    rotation.in_period().finish_period().deliver_and_hand_over()
    assert rotation.open() == ["plan_dissemination"]
    blank = {f"activity_{n}_{part}": None for n in (4, 5) for part in ("audience", "format", "date")}
    rotation.do("plan_dissemination", {**PLAN, **blank})
    [approval] = rotation.tasks()
    assert (approval.element_id, approval.assignee) == ("approve_dissemination_plan", MANAGER)
    assert rotation.data["dissemination_overview"].splitlines() == [
        "1. Nye netværksledere (workshop, 2027-08-20)",
        "2. Ledergruppen i Børn og Skole (presentation, 2027-09-03)",
        "3. Alle medarbejdere (intranet) (article, 2027-09-15)"]
    rotation.do("approve_dissemination_plan", plan_decision="approved")
    activities = rotation.tasks("carry_out_activity")
    assert len(activities) == 3 and {t.assignee for t in activities} == {EMPLOYEE}
    assert sorted(t.due_at.date().isoformat() for t in activities) == ["2027-08-20", "2027-09-03", "2027-09-15"]
    by_planned_date = sorted(activities, key=lambda t: t.due_at)
    for task, size in reversed(list(zip(by_planned_date, (14, 9, 120), strict=True))):  # any order
        rotation.complete(task, {"activity_status": "held", "held_on": "2027-09-01", "audience_size": size,
                                 "material_link": "https://intra/slides"})
    assert rotation.open() == []  # waiting for the follow-up three months after the return (30 June)
    waiting = rotation.data["dissemination_activities"]  # the finished branch's data shows while it waits
    assert sorted(a["audience_size"] for a in waiting) == [9, 14, 120]
    rotation.at("2027-09-30T08:30+02:00")
    [follow_up] = rotation.tasks()
    assert (follow_up.element_id, follow_up.candidate_groups) == ("follow_up", ("netvaerkssekretariat",))
    rotation.do("follow_up", follow_up_status="in_use", follow_up_notes="Håndbogen bruges ved onboarding.")
    rotation.do("close_and_evaluate", evaluation_rating="very_good", evaluation_summary="Et forbilledligt forløb.")
    view = rotation.view()
    assert (view.status, view.end_event, view.end_event_name) == ("completed", "rotation_completed",
                                                                  "Turnus afsluttet")
    held = view.data["dissemination_activities"]
    assert [(a["number"], a["status"], a["audience_size"]) for a in held] == [
        (1, "held", 14), (2, "held", 9), (3, "held", 120)]
    assert [a["audience"] for a in held] == ["Nye netværksledere", "Ledergruppen i Børn og Skole",
                                             "Alle medarbejdere (intranet)"]
    assert view.data["follow_up_status"] == "in_use"
    assert rotation.engine.verify(rotation.case_id) == []


def test_dissemination_plan_sent_back_and_cancelled_activity(rotation: Rotation) -> None:
    rotation.in_period().finish_period().deliver_and_hand_over()
    one = {**PLAN, **{f"activity_{n}_{p}": None for n in (2, 3, 4, 5) for p in ("audience", "format", "date")}}
    rotation.do("plan_dissemination", one)
    rotation.do("approve_dissemination_plan", plan_decision="changes_requested",
                plan_comment="Tag også ledergruppen med.")
    rotation.do("plan_dissemination", {**PLAN, **{f"activity_{n}_{p}": None for n in (4, 5)
                                                  for p in ("audience", "format", "date")}})
    rotation.do("approve_dissemination_plan", plan_decision="approved")
    assert len(rotation.tasks("carry_out_activity")) == 3
    rotation.do("carry_out_activity", activity_status="cancelled")
    assert len(rotation.tasks("carry_out_activity")) == 2


def _mail_kinds(rotation: Rotation, element_id: str) -> set[str]:
    ids = {t.id for t in rotation.tasks(element_id)}
    return {r["kind"] for r in rotation.engine.outbox_rows() if r["task_id"] in ids}


def test_the_fortnightly_reminder_is_mailed_as_a_reminder_and_the_period_task_as_a_new_task(
        rotation: Rotation) -> None:
    rotation.at("2027-01-18T09:30+01:00")  # the non-interrupting timer on the qualification
    assert _mail_kinds(rotation, "remind_theme_review") == {"reminder"}
    rotation.theme_approved().agreement_approved()
    rotation.at("2027-03-01T08:30+01:00")  # the start-date timer opens the period: no reminder of anything
    assert rotation.open() == ["report_early_end"]
    assert _mail_kinds(rotation, "report_early_end") == {"task_assigned"}


def test_reminders_fire_every_14_days_and_lapse_after_7(rotation: Rotation) -> None:
    rotation.at("2027-01-18T09:30+01:00")
    [reminder] = rotation.tasks("remind_theme_review")
    assert (reminder.candidate_groups, reminder.lane) == (("netvaerkssekretariat",), "Netværkssekretariat")
    [created] = [e for e in rotation.history("task_created") if e.element_id == "remind_theme_review"]
    assert created.payload["candidate_groups"] == ["netvaerkssekretariat"]
    rotation.do("remind_theme_review", theme_reminder_action="reminded", theme_reminder_note="Mail til Lars.")
    rotation.at("2027-02-01T09:30+01:00")
    assert rotation.open() == ["qualify_theme", "remind_theme_review"]
    rotation.at("2027-02-08T09:45+01:00")  # nobody reacted: the reminder lapses
    assert rotation.open() == ["qualify_theme"]
    rotation.at("2027-02-15T09:30+01:00")
    assert rotation.open() == ["qualify_theme", "remind_theme_review"]
    rotation.theme_approved()  # the theme is decided: its open reminder is withdrawn
    assert rotation.open() == ["draft_agreement"]
    rotation.at("2027-03-01T12:00+01:00")
    assert rotation.open() == ["draft_agreement", "remind_agreement"]
    rotation.do("remind_agreement", agreement_reminder_action="no_action")
    assert rotation.tasks("draft_agreement")[0].assignee == EMPLOYEE
    assert SECRETARY in {e.actor for e in rotation.history("task_completed")}


def test_open_reminders_and_notes_close_with_the_case(rotation: Rotation) -> None:
    rotation.in_period().finish_period().deliver_and_hand_over()
    rotation.do("plan_dissemination", {**PLAN, **{f"activity_{n}_{p}": None for n in (2, 3, 4, 5)
                                                  for p in ("audience", "format", "date")}})
    rotation.do("approve_dissemination_plan", plan_decision="approved")
    rotation.do("carry_out_activity", activity_status="held", held_on="2027-08-20", audience_size=12)
    rotation.at("2027-09-30T08:30+02:00")
    rotation.do("follow_up", follow_up_status="partly", follow_up_notes="På vej.")
    rotation.do("close_and_evaluate", evaluation_rating="good", evaluation_summary="Godt.")
    view = rotation.view()
    assert view.status == "completed" and view.open_tasks == [] and view.next_timer_at is None
