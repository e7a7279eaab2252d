"""Per-element statistics of a definition version, computed in the database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from engine.clock import FixedClock
from engine.service import Engine
from tests.helpers.support import REQUEST


def _reviewed_after(engine: Engine, clock: FixedClock, hours: float) -> str:
    cid = engine.start("review", "rita", REQUEST)
    [task] = [t for t in engine.tasks_for("ralf") if t.case_id == cid]
    clock.advance(hours=hours)
    engine.claim(task.id, "ralf")
    engine.complete(task.id, "ralf", {"decision": "approve", "reason": "ok"})
    return cid


def test_median_and_p90_are_exact_for_even_and_odd_counts(review: Engine, clock: FixedClock) -> None:
    for hours in (1, 10, 2, 3):  # even count: median is the mean of the two middle values
        _reviewed_after(review, clock, hours)
    review.start("review", "rita", REQUEST)  # still open: counts as passed by no one, adds no duration
    _, stats = review.element_stats("audrey", "review")
    by_id = {s.element_id: s for s in stats}
    task = by_id["review_task"]
    assert (task.cases, task.runs) == (4, 4)
    assert task.median_seconds == 2.5 * 3600
    assert task.p90_seconds == 10 * 3600, "nearest rank: ceil(0.9 * 4) = the 4th value"
    assert by_id["classify"].median_seconds is None, "script tasks have no waiting time"
    _reviewed_after(review, clock, 5)  # five values 1, 2, 3, 5, 10 (plus the one left open above)
    task = {s.element_id: s for s in review.element_stats("audrey", "review")[1]}["review_task"]
    assert (task.cases, task.median_seconds, task.p90_seconds) == (5, 3 * 3600, 10 * 3600)
