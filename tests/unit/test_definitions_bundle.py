"""Bundles: metadata read from the XML (by namespace URI), content hash, spec restore, paths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.definitions import Bundle, content_hash, load_bundles, load_paths, restore_spec
from engine.errors import DefinitionInvalid, Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bpmn"
LEAVE = ("leave_request.bpmn", "notify_staff.bpmn", "approval_level.dmn")


def files(*names: str) -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes() for name in names}


def leave_bundle() -> Bundle:
    (bundle,) = load_bundles(files(*LEAVE))
    return bundle


def refused(given: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as info:
        load_bundles(given)
    return [p for p in info.value.problems if p.severity == "error"]


def test_one_bundle_per_top_level_process_with_the_files_it_needs() -> None:
    bundles = load_bundles(files(*LEAVE, "other_prefix.bpmn"))
    by_key = {b.key: b for b in bundles}
    assert set(by_key) == {"leave_request", "other"}  # notify_staff is only called, not top-level
    assert sorted(by_key["leave_request"].files) == sorted(LEAVE)
    assert list(by_key["other"].files) == ["other_prefix.bpmn"]
    assert by_key["leave_request"].name == "Leave request"
    assert set(by_key["leave_request"].processes) == {"leave_request", "archive_sub", "notify_staff"}


def test_start_form_and_initiator_are_read_from_the_xml() -> None:
    meta = leave_bundle().processes["leave_request"]
    assert meta.initiator_variable == "requester"
    hours, first_day, kind, note = meta.start_form.fields
    assert (hours.type, hours.label, hours.default, hours.required, hours.min, hours.max) == (
        "long", "Hours per week", 37, True, 0, 60)
    assert (first_day.type, first_day.min) == ("date", "2027-01-01")
    assert [(o.id, o.label) for o in kind.options] == [("vacation", "Vacation"), ("sick", "Sick leave")]
    assert kind.default == "vacation"
    assert (note.maxlength, dict(note.properties)) == (200, {"widget": "textarea"})
    assert meta.start_form.validate({"hours": "40", "first_day": "2.1.2027", "kind": "sick"}) == {
        "hours": 40, "first_day": "2027-01-02", "kind": "sick", "note": None}


def test_user_task_metadata() -> None:
    meta = leave_bundle().processes["leave_request"]
    review, archive = meta.user_tasks["review"], meta.user_tasks["archive"]
    assert (review.name, review.lane, review.assignee) == ("Review request", "HR", None)
    assert review.candidate_groups == ("hr", "${department}") and review.candidate_users == ()
    assert (review.due_date, review.follow_up_date, review.priority) == ("P3D", None, "50")
    assert review.documentation == "Check the **request** against the rota."
    assert [(f.id, f.type, f.readonly) for f in review.form.fields] == [
        ("approved", "boolean", False), ("summary", "string", True)]
    # Inside the embedded subprocess, which sits in the HR lane.
    assert (archive.assignee, archive.lane) == ("${requester}", "HR")
    assert set(leave_bundle().processes["archive_sub"].user_tasks) == {"archive"}
    assert meta.element_names["approved_gw"] == "Approved?"


def test_lanes_agree_with_spiffworkflow() -> None:
    bundle = leave_bundle()
    spec, subs = restore_spec(bundle.spec_json)
    specs = [spec, *subs.values()]
    for meta in bundle.processes.values():
        for task in meta.user_tasks.values():
            lanes = {s.task_specs[task.element_id].lane for s in specs if task.element_id in s.task_specs}
            assert lanes == {task.lane}


def test_camunda_prefix_bound_to_the_activiti_uri_is_read() -> None:
    (bundle,) = load_bundles(files("activiti_prefix.bpmn"))
    meta = bundle.processes["legacy"]
    assert meta.initiator_variable == "starter"
    (amount,) = meta.start_form.fields
    assert (amount.id, amount.type, amount.max) == ("amount", "long", 100)
    check = meta.user_tasks["check"]
    assert (check.assignee, check.candidate_groups) == ("${starter}", ("clerks",))
    assert [f.id for f in check.form.fields] == ["ok"]
    # SpiffWorkflow's own parser saw the (normalised) form too.
    spec, _ = restore_spec(bundle.spec_json)
    assert [f.id for f in spec.task_specs["check"].form.fields] == ["ok"]
    # The stored file is the original, untouched upload.
    assert bundle.files["activiti_prefix.bpmn"] == (FIXTURES / "activiti_prefix.bpmn").read_bytes()


def test_camunda_uri_under_another_prefix_is_read_and_the_camunda_prefix_ignored() -> None:
    (bundle,) = load_bundles(files("other_prefix.bpmn"))
    check = bundle.processes["other"].user_tasks["check"]
    assert check.candidate_users == ("ann", "bob")
    assert check.assignee is None  # camunda:assignee here is in another namespace
    assert [o.id for o in check.form.fields[0].options] == ["red", "blue"]


def test_content_hash_is_stable_and_sensitive_to_a_byte_change() -> None:
    first, second = leave_bundle(), leave_bundle()
    assert first.content_hash == second.content_hash == content_hash(first.files)
    reordered = dict(reversed(list(files(*LEAVE).items())))
    assert load_bundles(reordered)[0].content_hash == first.content_hash
    changed = files(*LEAVE)
    changed["approval_level.dmn"] = changed["approval_level.dmn"].replace(b'"hr"', b'"HR"')
    assert load_bundles(changed)[0].content_hash != first.content_hash
    assert len(first.content_hash) == 64


def test_spec_json_restores_into_independent_objects() -> None:
    bundle = leave_bundle()
    spec1, subs1 = restore_spec(bundle.spec_json)
    spec2, subs2 = restore_spec(bundle.spec_json)
    assert spec1 is not spec2 and subs1["notify_staff"] is not subs2["notify_staff"]
    assert spec1.task_specs["review"] is not spec2.task_specs["review"]
    spec1.task_specs.pop("review")
    assert "review" in spec2.task_specs
    wf = BpmnWorkflow(spec2, subs2)
    wf.get_tasks()[0].data.update({"hours": 45, "kind": "vacation", "department": "it"})
    wf.do_engine_steps()
    (ready,) = wf.get_tasks(state=TaskState.READY, manual=True)
    assert ready.task_spec.bpmn_id == "review" and ready.data["level"] == "director"


def test_load_paths_accepts_folders_and_files(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    (folder / "dmn").mkdir(parents=True)
    shutil.copy(FIXTURES / "leave_request.bpmn", folder)
    shutil.copy(FIXTURES / "notify_staff.bpmn", folder)
    shutil.copy(FIXTURES / "approval_level.dmn", folder / "dmn")
    (folder / "README.txt").write_text("ignored")
    (bundle,) = load_paths([folder])
    assert sorted(bundle.files) == ["dmn/approval_level.dmn", "leave_request.bpmn", "notify_staff.bpmn"]
    (single,) = load_paths([FIXTURES / "other_prefix.bpmn"])
    assert single.key == "other"


def test_load_paths_refuses_unreadable_paths(tmp_path: Path) -> None:
    missing = tmp_path / "missing.bpmn"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DefinitionInvalid) as info:
        load_paths([missing, empty])
    problems = {p.file: p.message for p in info.value.problems}
    assert "does not exist" in problems[str(missing)]
    assert "no .bpmn or .dmn files" in problems[str(empty)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_paths_does_not_block_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bpmn"
    os.mkfifo(fifo)
    with pytest.raises(DefinitionInvalid) as info:
        load_paths([fifo])
    assert "not a regular file" in info.value.problems[0].message


def test_duplicate_process_ids_across_files_are_refused() -> None:
    given = files("other_prefix.bpmn")
    given["copy.bpmn"] = given["other_prefix.bpmn"]
    (problem,) = refused(given)
    assert problem.element_id == "other" and "also used in" in problem.message


def test_library_refusals_are_located() -> None:
    # Two unconditioned flows out of an exclusive gateway: only SpiffWorkflow notices.
    data = (FIXTURES / "notify_staff.bpmn").read_bytes().replace(
        b'<bpmn:endEvent id="n_end" />',
        b'<bpmn:exclusiveGateway id="gw" /><bpmn:sequenceFlow id="a" sourceRef="gw" targetRef="n_end" />'
        b'<bpmn:sequenceFlow id="b" sourceRef="gw" targetRef="n_end" /><bpmn:endEvent id="n_end" />',
    ).replace(b'targetRef="n_end" />\n    <bpmn:exclusive', b'targetRef="gw" />\n    <bpmn:exclusive')
    (problem,) = refused({"n.bpmn": data})
    assert problem.file == "n.bpmn" and problem.element_id in {"a", "b"} and problem.line == 11
    assert "without condition" in problem.message


def test_implicit_split_is_refused_by_the_library_with_a_location() -> None:
    data = (FIXTURES / "notify_staff.bpmn").read_bytes().replace(
        b'<bpmn:endEvent id="n_end" />',
        b'<bpmn:endEvent id="n_end" /><bpmn:sequenceFlow id="x" sourceRef="n_script" targetRef="n_end2" />'
        b'<bpmn:endEvent id="n_end2" />',
    )
    (problem,) = refused({"n.bpmn": data})
    assert (problem.file, problem.element_id, problem.line) == ("n.bpmn", "n_script", 7)
    assert "Multiple outgoing flows" in problem.message


def test_warnings_travel_with_the_bundle_that_has_the_file() -> None:
    given = files(*LEAVE, "other_prefix.bpmn")
    given["approval_level.dmn"] = given["approval_level.dmn"].replace(b'hitPolicy="FIRST"', b'hitPolicy="UNIQUE"')
    by_key = {b.key: b for b in load_bundles(given)}
    (warning,) = by_key["leave_request"].warnings
    assert warning.file == "approval_level.dmn" and "UNIQUE is not enforced" in warning.message
    assert by_key["other"].warnings == ()
