"""Loops that repeat hundreds of times keep a small live state; migrations match the tables."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, update

from engine.cases import live_cache
from engine.service import Engine
from engine.store.tables import case_state_tasks, metadata
from tests.helpers.support import PROCESSES


def _state_rows(engine: Engine, case_id: str) -> int:
    with engine.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(case_state_tasks)
                            .where(case_state_tasks.c.case_id == case_id)).scalar_one()


def _state_bodies(engine: Engine, case_id: str) -> dict[str, str]:
    with engine.db.connect() as conn:
        return dict(conn.execute(select(case_state_tasks.c.task_id, case_state_tasks.c.body_json)
                                 .where(case_state_tasks.c.case_id == case_id)).all())


def _complete_passes(engine: Engine, passes: range) -> None:
    for n in passes:
        [task] = engine.tasks_for("rita")
        engine.complete(task.id, "rita", {"done": False, "note": f"pass {n}"})


def test_loop_activity_repeats_300_times_with_constant_live_state(engine: Engine) -> None:
    engine.deploy_paths([PROCESSES / "loop.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("loop", "rita", {})
    sizes, stored = {}, {}
    for first, n in ((1, 10), (11, 300)):
        _complete_passes(engine, range(first, n + 1))
        sizes[n] = _state_rows(engine, case_id)
        stored[n] = sum(len(body) for body in _state_bodies(engine, case_id).values())
    assert sizes[300] == sizes[10], sizes  # finished iterations are pruned from the live tree
    # ...and the loop's record of merged iterations keeps a count, not 300 blanks (saved and restored each time)
    assert stored[300] - stored[10] < 40, stored
    [task] = engine.tasks_for("rita")
    engine.complete(task.id, "rita", {"done": True})
    view = engine.case(case_id, "rita")
    assert view.status == "completed" and view.end_event == "end" and view.data["done"] is True
    completed = [e for e in engine.history(case_id, None) if e.kind == "task_completed"]
    assert len(completed) == 301  # the history keeps every pass even though the live tree does not
    assert engine.verify(case_id) == []


def test_a_loop_state_saved_before_merged_iterations_had_a_type_still_runs(engine: Engine) -> None:
    engine.deploy_paths([PROCESSES / "loop.bpmn"], actor="system")
    engine.add_user("rita")
    case_id = engine.start("loop", "rita", {})
    _complete_passes(engine, range(1, 6))
    [(task_id, body_json)] = [(tid, b) for tid, b in _state_bodies(engine, case_id).items() if '"pruned"' in b]
    body = json.loads(body_json)
    assert body["internal_data"]["merged"].pop("typename") == "MergedIterations"
    with engine.db.begin() as conn:  # the layout sessions before this one wrote
        conn.execute(update(case_state_tasks).where(case_state_tasks.c.task_id == task_id)
                     .values(body_json=json.dumps(body)))
    live_cache.clear()  # as a process started after the upgrade: it reads the old layout, holding nothing
    _complete_passes(engine, range(6, 9))
    [task] = engine.tasks_for("rita")
    engine.complete(task.id, "rita", {"done": True})
    view = engine.case(case_id, "rita")
    assert view.status == "completed" and view.data["done"] is True
    assert engine.verify(case_id) == []


def test_migrations_create_exactly_the_tables_in_code(engine: Engine) -> None:
    with engine.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_the_head_revision_read_without_alembic_is_alembics(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from engine.store import schema

    assert schema.head_revision() == ScriptDirectory.from_config(schema.alembic_config(engine.db)).get_current_head()
    assert schema.current_revision(engine.db) == schema.head_revision()  # the engine fixture migrated to it
