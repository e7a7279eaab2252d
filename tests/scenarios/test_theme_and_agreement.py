"""Phases 1-2: theme proposal and the dialogue-based agreement."""

from __future__ import annotations

import pytest

from engine.clock import FixedClock
from engine.errors import FormInvalid
from engine.service import Engine
from tests.helpers.rotation import DRAFT, EMPLOYEE, MANAGER, Rotation

REVISED = {
    "theme_title": "Håndbog og netværk for netværksledere",
    "problem_description": "Erfaringerne skal samles og bruges.",
    "local_relevance": "Albertslund har mange nye netværksledere.",
    "expected_product": "Håndbog og et læringsnetværk.",
    "network_type": "innovation",
    "scope": "large",
    "urgency": "high",
    "revision_note": "Temaet er udvidet med et læringsnetværk.",
}


def test_case_starts_with_the_secretariat_and_binds_employee_and_manager(rotation: Rotation) -> None:
    [task] = rotation.tasks()
    assert (task.element_id, task.lane, task.candidate_groups) == (
        "qualify_theme", "Netværkssekretariat", ("netvaerkssekretariat",))
    data = rotation.data
    assert (data["employee"], data["manager"]) == (EMPLOYEE, MANAGER)


def test_theme_rejected_ends_the_case_with_the_reason_on_record(rotation: Rotation) -> None:
    rotation.do("qualify_theme", qualification_comment="Overlapper et andet tema.",
                qualification_recommendation="reject")
    rotation.do("decide_theme", theme_decision="rejected", theme_decision_reason="Dækkes af velfærdsnetværket.")
    view = rotation.view()
    assert (view.status, view.end_event, view.end_event_name) == ("completed", "theme_rejected", "Tema afvist")
    assert view.open_tasks == []
    [decision] = [e for e in rotation.history("task_completed") if e.element_id == "decide_theme"]
    assert decision.payload["data"]["theme_decision_reason"] == "Dækkes af velfærdsnetværket."


def test_theme_revised_twice_then_accepted_suggests_a_time_frame(rotation: Rotation) -> None:
    for _ in range(2):
        rotation.do("qualify_theme", qualification_comment="Uklart.", qualification_recommendation="revise")
        rotation.do("decide_theme", theme_decision="revise", theme_decision_reason="Gør produktet konkret.")
        [task] = rotation.tasks()
        assert (task.element_id, task.assignee) == ("revise_theme", EMPLOYEE)
        rotation.do("revise_theme", REVISED)
    rotation.theme_approved()
    assert rotation.open() == ["draft_agreement"]
    data = rotation.data
    assert data["theme_title"] == REVISED["theme_title"]
    # innovation, large, high: row 5 of timeramme.dmn
    assert (data["suggested_hours_per_week"], data["suggested_duration_months"]) == (30, 6)
    decisions = [e.payload["data"]["theme_decision"] for e in rotation.history("task_completed")
                 if e.element_id == "decide_theme"]
    assert decisions == ["revise", "revise", "approved"]


def test_the_time_frame_suggestion_follows_the_decision_table(engine: Engine, clock: FixedClock) -> None:
    cases = {("velfaerd", "small", "high"): (15, 2), ("laering", "medium", "low"): (11, 5),
             ("velfaerd", "large", "normal"): (22, 6), ("innovation", "small", "low"): (8, 4)}
    for (network_type, scope, urgency), expected in cases.items():
        case = Rotation(engine, clock).start(network_type=network_type, scope=scope, urgency=urgency)
        case.theme_approved()
        data = case.data
        assert (data["suggested_hours_per_week"], data["suggested_duration_months"]) == expected


def test_agreement_sent_back_then_approved_binds_both_approvals_to_one_version(rotation: Rotation) -> None:
    rotation.theme_approved()
    rotation.do("draft_agreement", DRAFT)
    both = rotation.tasks()
    assert sorted((t.element_id, t.assignee) for t in both) == [
        ("approve_agreement_leadership", None), ("approve_agreement_manager", MANAGER)]
    rotation.do("approve_agreement_leadership", leadership_decision="approved", leadership_comment="Fint.")
    rotation.do("approve_agreement_manager", manager_decision="changes_requested",
                manager_comment="Højst 12 timer om ugen i foråret.")
    assert rotation.open() == ["draft_agreement"]
    assert rotation.data["manager_comment"] == "Højst 12 timer om ugen i foråret."
    # round 2: the manager answers first this time (parallel branches; last one in must not win)
    rotation.do("draft_agreement", {**DRAFT, "hours_per_week": 12})
    rotation.do("approve_agreement_manager", manager_decision="approved", manager_comment="Godkendt.")
    rotation.do("approve_agreement_leadership", leadership_decision="approved", leadership_comment="Godkendt.")
    assert rotation.open() == []
    data = rotation.data
    assert data["agreement_version"] == data["approved_agreement_version"] == 2
    assert data["manager_approved_version"] == data["leadership_approved_version"] == 2
    assert data["agreement_approvals"]["1"]["manager_decision"] == "changes_requested"
    assert data["agreement_approvals"]["1"]["leadership_version"] == 1
    assert data["agreement_log"] == [{
        "version": 2, "kind": "agreement", "start_date": "2027-03-01", "end_date": "2027-06-30",
        "hours_per_week": 12, "manager_version": 2, "leadership_version": 2}]
    assert rotation.view().next_timer_at is not None  # waiting for the start date


def test_no_agreement_after_three_rounds(rotation: Rotation) -> None:
    rotation.theme_approved()
    for round_no in range(1, 4):
        assert rotation.open() == ["draft_agreement"], round_no
        rotation.do("draft_agreement", DRAFT)
        rotation.do("approve_agreement_manager", manager_decision="changes_requested", manager_comment="Nej.")
        rotation.do("approve_agreement_leadership", leadership_decision="approved", leadership_comment="Ja.")
    view = rotation.view()
    assert (view.status, view.end_event, view.end_event_name) == ("completed", "no_agreement", "Ingen aftale")
    assert view.data["agreement_round"] == 3 and view.data["agreement_status"] == "changes_requested"


def test_forms_refuse_missing_and_unknown_answers(rotation: Rotation) -> None:
    with pytest.raises(FormInvalid) as err:
        rotation.do("qualify_theme", qualification_comment="", qualification_recommendation="maybe")
    assert {e.field for e in err.value.errors} == {"qualification_comment", "qualification_recommendation"}
    assert rotation.open() == ["qualify_theme"]
