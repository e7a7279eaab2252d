"""Phase 3: waiting for the start date, progress notes, extension, early return, the end date."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers.rotation import EMPLOYEE, MANAGER, NOTE, Rotation, at


def test_rotation_waits_for_the_agreed_start_date(rotation: Rotation) -> None:
    rotation.theme_approved().agreement_approved()
    assert rotation.view().next_timer_at == at("2027-03-01T08:00+01:00")
    rotation.at("2027-02-28T23:00+01:00")
    assert rotation.open() == []
    rotation.at("2027-03-01T08:01+01:00")
    [task] = rotation.tasks()
    assert (task.element_id, task.assignee) == ("report_early_end", EMPLOYEE)


def test_progress_notes_every_14_days_until_the_end_date(rotation: Rotation) -> None:
    rotation.in_period()
    created = []
    day = at("2027-03-01T12:00+01:00")
    while "decide_extension" not in rotation.open():
        day += timedelta(days=1)
        rotation.at(day.isoformat())
        for task in rotation.tasks("write_progress_note"):
            created.append(task.created_at.date().isoformat())
            assert (task.assignee, task.due_at - task.created_at) == (EMPLOYEE, timedelta(days=5))
            rotation.do("write_progress_note", NOTE)
    assert created == ["2027-03-15", "2027-03-29", "2027-04-12", "2027-04-26", "2027-05-10", "2027-05-24",
                       "2027-06-07"]
    assert day.date().isoformat() == "2027-06-16"  # the decision point: 14 days before the end date
    [decision] = rotation.tasks("decide_extension")
    assert decision.due_at == at("2027-06-30T00:00+02:00") or decision.due_at.date().isoformat() == "2027-06-30"
    rotation.do("decide_extension", extension_decision="finish", extension_reason="Planen holder.")
    rotation.at("2027-06-21T12:00+02:00")
    assert rotation.open() == ["write_progress_note"]  # the rhythm goes on until the end date
    [late_note] = rotation.tasks("write_progress_note")
    rotation.at("2027-06-30T08:30+02:00")
    # SpiffWorkflow withdraws what a non-interrupting boundary timer started when its activity ends
    assert rotation.open() == ["hand_in_deliverable"]
    assert late_note.id in {e.task_id for e in rotation.history("task_cancelled")}
    assert rotation.data["period_outcome"] == "completed" and rotation.data["return_date"] == "2027-06-30"
    rotation.at("2027-07-12T12:00+02:00")  # past the next 14-day mark (5 July), before any reminder
    assert rotation.open() == ["hand_in_deliverable"]  # no more notes after the period


def test_an_unwritten_progress_note_lapses_after_14_days(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-03-15T12:00+01:00")
    assert rotation.open() == ["report_early_end", "write_progress_note"]
    rotation.at("2027-03-29T13:30+02:00")  # 14 x 24 hours later (summer time began on 28 March)
    assert rotation.open() == ["report_early_end", "write_progress_note"]
    [note] = rotation.tasks("write_progress_note")
    assert note.created_at.date().isoformat() == "2027-03-29"


def test_extension_is_a_new_agreement_version_approved_by_the_manager(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-06-16T08:30+02:00")
    assert "decide_extension" in rotation.open() and "report_early_end" not in rotation.open()
    rotation.do("decide_extension", extension_decision="extend", extension_end_date="2027-08-31",
                extension_hours_per_week=10, extension_reason="Kapitlet om netværk mangler.")
    [approval] = rotation.tasks("approve_extension_manager")
    assert approval.assignee == MANAGER
    rotation.do("approve_extension_manager", extension_manager_decision="approved")
    data = rotation.data
    assert (data["end_date"], data["hours_per_week"], data["approved_agreement_version"]) == ("2027-08-31", 10, 2)
    assert data["agreement_log"][-1] == {
        "version": 2, "kind": "extension", "start_date": "2027-03-01", "end_date": "2027-08-31",
        "hours_per_week": 10, "manager_version": 2, "leadership_version": 2}
    assert "report_early_end" in rotation.open()  # a new period, up to the new end date
    rotation.at("2027-07-01T12:00+02:00")
    assert "hand_in_deliverable" not in rotation.open()
    rotation.write_notes()
    rotation.at("2027-08-17T08:30+02:00")
    rotation.write_notes()
    assert rotation.open() == ["decide_extension"]
    # nobody decides: the period ends on the end date all the same
    rotation.at("2027-08-31T08:30+02:00")
    assert "hand_in_deliverable" in rotation.open()
    assert rotation.data["return_date"] == "2027-08-31"


def test_extension_rejected_by_the_manager_keeps_the_end_date(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-06-16T08:30+02:00")
    rotation.do("decide_extension", extension_decision="extend", extension_end_date="2027-08-31",
                extension_reason="Mere tid.")
    rotation.do("approve_extension_manager", extension_manager_decision="rejected",
                extension_manager_comment="Vi mangler hænder i basis.")
    rotation.at("2027-06-30T08:30+02:00")
    assert "hand_in_deliverable" in rotation.open()
    data = rotation.data
    assert (data["end_date"], data["approved_agreement_version"], data["agreement_version"]) == ("2027-06-30", 1, 2)


def test_early_return_with_a_coded_reason_skips_deliverable_and_dissemination(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-04-01T12:00+02:00")
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-04-15",
                early_return_reason="basis_needs")
    assert sorted(t.element_id for t in rotation.tasks() if t.element_id != "write_progress_note") == [
        "approve_early_return_leadership", "approve_early_return_manager"]
    rotation.do("approve_early_return_leadership", early_return_leadership_decision="approved")
    rotation.do("approve_early_return_manager", early_return_manager_decision="approved")
    assert "hand_over_to_basis" in rotation.open()
    data = rotation.data
    assert (data["period_outcome"], data["return_date"], data["end_date"]) == ("early_return", "2027-04-15",
                                                                             "2027-04-15")
    assert data["agreement_log"][-1]["kind"] == "early_return"
    assert data["agreement_log"][-1]["reason"] == "basis_needs"
    assert (data["agreement_log"][-1]["manager_version"], data["agreement_log"][-1]["leadership_version"]) == (2, 2)
    rotation.write_notes()
    rotation.hand_over()
    assert rotation.open() == []  # no dissemination plan; waiting for the follow-up
    rotation.at("2027-07-15T08:30+02:00")
    assert rotation.open() == ["follow_up"]
    rotation.do("follow_up", follow_up_status="partly", follow_up_notes="Skabelonen bruges i to teams.")
    rotation.do("close_and_evaluate", evaluation_rating="fair", evaluation_summary="Afbrudt, men brugbart.")
    view = rotation.view()
    assert (view.status, view.end_event) == ("completed", "rotation_completed")


def test_early_return_rejected_continues_the_period(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-04-15",
                early_return_reason="other")
    rotation.do("approve_early_return_leadership", early_return_leadership_decision="rejected",
                early_return_leadership_comment="Vi har brug for dig til juni.")
    rotation.do("approve_early_return_manager", early_return_manager_decision="approved")
    assert rotation.open() == ["report_early_end"]
    data = rotation.data
    assert (data["agreement_version"], data["approved_agreement_version"], data["end_date"]) == (2, 1, "2027-06-30")
    # a second request, answered in the other order, is approved
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-05-01",
                early_return_reason="new_position")
    rotation.do("approve_early_return_manager", early_return_manager_decision="approved")
    rotation.do("approve_early_return_leadership", early_return_leadership_decision="approved")
    assert rotation.open() == ["hand_over_to_basis"]
    assert rotation.data["approved_agreement_version"] == 3


def test_unanswered_early_return_lapses_on_the_end_date(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-06-10T12:00+02:00")
    rotation.write_notes()
    rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-06-20",
                early_return_reason="changed_priorities")
    rotation.at("2027-06-30T08:30+02:00")
    rotation.write_notes()
    assert rotation.open() == ["hand_in_deliverable"]
    assert rotation.data["period_outcome"] == "completed"


def test_deliverable_handed_in_early_ends_the_period(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-05-20T12:00+02:00")
    rotation.write_notes()
    rotation.do("report_early_end", early_end_kind="deliverable_ready", early_end_date="2027-05-21")
    assert rotation.open() == ["hand_in_deliverable"]
    assert (rotation.data["period_outcome"], rotation.data["return_date"]) == ("delivered_early", "2027-05-21")
