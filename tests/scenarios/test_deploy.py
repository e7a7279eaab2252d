"""The definition itself: it loads, validates and lints without a single warning."""

from __future__ import annotations

from engine.definitions import load_paths
from tests.helpers.rotation import PROCESSES


def test_processes_load_with_no_problems_and_no_warnings() -> None:
    [bundle] = load_paths([PROCESSES])
    assert bundle.key == "netvaerksturnus" and bundle.warnings == ()
    assert sorted(bundle.files) == ["netvaerksturnus.bpmn", "timeramme.dmn"]
    meta = bundle.processes["netvaerksturnus"]
    assert meta.initiator_variable == "employee"
    manager = meta.start_form.field("manager")
    assert manager is not None and manager.required and manager.properties == {
        "widget": "user", "turnus:memberOf": "leder", "turnus:notBy": "initiator"}


def test_independent_approvals_are_declared_as_duty_rules() -> None:
    """Nobody approves their own request; the two approvers of one agreement version are two people."""
    [bundle] = load_paths([PROCESSES])
    tasks = bundle.processes["netvaerksturnus"].user_tasks
    for element_id in ("qualify_theme", "decide_theme", "approve_agreement_manager", "approve_agreement_leadership",
                       "approve_early_return_manager", "approve_early_return_leadership", "decide_extension",
                       "approve_extension_manager", "review_deliverable", "confirm_handover",
                       "approve_dissemination_plan", "follow_up"):
        assert "initiator" in tasks[element_id].duty_rules, element_id
    assert "completerOf:approve_agreement_manager" in tasks["approve_agreement_leadership"].duty_rules
    assert "completerOf:approve_agreement_leadership" in tasks["approve_agreement_manager"].duty_rules
    assert tasks["draft_agreement"].duty_rules == ()


def test_every_user_task_has_instructions_a_form_and_someone_to_do_it() -> None:
    [bundle] = load_paths([PROCESSES])
    tasks = bundle.processes["netvaerksturnus"].user_tasks
    assert len(tasks) == 24
    lanes = {"Medarbejder": ("${employee}", ()), "Egen leder": ("${manager}", ()),
             "Netværkssekretariat": (None, ("netvaerkssekretariat",)), "Ledelsesteam": (None, ("ledelsesteam",))}
    for task in tasks.values():
        assert len(task.documentation) > 80, task.element_id
        assert any(not f.readonly for f in task.form.fields), task.element_id
        assert (task.assignee, task.candidate_groups) == lanes[task.lane], task.element_id
        for f in task.form.fields:
            if f.type == "string" and not f.readonly:
                assert f.maxlength, (task.element_id, f.id)
            if f.type == "long" and not f.readonly:
                assert f.min is not None, (task.element_id, f.id)
