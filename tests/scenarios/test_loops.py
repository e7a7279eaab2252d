"""Every loop of the process repeated 300 times: it neither stalls nor grows the live state.

Loops are loop activities (standardLoopCharacteristics), multi-instance or cycle timers, never
back-edge sequence flows (which stall SpiffWorkflow after ~250 passes). The agreement loop is the
exception by design: it stops after 3 rounds (test_theme_and_agreement).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.store.tables import case_state_tasks
from tests.helpers.rotation import PLAN, QUALIFIED, Rotation, at

PASSES = 300
# SpiffWorkflow's stall (~250 passes of a back-edge loop) and tree growth are properties of the engine, not of
# the database, so the full 300 passes run on SQLite; on PostgreSQL 30 passes exercise the same SQL (rows
# written, pruned rows deleted) at a tenth of the suite's time.
PASSES_ON = {"sqlite": PASSES, "postgresql": 30}
pytestmark = pytest.mark.slow


def passes(rotation: Rotation) -> int:
    return PASSES_ON[rotation.engine.db.dialect.name]


def live_rows(rotation: Rotation) -> int:
    with rotation.engine.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(case_state_tasks)
                            .where(case_state_tasks.c.case_id == rotation.case_id)).scalar_one()


def repeat(rotation: Rotation, one_pass, expected_open: list[str],  # type: ignore[no-untyped-def]
           rows_per_pass: int = 0) -> None:
    """Run ``one_pass`` PASSES times; after each the same tasks are open and the live state stays small.

    Finished loop iterations are pruned from the live tree. What a cycle timer started (a progress note,
    a reminder) is not yet pruned by the engine: those cost ``rows_per_pass`` rows each.
    """
    sizes = {}
    last = passes(rotation)
    for n in range(1, last + 1):
        one_pass(n)
        if n in (10, last):
            sizes[n] = live_rows(rotation)
        assert rotation.open() == expected_open, (n, rotation.open())
    assert sizes[last] <= sizes[10] + 5 + rows_per_pass * (last - 10), sizes


def test_theme_revised_300_times(rotation: Rotation) -> None:
    revised = {"theme_title": "T", "problem_description": "P", "local_relevance": "L", "expected_product": "E",
               "network_type": "velfaerd", "scope": "small", "urgency": "low", "revision_note": "N"}

    def one_pass(n: int) -> None:
        rotation.do("qualify_theme", QUALIFIED)
        rotation.do("decide_theme", theme_decision="revise", theme_decision_reason=f"Runde {n}.")
        rotation.do("revise_theme", revised)

    repeat(rotation, one_pass, ["qualify_theme"])
    rotation.theme_approved()
    assert rotation.open() == ["draft_agreement"]


def test_period_continued_300_times_after_rejected_early_returns(rotation: Rotation) -> None:
    rotation.in_period()

    def one_pass(n: int) -> None:
        rotation.do("report_early_end", early_end_kind="early_return", early_end_date="2027-04-01",
                    early_return_reason="other")
        rotation.do("approve_early_return_manager", early_return_manager_decision="rejected")
        rotation.do("approve_early_return_leadership", early_return_leadership_decision="approved")

    repeat(rotation, one_pass, ["report_early_end"])
    assert rotation.data["agreement_version"] == passes(rotation) + 1
    assert len(rotation.data["early_return_approvals"]) == passes(rotation)
    rotation.do("report_early_end", early_end_kind="deliverable_ready", early_end_date="2027-04-01")
    assert rotation.open() == ["hand_in_deliverable"]


def test_period_extended_300_times_with_progress_notes(rotation: Rotation) -> None:
    rotation.in_period()
    state = {"end": "2027-06-30", "notes": 0}

    def one_pass(n: int) -> None:
        end = at(f"{state['end']}T08:30+01:00")
        rotation.at((end - timedelta(days=14)).isoformat())
        state["notes"] += rotation.write_notes()
        new_end = (end + timedelta(days=14)).date().isoformat()
        rotation.do("decide_extension", extension_decision="extend", extension_end_date=new_end,
                    extension_reason=f"Forlængelse {n}.")
        rotation.do("approve_extension_manager", extension_manager_decision="approved")
        state["end"] = new_end

    repeat(rotation, one_pass, ["report_early_end"], rows_per_pass=8)
    data = rotation.data
    last = passes(rotation)
    assert data["approved_agreement_version"] == last + 1 and len(data["agreement_log"]) == last + 1
    assert state["notes"] >= last - 5  # one note every 14 days, across all the extensions


def test_deliverable_handover_and_plan_sent_back_300_times_each(rotation: Rotation) -> None:
    rotation.in_period().finish_period()

    def rework(n: int) -> None:
        rotation.do("hand_in_deliverable", deliverable_link=f"https://intra/{n}", deliverable_summary="S")
        rotation.do("review_deliverable", deliverable_decision="rework", deliverable_comment="Igen.")

    repeat(rotation, rework, ["hand_in_deliverable"])
    rotation.do("hand_in_deliverable", deliverable_link="https://intra/final", deliverable_summary="S")
    rotation.do("review_deliverable", deliverable_decision="accepted", deliverable_comment="Ja.")

    def handover(n: int) -> None:
        rotation.do("hand_over_to_basis", handover_summary="H", implementation_owner="O")
        rotation.do("confirm_handover", handover_decision="changes_requested", handover_comment="Igen.")

    repeat(rotation, handover, ["hand_over_to_basis"])
    rotation.hand_over()
    blank = {f"activity_{n}_{p}": None for n in (4, 5) for p in ("audience", "format", "date")}

    def plan(n: int) -> None:
        rotation.do("plan_dissemination", {**PLAN, **blank})
        rotation.do("approve_dissemination_plan", plan_decision="changes_requested", plan_comment="Igen.")

    repeat(rotation, plan, ["plan_dissemination"])
    rotation.do("plan_dissemination", {**PLAN, **blank})
    rotation.do("approve_dissemination_plan", plan_decision="approved")
    assert len(rotation.tasks("carry_out_activity")) == 3


def test_reminders_repeat_300_times(rotation: Rotation) -> None:
    start = at("2027-01-04T09:00+01:00")

    def one_pass(n: int) -> None:
        rotation.at((start + timedelta(days=14 * n, hours=1)).isoformat())
        rotation.do("remind_theme_review", theme_reminder_action="reminded")

    repeat(rotation, one_pass, ["qualify_theme"], rows_per_pass=8)
    rotation.theme_approved()
    assert rotation.open() == ["draft_agreement"]
