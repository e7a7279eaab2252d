"""A multi-instance user task completed over several commands (a reload between each) keeps one
entry per item: SpiffWorkflow's in-memory spec fix-up is re-applied after every load."""

from __future__ import annotations

from engine.service import Engine
from tests.helpers.support import PROCESSES


def test_each_instance_replaces_its_item_across_reloads(engine: Engine) -> None:
    engine.deploy_paths([PROCESSES / "multi.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("multi", "rita", {})
    tasks = engine.tasks_for("rita")
    assert len(tasks) == 3
    for size, task in zip((10, 20, 30), tasks, strict=True):
        engine.complete(task.id, "rita", {"size": size})
    view = engine.case(case_id, "rita")
    assert view.status == "completed"
    # Without the fix-up each finished instance is appended: 6 entries instead of 3.
    assert view.data["items"] == [{"n": 1}, {"n": 2}, {"n": 3}]
    sizes = [e.payload["data"]["size"] for e in engine.history(case_id, None) if e.kind == "task_completed"]
    assert sorted(sizes) == [10, 20, 30]
