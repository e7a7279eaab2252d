"""A case of the review example, from start to each end, through the service layer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, FormInvalid, InvalidInput, NotFound
from engine.service import Engine
from tests.helpers.support import REQUEST


def _only_task(engine: Engine, user: str) -> str:
    tasks = engine.tasks_for(user)
    assert len(tasks) == 1, [t.name for t in tasks]
    return tasks[0].id


def kinds(engine: Engine, case_id: str) -> list[str]:
    return [e.kind for e in engine.history(case_id, None)]


def test_start_creates_a_group_task_with_form_and_due_date(review: Engine, clock: FixedClock) -> None:
    case_id = review.start("review", "rita", REQUEST)
    [task] = review.tasks_for("ralf")
    assert task.case_id == case_id and task.name == "Review request" and task.case_title == "New chairs"
    assert task.candidate_groups == ("reviewers",) and task.assignee is None
    assert task.due_at == datetime(2027, 1, 6, 8, 0, tzinfo=UTC)  # P2D from the fixed clock
    assert [f.id for f in task.form.fields] == ["decision", "reason"]
    assert "**approved**" in task.documentation
    assert review.tasks_for("olga") == [] and review.tasks_for("rita") == []
    view = review.case(case_id, "rita")
    assert view.status == "running" and view.data["level"] == "high" and view.data["requester"] == "rita"
    assert kinds(review, case_id)[:3] == ["case_started", "script_run", "task_created"]


def test_approved_case_waits_for_its_date_then_ends(review: Engine, clock: FixedClock) -> None:
    case_id = review.start("review", "rita", REQUEST)
    review.complete(_only_task(review, "ralf"), "ralf", {"decision": "approve", "reason": "fine"})
    ack = _only_task(review, "rita")
    review.complete(ack, "rita", {"ack_note": "thanks"})
    view = review.case(case_id, "rita")
    due = datetime(2027, 2, 1, 7, 0, tzinfo=UTC)  # 08:00 in Copenhagen (winter time)
    assert view.status == "running" and view.next_timer_at == due and view.open_tasks == []
    assert review.fire_timers(datetime(2027, 1, 31, tzinfo=UTC)) == 0
    clock.set(datetime(2027, 2, 1, 7, 0, 1, tzinfo=UTC))
    assert review.fire_timers() == 1
    view = review.case(case_id, "rita")
    assert view.status == "completed" and view.end_event == "approved" and view.end_event_name == "Approved"
    history = review.history(case_id, "rita")
    assert [e.kind for e in history][-3:] == ["timer_fired", "end_reached", "case_completed"]
    completed = [e for e in history if e.kind == "task_completed"]
    assert completed[0].actor == "ralf" and completed[0].payload["data"] == {"decision": "approve", "reason": "fine"}
    assert completed[0].payload["changes"]["decision"] == {"before": None, "after": "approve"}
    gateway = next(e for e in history if e.kind == "gateway_taken")
    assert gateway.element_id == "decided" and gateway.payload["targets"] == ["acknowledge"]
    assert review.verify(case_id) == []


def test_rejected_case_ends_at_rejected(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    review.complete(_only_task(review, "rosa"), "rosa", {"decision": "reject"})
    view = review.case(case_id, "rosa")
    assert view.status == "completed" and view.end_event == "rejected" and view.data["decision"] == "reject"


def test_non_interrupting_reminder_fires_and_the_task_stays(review: Engine, clock: FixedClock) -> None:
    case_id = review.start("review", "rita", REQUEST)
    task = _only_task(review, "ralf")
    clock.advance(days=3, seconds=1)
    assert review.fire_timers() == 1
    assert [t.id for t in review.tasks_for("ralf")] == [task]
    events = review.history(case_id, None)
    fired = [e for e in events if e.kind == "timer_fired"]
    assert fired and fired[0].element_id == "remind_timer"
    assert review.case(case_id, "rita").next_timer_at is None  # fired once; nothing else waits


def test_form_errors_are_per_field_and_change_nothing(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    task = _only_task(review, "ralf")
    before = kinds(review, case_id)
    with pytest.raises(FormInvalid) as err:
        review.complete(task, "ralf", {"decision": "maybe", "reason": "x" * 501, "sneaky": 1})
    codes = {e.field: e.code for e in err.value.errors}
    assert codes == {"decision": "enum", "reason": "maxlength", "sneaky": "unknown"}
    with pytest.raises(FormInvalid) as err:
        review.complete(task, "ralf", {})
    assert [(e.field, e.code) for e in err.value.errors] == [("decision", "required")]
    assert kinds(review, case_id) == before and review.tasks_for("ralf")[0].id == task


def test_start_form_is_validated(review: Engine) -> None:
    with pytest.raises(FormInvalid) as err:
        review.start("review", "rita", {"title": "", "amount": -1, "needed_by": "2027-02-30"})
    assert {e.field: e.code for e in err.value.errors} == {"title": "required", "amount": "min", "needed_by": "type"}
    with pytest.raises(NotFound, match="No process definition with key 'nope'"):
        review.start("nope", "rita", {})
    with pytest.raises(NotFound, match="No user named 'ghost'"):
        review.start("review", "ghost", REQUEST)


def test_second_completion_is_refused_with_who_did_it(review: Engine) -> None:
    review.start("review", "rita", REQUEST)
    task = _only_task(review, "ralf")
    review.complete(task, "ralf", {"decision": "reject"})
    with pytest.raises(Conflict, match="already completed by ralf"):
        review.complete(task, "rosa", {"decision": "approve"})


def test_claim_release_assign_and_their_refusals(review: Engine) -> None:
    review.start("review", "rita", REQUEST)
    task = _only_task(review, "ralf")
    with pytest.raises(Forbidden):
        review.claim(task, "olga")
    review.claim(task, "ralf")
    assert review.tasks_for("rosa") == []  # claimed tasks leave the others' workable list
    with pytest.raises(Conflict, match="already claimed by ralf"):
        review.claim(task, "rosa")
    with pytest.raises(Forbidden, match="assigned to ralf"):
        review.complete(task, "rosa", {"decision": "approve"})
    with pytest.raises(Forbidden):
        review.release(task, "rosa")
    with pytest.raises(InvalidInput, match="No user named 'ghost'"):
        review.assign(task, "ralf", "ghost")
    review.assign(task, "ralf", "rosa")
    assert [t.id for t in review.tasks_for("rosa")] == [task]
    review.release(task, "rosa")
    with pytest.raises(Conflict, match="not claimed"):
        review.release(task, "rosa")
    review.complete(task, "ralf", {"decision": "reject"})
    kinds_seen = kinds(review, review.task(task, "ralf").case_id)
    assert kinds_seen.count("task_claimed") == 1 and kinds_seen.count("task_assigned") == 1
    assert kinds_seen.count("task_released") == 1


def test_strangers_cannot_read_a_case_but_auditors_can(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    with pytest.raises(Forbidden):
        review.case(case_id, "olga")
    with pytest.raises(Forbidden):
        review.history(case_id, "olga")
    assert review.case(case_id, "audrey").id == case_id
    assert review.case(case_id, "ralf").id == case_id  # a candidate via the reviewers group
    with pytest.raises(Forbidden):
        review.task(_only_task(review, "ralf"), "olga")


def test_comments_and_cancel(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    review.comment(case_id, "rita", "Please hurry")
    with pytest.raises(InvalidInput, match="cannot be empty"):
        review.comment(case_id, "rita", "  ")
    with pytest.raises(Forbidden):
        review.comment(case_id, "olga", "hi")
    with pytest.raises(Forbidden, match="administrator"):
        review.cancel(case_id, "rita", "changed my mind")
    with pytest.raises(InvalidInput, match="reason"):
        review.cancel(case_id, "admin", "")
    review.cancel(case_id, "admin", "duplicate request")
    view = review.case(case_id, "admin")
    assert view.status == "cancelled" and view.open_tasks == []
    events = review.history(case_id, "admin")
    assert events[-1].kind == "case_cancelled" and events[-1].payload == {"reason": "duplicate request"}
    assert "task_cancelled" in [e.kind for e in events]
    with pytest.raises(Conflict, match="cancelled"):
        review.cancel(case_id, "admin", "again")
    assert review.verify() == []


def test_running_cases_stay_on_their_version(review: Engine, tmp_path) -> None:
    old_case = review.start("review", "rita", REQUEST)
    changed = tmp_path / "review.bpmn"
    from tests.helpers.support import PROCESSES

    changed.write_text((PROCESSES / "review.bpmn").read_text().replace("Review request", "Check request"))
    [result] = review.deploy_paths([changed], actor="system")
    assert (result.version, result.status) == (2, "new")
    new_case = review.start("review", "rita", REQUEST)
    names = {t.case_id: t.name for t in review.tasks_for("ralf")}
    assert names == {old_case: "Review request", new_case: "Check request"}
    assert review.case(old_case, "rita").version == 1 and review.case(new_case, "rita").version == 2
    with pytest.raises(Forbidden, match="process-owner"):
        review.deploy_paths([changed], actor="rita")


def test_deploy_of_uploaded_bytes_refuses_with_file_and_element_and_stores_nothing(review: Engine) -> None:
    from engine.errors import DefinitionInvalid
    from tests.helpers.support import PROCESSES

    good = (PROCESSES / "review.bpmn").read_bytes()
    bad = good.replace(b'level = "high"', b'level = = "high"')
    with pytest.raises(DefinitionInvalid) as err:
        review.deploy_files({"upload.bpmn": bad}, actor="system")
    assert any(p.file == "upload.bpmn" and p.element_id == "classify" for p in err.value.problems)
    assert [(d.key, d.version) for d in review.definitions()] == [("review", 1)]
    [result] = review.deploy_files({"upload.bpmn": good.replace(b"Review request", b"Check it")}, actor="system")
    assert (result.key, result.version, result.status) == ("review", 2, "new")


def test_candidate_starters_limit_who_may_start(review: Engine, tmp_path) -> None:
    from tests.helpers.support import PROCESSES

    source = (PROCESSES / "review.bpmn").read_text().replace(
        'isExecutable="true"', 'isExecutable="true" camunda:candidateStarterGroups="staff"')
    (tmp_path / "review.bpmn").write_text(source)
    review.deploy_paths([tmp_path / "review.bpmn"], actor="system")
    with pytest.raises(Forbidden, match="open to staff"):
        review.start("review", "rita", REQUEST)
    review.add_user("rita", groups=["staff"])
    assert review.start("review", "rita", REQUEST)
