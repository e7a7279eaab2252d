"""Issue 26: a case's live workflow is kept between commands, and reused only while it is still the case's.

A process that ran a case's last command keeps its workflow (engine/cases/live_cache.py). These tests fail if a
kept workflow is ever used after another process or thread committed to the case, after its own command rolled
back, or after its spec was changed; the suite's audit (tests/conftest.py) also compares every reuse with the
stored state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.cases import live_cache
from engine.errors import Conflict, InvalidInput
from engine.service import Engine
from tests.helpers.support import PROCESSES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def looping(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "loop.bpmn"], actor="system")
    engine.add_user("rita")
    engine.add_user("rosa")
    live_cache.clear()
    return engine


class OtherProcess:
    """A second Turnus process on the same database (tests/helpers/command_process.py)."""

    def __init__(self, db_url: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.helpers.command_process", db_url], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.stats: dict[str, int] = {}

    def complete(self, task_id: str, actor: str, data: dict[str, Any]) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"complete": task_id, "actor": actor, "data": data}) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        self.stats = reply["stats"]
        assert reply["audit_missed"] == 0, "the other process reused a workflow that was not the stored one"
        assert reply.get("ok"), reply.get("error")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


@pytest.fixture
def other(db_url: str, looping: Engine) -> Iterator[OtherProcess]:
    proc = OtherProcess(db_url)
    yield proc
    proc.close()


def _round(engine: Engine) -> Any:
    [task] = engine.tasks_for("rita")
    return task


def _notes(engine: Engine, case_id: str) -> list[str]:
    return [e.payload["data"]["note"] for e in engine.history(case_id, None) if e.kind == "task_completed"]


def test_the_next_command_in_the_same_process_reuses_the_workflow(looping: Engine) -> None:
    case_id = looping.start("loop", "rita", {})
    for n in range(4):
        looping.complete(_round(looping).id, "rita", {"note": f"round {n}", "done": False})
    assert live_cache.stats["hits"] >= 4  # the start's workflow, then each round's
    looping.complete(_round(looping).id, "rita", {"note": "last", "done": True})
    view = looping.case(case_id, "rita")
    assert view.status == "completed" and view.data["note"] == "last"
    assert _notes(looping, case_id) == ["round 0", "round 1", "round 2", "round 3", "last"]
    assert looping.verify(case_id) == []


def test_a_commit_by_another_process_is_never_missed(looping: Engine, other: OtherProcess) -> None:
    """Two processes take turns on one case: each must see the rounds the other completed.

    A stale workflow would not know the round the other process opened, so its completion would be refused
    as "not ready", or would write a history that skips the other's rounds."""
    case_id = looping.start("loop", "rita", {})
    turns = ["here", "other", "other", "here", "here", "other", "here"]
    for n, who in enumerate(turns):
        task, data = _round(looping), {"note": f"{who} {n}", "done": n == len(turns) - 1}
        if who == "here":
            looping.complete(task.id, "rita", data)
        else:
            other.complete(task.id, "rita", data)
    assert _notes(looping, case_id) == [f"{who} {n}" for n, who in enumerate(turns)]
    assert looping.case(case_id, "rita").status == "completed"
    assert looping.verify(case_id) == []
    assert live_cache.stats["moved_on"] >= 2 and other.stats["moved_on"] >= 1  # restored after the other's turn
    assert live_cache.stats["hits"] >= 2 and other.stats["hits"] >= 1  # ...and reused after its own


def test_a_command_that_fails_leaves_no_workflow_behind(looping: Engine) -> None:
    case_id = looping.start("loop", "rita", {})
    looping.complete(_round(looping).id, "rita", {"note": "first", "done": False})
    task = _round(looping)
    with pytest.raises(InvalidInput):
        looping.complete(task.id, "rita", {"note": "x" * 10, "done": "not a boolean"})
    hits = live_cache.stats["hits"]
    looping.complete(task.id, "rita", {"note": "second", "done": True})
    assert live_cache.stats["hits"] == hits + 1  # refused before the case was loaded: still kept
    assert _notes(looping, case_id) == ["first", "second"]


def test_a_workflow_whose_command_rolled_back_is_not_reused(looping: Engine) -> None:
    """The command loads the case (taking its kept workflow) and then fails: the next one restores."""
    case_id = looping.start("loop", "rita", {})
    task = _round(looping)
    with pytest.raises(Conflict, match="already completed"):
        _complete_then_fail(looping, task.id)
    misses = live_cache.stats["absent"]
    looping.complete(task.id, "rita", {"note": "after", "done": True})
    assert live_cache.stats["absent"] == misses + 1  # taken by the failed command, and not put back
    assert _notes(looping, case_id) == ["after"]
    assert looping.case(case_id, "rita").status == "completed"


def _complete_then_fail(engine: Engine, task_id: str) -> None:
    """Complete the task in the workflow, then abort the transaction (as a failure after the engine ran would)."""
    from engine.cases import commands

    def run(conn: Any, now: Any) -> None:
        ctx = engine._ctx(conn, now)
        user = engine._user(conn, "rita")
        commands.complete(ctx, user, task_id, {"note": "rolled back", "done": False})
        commands.complete(ctx, user, task_id, {"note": "again", "done": False})  # completed already: raises

    engine._write(run)


def test_a_spec_changed_after_the_commit_is_not_carried_into_the_next_command(looping: Engine) -> None:
    from engine.runtime import state as st

    case_id = looping.start("loop", "rita", {})
    looping.complete(_round(looping).id, "rita", {"note": "first", "done": False})
    with looping.db.connect() as conn:
        spec_json = looping.versions.latest(conn, "loop").spec_json
    spec, _ = st.specs(spec_json)
    spec.task_specs["rounds"].completed_event.connect(lambda *_: None)  # as a run that hooks a listener would
    changed = live_cache.stats["spec_changed"]
    looping.complete(_round(looping).id, "rita", {"note": "second", "done": True})
    assert live_cache.stats["spec_changed"] == changed + 1
    assert _notes(looping, case_id) == ["first", "second"]
