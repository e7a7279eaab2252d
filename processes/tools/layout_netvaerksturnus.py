"""Lay out processes/netvaerksturnus.bpmn: rewrites only its bpmndi:BPMNDiagram.

    .venv/bin/python processes/tools/layout_netvaerksturnus.py [path/to/netvaerksturnus.bpmn]

Run it after adding, removing or renaming flow nodes by hand; then place new nodes in PLACE below.
The semantic part of the BPMN file (and Camunda Modeler edits of it) is the source of truth; this table
only says where each node sits: a row (lanes have one or two rows) and a column (left to right).
Subprocess boxes are sized around their content; boundary events sit on their host's edge.
Exits with status 1 and a list when a node is unplaced, shapes overlap, or a node leaves its lane.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layout_model import Layout, Route
from layout_write import write_diagram

ROWS = [
    ("E0", "lane_employee"),  # progress notes, above the development period
    ("E1", "lane_employee"),  # the employee's main line
    ("M", "lane_manager"),
    ("L", "lane_leadership"),
    ("S0", "lane_secretariat"),
    ("S1", "lane_secretariat"),  # reminders below the theme review
]

PLACE: dict[str, tuple[str, int]] = {
    # 1. theme proposal
    "theme_proposed": ("E1", 0),
    "prepare_case": ("E1", 1),
    "theme_round_started": ("S0", 2),
    "qualify_theme": ("S0", 3),
    "decide_theme": ("L", 4),
    "theme_decision_gw": ("L", 5),
    "revise_theme": ("E1", 6),
    "theme_revised": ("E1", 7),
    "theme_decided": ("L", 7),
    "remind_theme_review": ("S1", 7),
    "theme_review_reminder_handled": ("S1", 8),
    "theme_review_reminder_dropped": ("S1", 9),
    "theme_approved_gw": ("E1", 8),
    "theme_rejected": ("L", 9),
    # 2. agreement
    "suggest_time_frame": ("E1", 9),
    "negotiation_round_started": ("E1", 10),
    "draft_agreement": ("E1", 11),
    "register_agreement_version": ("E1", 12),
    "approval_split": ("M", 13),
    "approve_agreement_manager": ("M", 14),
    "approve_agreement_leadership": ("L", 14),
    "record_manager_approval": ("M", 15),
    "record_leadership_approval": ("L", 15),
    "approval_join": ("M", 16),
    "evaluate_approvals": ("M", 17),
    "negotiation_round_ended": ("M", 18),
    "remind_agreement": ("S0", 17),
    "agreement_reminder_handled": ("S0", 18),
    "agreement_reminder_dropped": ("S0", 19),
    "agreement_approved_gw": ("E1", 19),
    "no_agreement": ("M", 20),
    # 3. development period
    "wait_for_start": ("E1", 20),
    "period_started": ("E1", 21),
    "report_early_end": ("E1", 22),
    "early_end_gw": ("E1", 23),
    "record_early_delivery": ("E1", 24),
    "delivered_early": ("E1", 25),
    "register_early_return_version": ("M", 24),
    "early_return_approval_started": ("M", 25),
    "early_return_split": ("M", 26),
    "approve_early_return_manager": ("M", 27),
    "approve_early_return_leadership": ("L", 27),
    "record_early_return_manager": ("M", 28),
    "record_early_return_leadership": ("L", 28),
    "early_return_join": ("M", 29),
    "evaluate_early_return": ("M", 30),
    "early_return_answered": ("M", 31),
    "early_return_approved_gw": ("M", 32),
    "apply_early_return": ("M", 33),
    "returned_early": ("M", 34),
    "continue_period": ("L", 33),
    "period_continues": ("L", 34),
    "decide_extension": ("L", 35),
    "extension_gw": ("L", 36),
    "register_extension_version": ("L", 37),
    "approve_extension_manager": ("M", 38),
    "record_extension_approval": ("M", 39),
    "extension_approved_gw": ("M", 40),
    "apply_extension": ("M", 41),
    "period_extended": ("M", 42),
    "period_end_merge": ("L", 41),
    "wait_for_end_date": ("L", 42),
    "record_period_completed": ("L", 43),
    "period_completed": ("L", 44),
    "write_progress_note": ("E0", 23),
    "progress_note_written": ("E0", 24),
    "progress_note_dropped": ("E0", 25),
    "period_outcome_gw": ("E1", 45),
    # 4. deliverable and return to basis
    "deliverable_round_started": ("E1", 46),
    "hand_in_deliverable": ("E1", 47),
    "review_deliverable": ("L", 48),
    "deliverable_round_ended": ("L", 49),
    "remind_deliverable": ("S0", 50),
    "deliverable_reminder_handled": ("S0", 51),
    "deliverable_reminder_dropped": ("S0", 52),
    "return_merge": ("E1", 50),
    "handover_round_started": ("E1", 51),
    "hand_over_to_basis": ("E1", 52),
    "confirm_handover": ("M", 53),
    "handover_round_ended": ("M", 54),
    # 5. dissemination, follow-up, close
    "after_return_split": ("E1", 55),
    "wait_for_follow_up": ("S0", 56),
    "follow_up": ("S0", 57),
    "dissemination_gw": ("E1", 56),
    "plan_round_started": ("E1", 57),
    "plan_dissemination": ("E1", 58),
    "build_activity_list": ("E1", 59),
    "approve_dissemination_plan": ("M", 60),
    "plan_round_ended": ("M", 61),
    "activity_started": ("E1", 62),
    "prepare_activity": ("E1", 63),
    "carry_out_activity": ("E1", 64),
    "record_activity": ("E1", 65),
    "activity_done": ("E1", 66),
    "collect_activities": ("E1", 67),
    "dissemination_merge": ("E1", 68),
    "after_return_join": ("E1", 69),
    "close_and_evaluate": ("S0", 70),
    "rotation_completed": ("S0", 71),
}

BOUNDARY: dict[str, tuple[str, float]] = {
    "theme_review_reminder_due": ("bottom", 0.82),
    "remind_theme_review_lapsed": ("bottom", 0.75),
    "agreement_reminder_due": ("bottom", 0.86),
    "remind_agreement_lapsed": ("bottom", 0.75),
    "decision_point_reached": ("bottom", 0.75),
    "early_return_lapsed": ("bottom", 0.88),
    "extension_decision_lapsed": ("bottom", 0.3),
    "extension_approval_lapsed": ("bottom", 0.75),
    "progress_note_due": ("top", 0.03),
    "progress_note_lapsed": ("top", 0.75),
    "deliverable_reminder_due": ("bottom", 0.82),
    "remind_deliverable_lapsed": ("bottom", 0.75),
}

ROUTES: dict[str, Route] = {
    # reminders that lapse: under the "handled" end event to the "dropped" one
    "theme_review_reminder_f3": Route("channel", "S1", 62, "bottom"),
    "agreement_reminder_f3": Route("channel", "S0", 62, "bottom"),
    "deliverable_reminder_f3": Route("channel", "S0", 62, "bottom"),
    "note_f3": Route("channel", "E0", -62, "top"),
    # development period: the decision point runs under the early-return branch; lapses merge below
    "dev_f12": Route("channel", "L", 92, "left"),
    "dev_f15": Route("channel", "L", 122, "bottom"),
    "dev_f22": Route("channel", "L", 122, "bottom"),
    "dev_f23": Route("channel", "L", 122, "bottom"),
    "dev_f24": Route("channel", "L", 122, "bottom"),
    "dev_f20": Route("vh"),
    # bypasses over the deliverable review and the dissemination boxes
    "f_early_return": Route("channel", "E1", -92, "top"),
    "f_no_plan": Route("channel", "E1", -92, "top"),
    "f_follow_up_done": Route("hv"),
    "f_close": Route("z", x_frac=0.5),
}

LABEL_SIDE: dict[str, str] = {
    "theme_review_reminder_handled": "above",
    "agreement_reminder_handled": "above",
    "deliverable_reminder_handled": "above",
    "theme_review_reminder_dropped": "above",
    "agreement_reminder_dropped": "above",
    "deliverable_reminder_dropped": "above",
    "return_merge": "below",
    "dissemination_merge": "below",
    "period_end_merge": "above",
    "after_return_join": "above",
    "approval_join": "above",
    "early_return_join": "above",
}

GAP_EXTRA: dict[str, float] = {"E1": 20.0}

LAYOUT = Layout(ROWS, PLACE, BOUNDARY, ROUTES, LABEL_SIDE, GAP_EXTRA)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "netvaerksturnus.bpmn"
    problems = write_diagram(path, "netvaerksturnus", LAYOUT)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
