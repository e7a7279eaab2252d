"""A driver for the netværksturnus process through the engine's service layer (no SpiffWorkflow here).

Each scenario deploys processes/ into a fresh database, starts a case as the employee and works the
tasks as the person or group the process names, moving a fixed clock for the timers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from engine.cases.queries import CaseView, EventView, TaskView
from engine.clock import FixedClock
from engine.service import Engine

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
KEY = "netvaerksturnus"

EMPLOYEE, MANAGER, SECRETARY, LEADER = "soren", "lise", "sara", "lars"
GROUP_MEMBER = {"netvaerkssekretariat": SECRETARY, "ledelsesteam": LEADER}

PROPOSAL: dict[str, Any] = {
    "theme_title": "Håndbog for netværksledere",
    "problem_description": "Netværkslederne har samlet erfaringer, men de er ikke skrevet ned.",
    "local_relevance": "Nye netværksledere i Albertslund starter forfra hver gang.",
    "expected_product": "En håndbog med værktøjer og eksempler.",
    "network_type": "laering",
    "scope": "medium",
    "urgency": "normal",
    "manager": MANAGER,
}
QUALIFIED = {"qualification_comment": "Relevant og afgrænset.", "qualification_recommendation": "approve"}
DRAFT: dict[str, Any] = {
    "agreement_purpose": "Samle netværksledernes erfaringer i en håndbog.",
    "agreement_form": "To dage om ugen i Sekretariatet for Netværksstrukturen.",
    "start_date": "2027-03-01",
    "end_date": "2027-06-30",
    "hours_per_week": 15,
    "placement": "Sekretariatet for Netværksstrukturen",
    "competence_goals": "Ledelse på tværs og relationel koordinering.",
    "deliverable_description": "Håndbog for netværksledere (udkast og endelig version).",
    "dissemination_role": "Oplæg for nye netværksledere.",
}
NOTE = {"note_phase": "developing", "note_progress": "Interview med fem netværksledere.", "note_hours_used": 30}
PLAN: dict[str, Any] = {
    "plan_summary": "Nye netværksledere og ledergrupper i basis.",
    "activity_1_audience": "Nye netværksledere", "activity_1_format": "workshop", "activity_1_date": "2027-08-20",
    "activity_2_audience": "Ledergruppen i Børn og Skole", "activity_2_format": "presentation",
    "activity_2_date": "2027-09-03",
    "activity_3_audience": "Alle medarbejdere (intranet)", "activity_3_format": "article",
    "activity_3_date": "2027-09-15",
}


def at(text: str) -> datetime:
    """An instant written with its offset, e.g. "2027-03-01T09:00+01:00"."""
    return datetime.fromisoformat(text)


class Rotation:
    """One case of the process, driven task by task."""

    def __init__(self, engine: Engine, clock: FixedClock):
        self.engine, self.clock = engine, clock
        self.case_id = ""

    def start(self, **changes: Any) -> Rotation:
        self.case_id = self.engine.start(KEY, EMPLOYEE, {**PROPOSAL, **changes})
        return self

    # --- looking ---------------------------------------------------------------------------
    def view(self) -> CaseView:
        return self.engine.case(self.case_id, None, purpose="scenario test")

    @property
    def data(self) -> dict[str, Any]:
        return self.view().data

    def tasks(self, element_id: str | None = None) -> list[TaskView]:
        found = [t for t in self.view().open_tasks if element_id is None or t.element_id == element_id]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def open(self) -> list[str]:
        return sorted(t.element_id for t in self.tasks())

    def history(self, kind: str | None = None) -> list[EventView]:
        return [e for e in self.engine.history(self.case_id, None, purpose="scenario test")
                if kind is None or e.kind == kind]

    # --- acting ----------------------------------------------------------------------------
    def do(self, element_id: str, data: dict[str, Any] | None = None, **more: Any) -> TaskView:
        """Complete the oldest open task of ``element_id`` as the person the process names for it."""
        found = self.tasks(element_id)
        assert found, f"no open task {element_id}; open: {self.open()}"
        return self.complete(found[0], {**(data or {}), **more})

    def complete(self, task: TaskView, data: dict[str, Any]) -> TaskView:
        actor = task.assignee or GROUP_MEMBER[task.candidate_groups[0]]
        if task.assignee is None:
            self.engine.claim(task.id, actor)
        self.engine.complete(task.id, actor, data)
        return task

    def at(self, when: str) -> int:
        """Move the clock to ``when`` and fire every due timer; returns how many cases moved."""
        self.clock.set(at(when))
        return self.engine.fire_timers()

    # --- well-trodden stretches --------------------------------------------------------------
    def theme_approved(self) -> Rotation:
        self.do("qualify_theme", QUALIFIED)
        self.do("decide_theme", theme_decision="approved", theme_decision_reason="Et godt tema.")
        return self

    def agreement_approved(self, draft: dict[str, Any] | None = None) -> Rotation:
        self.do("draft_agreement", draft or DRAFT)
        self.do("approve_agreement_manager", manager_decision="approved", manager_comment="God fordeling.")
        self.do("approve_agreement_leadership", leadership_decision="approved", leadership_comment="Enig.")
        return self

    def in_period(self) -> Rotation:
        """Theme and agreement approved; the clock on the morning of the start date (2027-03-01)."""
        self.theme_approved().agreement_approved()
        self.at("2027-03-01T08:30+01:00")
        assert self.open() == ["report_early_end"], self.open()
        return self

    def write_notes(self) -> int:
        notes = self.tasks("write_progress_note")
        for _ in notes:
            self.do("write_progress_note", NOTE)
        return len(notes)

    def finish_period(self) -> Rotation:
        """From inside the period: decide to finish at the decision point, then reach the end date."""
        self.at("2027-06-16T08:30+02:00")
        self.do("decide_extension", extension_decision="finish", extension_reason="Planen holder.")
        self.at("2027-06-30T08:30+02:00")
        assert "hand_in_deliverable" in self.open(), self.open()
        return self

    def deliver_and_hand_over(self) -> Rotation:
        self.do("hand_in_deliverable", deliverable_link="https://intra.albertslund.dk/haandbog",
                deliverable_summary="Håndbogen i 12 kapitler.")
        self.do("review_deliverable", deliverable_decision="accepted", deliverable_comment="Flot arbejde.")
        self.hand_over()
        return self

    def hand_over(self) -> Rotation:
        self.do("hand_over_to_basis", handover_summary="Håndbogen og en skabelon til opstartsmøder.",
                implementation_owner="Teamet for ledelsesudvikling")
        self.do("confirm_handover", handover_decision="confirmed")
        return self
