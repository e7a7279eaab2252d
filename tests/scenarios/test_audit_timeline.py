"""An auditor's view of a whole rotation: the timeline names every step, who did it and what changed;
the live state agrees with the events; the export verifies on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.audit import export
from tests.helpers.rotation import EMPLOYEE, LEADER, MANAGER, PLAN, SECRETARY, Rotation
from web import create_app
from web.audit.timeline import describe
from web.settings import WebSettings


def _complete_rotation(rotation: Rotation) -> None:
    rotation.in_period().finish_period().deliver_and_hand_over()
    blank = {f"activity_{n}_{part}": None for n in (4, 5) for part in ("audience", "format", "date")}
    rotation.do("plan_dissemination", {**PLAN, **blank})
    rotation.do("approve_dissemination_plan", plan_decision="approved")
    for task, size in zip(rotation.tasks("carry_out_activity"), (14, 9, 120), strict=True):
        rotation.complete(task, {"activity_status": "held", "held_on": "2027-09-01", "audience_size": size,
                                 "material_link": "https://intra/slides"})
    rotation.at("2027-09-30T08:30+02:00")
    rotation.do("follow_up", follow_up_status="in_use", follow_up_notes="Håndbogen bruges ved onboarding.")
    rotation.do("close_and_evaluate", evaluation_rating="very_good", evaluation_summary="Et forbilledligt forløb.")


def pairs(line: Any) -> list[tuple[str, str]]:
    """A line's details as (label, value); without the forms given, a field's label is its id."""
    return [(label, value) for label, value, _id in line.details]


def test_timeline_of_a_full_rotation(rotation: Rotation, tmp_path: Path) -> None:
    _complete_rotation(rotation)
    engine = rotation.engine
    events = rotation.history()
    app = create_app(engine, {"TESTING": True}, settings=WebSettings(secret_key="t", instance_dir=tmp_path,
                                                                      timer_interval=0))
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        from flask import session
        session["lang"] = "en"
        lines = describe(events, rotation.view().version)
    assert [line.seq for line in lines] == [e.seq for e in events]
    names = {EMPLOYEE: "Søren", MANAGER: "Lise", SECRETARY: SECRETARY, LEADER: LEADER}
    completed = [(e, line) for e, line in zip(events, lines, strict=True) if e.kind == "task_completed"]
    assert len(completed) >= 15
    for event, line in completed:
        step = event.payload["name"]
        assert line.text.endswith(f"completed the step “{step}”") or step in line.text, line.text
        assert line.text.startswith(names.get(event.actor, event.actor)), (event.actor, line.text)
        for field, change in event.payload["changes"].items():
            assert (field, f"{change['before'] if change['before'] not in (None, '') else '–'} → "
                           f"{change['after']}") in pairs(line) or any(d[0] == field for d in line.details)
    decide = next(line for e, line in completed if e.element_id == "decide_theme")
    assert decide.text.startswith(LEADER) and ("theme_decision_reason", "– → Et godt tema.") in pairs(decide)
    approvals = [line for e, line in completed if e.element_id.startswith("approve_agreement")]
    assert {line.text.split(" ")[0] for line in approvals} == {"Lise", LEADER}
    assert all(("agreement_version", "1") in pairs(line) for line in approvals), [a.details for a in approvals]
    kinds = {line.kind for line in lines}
    assert {"case_started", "task_created", "task_claimed", "timer_fired", "gateway_taken",
            "decision_evaluated", "case_completed"} <= kinds
    assert lines[-1].text == "The case was finished"
    problems = engine.check_live_state(rotation.case_id)
    assert problems == [], "\n".join(problems)
    case, exported = export.load_json(engine.export_case(rotation.case_id, None))
    assert export.verify_events(case, exported) is None and len(exported) == len(events)
