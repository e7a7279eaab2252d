"""Two people at the same moment: same task → one wins, one is told who; different tasks → both win."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

from engine.errors import Conflict
from engine.service import Engine
from tests.helpers.support import PROCESSES, REQUEST


def _race(*calls: Callable[[], None]) -> list[BaseException | None]:
    barrier = threading.Barrier(len(calls))
    results: list[BaseException | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], None]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as err:
            results[i] = err

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_same_task_two_threads_exactly_one_wins(review: Engine, attempt: int) -> None:
    case_id = review.start("review", "rita", REQUEST)
    [task] = review.tasks_for("ralf")
    results = _race(lambda: review.complete(task.id, "ralf", {"decision": "approve"}),
                    lambda: review.complete(task.id, "rosa", {"decision": "reject"}))
    winners = [r for r in results if r is None]
    losers = [r for r in results if r is not None]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], Conflict) and "already completed by" in str(losers[0])
    completed = [e for e in review.history(case_id, None) if e.kind == "task_completed"]
    assert len(completed) == 1 and f"completed by {completed[0].actor}" in str(losers[0])
    assert review.verify(case_id) == []


@pytest.fixture
def parallel(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "parallel.bpmn"], actor="system")
    engine.add_user("ann", groups=["team"])
    engine.add_user("bob", groups=["team"])
    return engine


@pytest.mark.parametrize("attempt", range(3))
def test_different_tasks_of_one_case_both_succeed(parallel: Engine, attempt: int) -> None:
    case_id = parallel.start("parallel", "ann", {})
    tasks = {t.element_id: t.id for t in parallel.tasks_for("ann")}
    results = _race(lambda: parallel.complete(tasks["approve_a"], "ann", {"a_ok": True}),
                    lambda: parallel.complete(tasks["approve_b"], "bob", {"b_ok": True}))
    assert results == [None, None]
    view = parallel.case(case_id, "ann")
    assert view.status == "completed" and view.end_event == "end"
    assert view.data["a_ok"] is True and view.data["b_ok"] is True
    assert parallel.verify(case_id) == []


def test_same_task_two_processes_exactly_one_wins(review: Engine, db_url: str) -> None:
    case_id = review.start("review", "rita", REQUEST)
    [task] = review.tasks_for("ralf")
    env = {**os.environ, "TURNUS_DATABASE_URL": db_url}
    procs = [subprocess.Popen([sys.executable, "-m", "engine.cli", "complete", task.id, "--as", who,
                               "--data", '{"decision": "approve"}'], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for who in ("ralf", "rosa")]
    outcomes = [(p.wait(120), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in outcomes)
    assert codes == [0, 1], outcomes
    loser = next(err for code, _, err in outcomes if code == 1)
    assert "already completed by" in loser and loser.count("\n") == 1
    assert [e.kind for e in review.history(case_id, None)].count("task_completed") == 1


def test_different_tasks_two_processes_both_succeed(parallel: Engine, db_url: str) -> None:
    case_id = parallel.start("parallel", "ann", {})
    tasks = {t.element_id: t.id for t in parallel.tasks_for("ann")}
    env = {**os.environ, "TURNUS_DATABASE_URL": db_url}
    procs = [subprocess.Popen([sys.executable, "-m", "engine.cli", "complete", tasks[eid], "--as", who],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for eid, who in (("approve_a", "ann"), ("approve_b", "bob"))]
    outcomes = [(p.wait(120), p.stderr.read()) for p in procs]
    assert [c for c, _ in outcomes] == [0, 0], outcomes
    assert parallel.case(case_id, None).status == "completed"
