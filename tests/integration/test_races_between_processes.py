"""Issue 7: races between processes, 100 trials each, on SQLite and PostgreSQL.

The loser of a race is always told precisely what happened; no trial ends in a deadlock, a 500-style
error or an incident on a case that is fine.
"""

from __future__ import annotations

import pytest

from engine.service import Engine
from tests.helpers.race import Racers, racers
from tests.helpers.support import PROCESSES, REQUEST

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


def _two_branches(engine: Engine, bpmn: str) -> Engine:
    """A process whose start opens answer_a (for ann) and answer_b (for bob) side by side."""
    engine.deploy_paths([PROCESSES / bpmn], actor="system")
    engine.add_user("ann")
    engine.add_user("bob")
    return engine


def _race_both_branches(engine: Engine, pool: Racers, key: str) -> tuple[str, list[tuple[str, str]]]:
    case_id = engine.start(key, "ann", {})
    tasks = {t.element_id: t.id for t in engine.case(case_id, "ann").open_tasks}
    return case_id, pool.race((tasks["answer_a"], "ann", {}), (tasks["answer_b"], "bob", {}))


def test_branches_that_cancel_each_other_100_trials(engine: Engine, db_url: str) -> None:
    """Finishing either branch ends the case (terminate): one wins, the other is told its task was cancelled."""
    either = _two_branches(engine, "either.bpmn")
    with racers(db_url) as pool:
        for trial in range(TRIALS):
            case_id, results = _race_both_branches(either, pool, "either")
            view = either.case(case_id, "ann")
            assert view.incident is None, (trial, view.incident)
            assert view.status == "completed", (trial, results)
            assert sorted(kind for kind, _ in results) == ["Conflict", "ok"], (trial, results)
            loser = next(msg for kind, msg in results if kind != "ok")
            assert "was cancelled" in loser and "the case ended" in loser, (trial, loser)
            assert either.verify(case_id) == []


def test_two_incidents_recorded_at_once_both_land_20_trials(engine: Engine, db_url: str) -> None:
    """Recording an incident is retried like a command: two at once on one case never give a raw error."""
    both_fail = _two_branches(engine, "both_fail.bpmn")
    with racers(db_url) as pool:
        for trial in range(20):
            case_id, results = _race_both_branches(both_fail, pool, "both_fail")
            assert [kind for kind, _ in results] == ["IncidentRaised", "IncidentRaised"], (trial, results)
            history = [e.kind for e in both_fail.history(case_id, None)]
            assert history.count("incident_raised") == 2 and "task_completed" not in history, (trial, history)
            assert both_fail.verify(case_id) == []
