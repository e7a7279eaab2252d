"""Issue 7: races between processes, 100 trials each, on SQLite and PostgreSQL.

The loser of a race is always told precisely what happened; no trial ends in a deadlock, a 500-style
error or an incident on a case that is fine.
"""

from __future__ import annotations

import pytest

from engine.service import Engine
from tests.integration.race import racers
from tests.integration.support import PROCESSES, REQUEST

TRIALS = 100
pytestmark = pytest.mark.slow


def test_same_task_100_trials_one_wins_the_other_hears_who(review: Engine, db_url: str) -> None:
    with racers(db_url) as pool:
        for trial in range(TRIALS):
            case_id = review.start("review", "rita", REQUEST)
            [task] = [t for t in review.tasks_for("ralf") if t.case_id == case_id]
            results = pool.race((task.id, "ralf", {"decision": "approve"}), (task.id, "rosa", {"decision": "reject"}))
            outcomes = sorted(kind for kind, _ in results)
            assert outcomes == ["Conflict", "ok"], (trial, results)
            [winner] = [who for who, (kind, _) in zip(("ralf", "rosa"), results, strict=True) if kind == "ok"]
            loser = next(msg for kind, msg in results if kind != "ok")
            assert f"already completed by {winner}" in loser, (trial, loser)
            view = review.case(case_id, "rita")
            assert view.incident is None and review.verify(case_id) == []


@pytest.fixture
def either(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "either.bpmn"], actor="system")
    engine.add_user("ann")
    engine.add_user("bob")
    return engine


def test_branches_that_cancel_each_other_100_trials(either: Engine, db_url: str) -> None:
    """Finishing either branch ends the case (terminate): one wins, the other is told its task was cancelled."""
    with racers(db_url) as pool:
        for trial in range(TRIALS):
            case_id = either.start("either", "ann", {})
            tasks = {t.element_id: t.id for t in either.case(case_id, "ann").open_tasks}
            results = pool.race((tasks["answer_a"], "ann", {}), (tasks["answer_b"], "bob", {}))
            kinds = sorted(kind for kind, _ in results)
            view = either.case(case_id, "ann")
            assert view.incident is None, (trial, view.incident)
            assert view.status == "completed", (trial, results)
            assert kinds == ["Conflict", "ok"], (trial, results)
            loser = next(msg for kind, msg in results if kind != "ok")
            assert "was cancelled" in loser and "the case ended" in loser, (trial, loser)
            assert either.verify(case_id) == []


@pytest.fixture
def both_fail(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "both_fail.bpmn"], actor="system")
    engine.add_user("ann")
    engine.add_user("bob")
    return engine


def test_two_incidents_recorded_at_once_both_land_20_trials(both_fail: Engine, db_url: str) -> None:
    """Recording an incident is retried like a command: two at once on one case never give a raw error."""
    with racers(db_url) as pool:
        for trial in range(20):
            case_id = both_fail.start("both_fail", "ann", {})
            tasks = {t.element_id: t.id for t in both_fail.case(case_id, "ann").open_tasks}
            results = pool.race((tasks["answer_a"], "ann", {}), (tasks["answer_b"], "bob", {}))
            assert [kind for kind, _ in results] == ["IncidentRaised", "IncidentRaised"], (trial, results)
            history = [e.kind for e in both_fail.history(case_id, None)]
            assert history.count("incident_raised") == 2 and "task_completed" not in history, (trial, history)
            assert both_fail.verify(case_id) == []
