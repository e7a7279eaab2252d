"""Versions and migration of running cases: dry run, apply, refusals, audit, refreshed inbox rows."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden
from engine.service import Engine
from tests.helpers.support import PROCESSES

REVIEW = (PROCESSES / "review.bpmn").read_bytes()
START = {"title": "New laptop", "amount": 300, "needed_by": "2030-01-01", "urgent": False}


def v2() -> bytes:
    """The review process with the decision field relabelled and another candidate group."""
    xml = REVIEW.replace(b'id="decision" label="Decision"', b'id="decision" label="Verdict"')
    return xml.replace(b'camunda:candidateGroups="reviewers"', b'camunda:candidateGroups="approvers"')


def without_review_task() -> bytes:
    """A version whose first user task is gone (the flow goes straight to the gateway)."""
    xml = REVIEW
    start = xml.index(b'<bpmn:userTask id="review_task"')
    end = xml.index(b"</bpmn:userTask>", start) + len(b"</bpmn:userTask>")
    xml = xml[:start] + xml[end:]
    b_start = xml.index(b'<bpmn:boundaryEvent id="remind_timer"')
    b_end = xml.index(b"</bpmn:boundaryEvent>", b_start) + len(b"</bpmn:boundaryEvent>")
    xml = xml[:b_start] + xml[b_end:]
    for flow in (b'<bpmn:sequenceFlow id="f_r1" sourceRef="remind_timer" targetRef="note_reminder"/>',
                 b'<bpmn:sequenceFlow id="f3" sourceRef="review_task" targetRef="decided"/>'):
        xml = xml.replace(flow, b"")
    xml = xml.replace(b'targetRef="review_task"', b'targetRef="decided"')
    xml = xml.replace(b"<bpmn:incoming>f3</bpmn:incoming>", b"<bpmn:incoming>f2</bpmn:incoming>")
    # the reminder branch is now unreachable; drop it too
    for eid in (b"note_reminder", b"reminded_end"):
        s = xml.index(b'id="' + eid + b'"')
        s = xml.rindex(b"<bpmn:", 0, s)
        tag = xml[s + 6:xml.index(b" ", s)]
        e = xml.index(b"</bpmn:" + tag + b">", s) + len(b"</bpmn:" + tag + b">")
        xml = xml[:s] + xml[e:]
    return xml.replace(b'<bpmn:sequenceFlow id="f_r2" sourceRef="note_reminder" targetRef="reminded_end"/>', b"")


@pytest.fixture
def owned(review: Engine) -> Engine:
    review.add_user("paula", roles=["process-owner"])
    review.add_user("anna", groups=["approvers"])
    return review


def _open_task(engine: Engine, case_id: str) -> object:
    return engine.case(case_id, None).open_tasks[0]


def test_dry_run_changes_nothing_then_apply_moves_the_case_with_new_label_and_group(owned: Engine) -> None:
    case_id = owned.start("review", "rita", START)
    before_task = _open_task(owned, case_id)
    assert [r.status for r in owned.deploy_files({"review.bpmn": v2()}, "paula")] == ["new"]

    dry = owned.migrate("review", 2, "paula", dry_run=True)
    assert [(r.case_id, r.ok) for r in dry] == [(case_id, True)]
    assert owned.case(case_id, None).version == 1
    assert owned.task(before_task.id, "ralf").form.fields[0].label == "Decision"
    assert [v.running for v in owned.versions_of("review")] == [0, 1]  # newest first

    applied = owned.migrate("review", 2, "paula", from_version=1)
    assert [(r.case_id, r.ok, r.from_version, r.to_version) for r in applied] == [(case_id, True, 1, 2)]
    case = owned.case(case_id, None)
    assert case.version == 2
    task = case.open_tasks[0]
    assert task.id == before_task.id and task.candidate_groups == ("approvers",)
    assert [t.id for t in owned.tasks_for("anna")] == [task.id]
    assert owned.tasks_for("ralf") == []
    assert owned.task(task.id, "anna").form.fields[0].label == "Verdict"
    events = owned.history(case_id, None)
    migrated = [e for e in events if e.kind == "case_migrated"]
    assert len(migrated) == 1 and migrated[0].actor == "paula"
    assert (migrated[0].payload["from_version"], migrated[0].payload["to_version"]) == (1, 2)
    assert owned.verify(case_id) == []
    # the migrated case runs on to its end on the new version
    owned.claim(task.id, "anna")
    owned.complete(task.id, "anna", {"decision": "reject"})
    assert owned.case(case_id, None).status == "completed"


def test_a_case_whose_current_step_was_removed_is_refused_and_unchanged(owned: Engine) -> None:
    case_id = owned.start("review", "rita", START)
    seq_before = len(owned.history(case_id, None))
    owned.deploy_files({"review.bpmn": without_review_task()}, "paula")
    results = owned.migrate("review", 2, "paula")
    assert len(results) == 1 and not results[0].ok
    assert "review_task" in results[0].reason and "removed" in results[0].reason
    case = owned.case(case_id, None)
    assert case.version == 1 and case.open_tasks[0].element_id == "review_task"
    assert len(owned.history(case_id, None)) == seq_before


def test_only_process_owners_and_admins_migrate_and_unknown_cases_are_named(owned: Engine) -> None:
    owned.start("review", "rita", START)
    owned.deploy_files({"review.bpmn": v2()}, "paula")
    with pytest.raises(Forbidden):
        owned.migrate("review", 2, "ralf")
    results = owned.migrate("review", 2, "admin", case_ids=["no-such-case"], dry_run=True)
    assert [(r.case_id, r.ok) for r in results] == [("no-such-case", False)]


def test_version_diff_names_changed_field_and_candidate_group(owned: Engine) -> None:
    owned.deploy_files({"review.bpmn": v2()}, "paula")
    diff = owned.version_diff("review", 1, 2)
    assert [(f.element_id, f.field_id, f.kind) for f in diff.fields] == [("review_task", "decision", "changed")]
    assert [(a.element_id, a.field_id, a.before, a.after) for a in diff.assignment] == [
        ("review_task", "candidate_groups", "reviewers", "approvers")]
    assert not diff.added and not diff.removed


def test_cli_versions_and_migrate(owned: Engine, db_url: str, tmp_path) -> None:
    from tests.helpers.cli import ok, turnus

    case_id = owned.start("review", "rita", START)
    new = tmp_path / "review.bpmn"
    new.write_bytes(v2())
    assert ok(db_url, "deploy", str(new), "--as", "paula").strip() == "review 2 new"
    lines = ok(db_url, "versions", "review").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["2", "1"] and lines[1].endswith("1 running")
    assert ok(db_url, "migrate", "review", "--to", "2", "--dry-run", "--as", "paula").strip() == f"{case_id} ok"
    refused = turnus(db_url, "migrate", "review", "--to", "2", "--as", "ralf")
    assert refused.returncode == 1 and "process-owner" in refused.stderr
    assert ok(db_url, "migrate", "review", "--to", "2", "--from", "1", "--as", "paula").strip() == f"{case_id} ok"
    assert '"running": 1' in ok(db_url, "versions", "review", "--json").split("}")[0]
