"""The auditors' per-element statistics come from counters kept in each command's transaction (issue 26 item 6).

Every figure the page shows is compared with a recount done here, in Python, from the events and tasks
themselves (what the statistics counted before the counters existed): after real commands, after a migration
between versions, after the schema migration's backfill, and after completions racing each other.
"""

from __future__ import annotations

import math
import statistics
import threading
from collections import Counter, defaultdict
from typing import Any

from alembic import command
from sqlalchemy import delete, select, update

from engine.audit import stats
from engine.clock import FixedClock
from engine.service import Engine
from engine.store import schema
from engine.store.tables import case_events, cases, element_case_seen, element_counts, element_durations, tasks
from tests.helpers.support import PROCESSES, REQUEST

Row = tuple[str, int, int, float | None, float | None]  # element, cases, runs, median, p90


def _shown(engine: Engine, version: int | None = None) -> list[Row]:
    _, found = engine.element_stats("audrey", "review", version)
    return [(s.element_id, s.cases, s.runs, s.median_seconds, s.p90_seconds) for s in found]


def _recounted(engine: Engine, version: int) -> list[Row]:
    """The statistics of a version worked out from the raw rows: runs and distinct cases per element from the
    events that say it ran, and the median and nearest-rank 90th percentile of its completed tasks' times."""
    with engine.db.connect() as conn:
        vid = engine._version_id(conn, "review", version)
        ran = conn.execute(select(case_events.c.case_id, case_events.c.element_id).where(
            case_events.c.version_id == vid, case_events.c.element_id.is_not(None),
            case_events.c.kind.in_(stats.RAN))).all()
        done = conn.execute(select(tasks.c.element_id, tasks.c.created_at, tasks.c.completed_at)
                            .join(cases, cases.c.id == tasks.c.case_id)
                            .where(cases.c.version_id == vid, tasks.c.state == "completed")).all()
    runs = Counter(e for _, e in ran)
    passed = Counter(e for _, e in set(ran))
    times: dict[str, list[float]] = defaultdict(list)
    for element, created, completed in done:
        times[element].append((completed - created).total_seconds())
    out = []
    for element in sorted(runs):
        values = sorted(times.get(element, []))
        median = statistics.median(values) if values else None
        p90 = values[math.ceil(0.9 * len(values)) - 1] if values else None
        out.append((element, passed[element], runs[element], median, p90))
    return out


def _review(engine: Engine, clock: FixedClock, hours: float, decision: str = "approve") -> str:
    cid = engine.start("review", "rita", REQUEST)
    [task] = [t for t in engine.tasks_for("ralf") if t.case_id == cid]
    clock.advance(hours=hours)
    engine.complete(task.id, "ralf", {"decision": decision, "reason": "ok"})
    return cid


def _acknowledge(engine: Engine, clock: FixedClock, case_id: str, hours: float) -> None:
    [task] = [t for t in engine.tasks_for("rita") if t.case_id == case_id]
    clock.advance(hours=hours)
    engine.complete(task.id, "rita", {})


def _agree(engine: Engine) -> None:
    """`turnus audit live` over every case: each case's part and the summed counters match the events."""
    assert engine.check_live_state() == []


def test_the_figures_after_real_commands_are_a_recount_of_the_events(review: Engine, clock: FixedClock) -> None:
    assert _shown(review) == []
    approved = [_review(review, clock, hours) for hours in (1, 10, 2)]
    _review(review, clock, 3, "reject")
    reminded = review.start("review", "rita", REQUEST)  # waits past its three days: the reminder runs
    clock.advance(days=4)
    assert review.fire_timers() >= 1
    [late] = [t for t in review.tasks_for("ralf") if t.case_id == reminded]
    review.complete(late.id, "ralf", {"decision": "approve"})
    for n, cid in enumerate(approved):
        _acknowledge(review, clock, cid, n + 1)
    review.cancel(review.start("review", "rita", REQUEST), "admin", "withdrawn")
    clock.set(clock.now().replace(year=2027, month=2, day=2))  # past every needed-by date: the cases end
    review.fire_timers()
    shown = _shown(review)
    assert shown == _recounted(review, 1)
    by_id = {row[0]: row for row in shown}
    assert {"classify", "review_task", "decided", "acknowledge", "wait_needed", "approved", "rejected",
            "remind_timer", "note_reminder", "reminded_end"} <= set(by_id)
    assert by_id["review_task"][1:3] == (5, 5) and by_id["classify"][1:3] == (6, 6)
    assert by_id["review_task"][3] == 3 * 3600, "median of 1, 2, 3, 10 h and the reminded case's 4 days"
    assert by_id["review_task"][4] == 4 * 86400, "nearest rank: ceil(0.9 * 5) = the 5th value"
    assert by_id["acknowledge"][1:3] == (3, 3), "the reminded case's acknowledgement is still open"
    assert by_id["remind_timer"][1:3] == (1, 1) and by_id["remind_timer"][3] is None
    _agree(review)


def test_median_and_p90_are_exact_over_times_from_under_a_second_to_weeks(review: Engine, clock: FixedClock) -> None:
    # The times fall in many buckets (a bucket is the whole seconds' digit count and first two digits), on
    # both sides of their edges, twice some; each count's ranks then land in different buckets.
    times = [0.25, 0.999, 1, 9.5, 10, 59, 61, 99, 100, 999.5, 1000, 3600, 3601, 86399, 86400, 1e6, 3.5e6, 61, 0.25]
    for n, secs in enumerate(times, 1):
        _review(review, clock, secs / 3600)
        shown = {r[0]: r for r in _shown(review)}["review_task"]
        assert shown == {r[0]: r for r in _recounted(review, 1)}["review_task"], f"after {n} times"
    assert shown[3:] == (99, 1e6), "the 10th of 19 sorted, and the 18th (ceil(0.9 * 19))"
    _agree(review)


def _v2(engine: Engine) -> None:
    engine.add_user("paula", roles=["process-owner"])
    changed = (PROCESSES / "review.bpmn").read_bytes().replace(b'name="Acknowledge approval"',
                                                               b'name="Acknowledge the approval"')
    assert [r.status for r in engine.deploy_files({"review.bpmn": changed}, "paula")] == ["new"]


def test_a_migrated_case_counts_its_runs_where_they_ran_and_its_times_under_its_new_version(
        review: Engine, clock: FixedClock) -> None:
    fast, slow, _ = (_review(review, clock, h) for h in (1, 10, 4))
    assert {r[0]: r[3] for r in _shown(review)}["review_task"] == 4 * 3600
    _v2(review)
    [moved] = review.migrate("review", 2, "paula", case_ids=[fast])
    assert moved.ok, moved
    _acknowledge(review, clock, fast, 5)
    _acknowledge(review, clock, slow, 7)
    v1, v2 = {r[0]: r for r in _shown(review, 1)}, {r[0]: r for r in _shown(review, 2)}
    assert v1["review_task"][1:3] == (3, 3), "the run happened under version 1 and stays counted there"
    assert v1["review_task"][3] == 7 * 3600, "the times are those of the cases on version 1 now: 4 h and 10 h"
    assert v2["acknowledge"][1:3] == (1, 1) and v1["acknowledge"][1:3] == (1, 1)
    assert "review_task" not in v2, "it never ran under version 2"
    assert _shown(review, 1) == _recounted(review, 1) and _shown(review, 2) == _recounted(review, 2)
    _agree(review)


def test_the_schema_migration_fills_the_counters_from_a_database_filled_before_it(review: Engine,
                                                                                  clock: FixedClock) -> None:
    cids = [_review(review, clock, h, d) for h, d in ((2, "approve"), (6, "reject"), (1, "approve"))]
    _v2(review)
    review.migrate("review", 2, "paula", case_ids=[cids[0]])
    _acknowledge(review, clock, cids[0], 3)
    before = _shown(review, 1), _shown(review, 2)
    cfg = schema.alembic_config(review.db)
    command.downgrade(cfg, "0018_directory")  # the schema before the counters; the events and tasks stay
    command.upgrade(cfg, "head")
    assert (_shown(review, 1), _shown(review, 2)) == before
    assert before == (_recounted(review, 1), _recounted(review, 2))
    _agree(review)
    _review(review, clock, 8)  # and the writer goes on from the filled counters
    assert _shown(review, 1) == _recounted(review, 1)


def test_audit_live_names_counters_that_disagree_with_the_events(review: Engine, clock: FixedClock) -> None:
    cid = _review(review, clock, 2)
    with review.db.begin() as conn:
        conn.execute(delete(element_case_seen).where(element_case_seen.c.case_id == cid,
                                                     element_case_seen.c.element_id == "decided"))
        conn.execute(update(element_durations).values(seconds=1.0))
        conn.execute(update(element_counts).where(element_counts.c.element_id == "classify")
                     .values(runs=element_counts.c.runs + 1))
    assert {f.reason for f in review.check_live_state(cid)} == {"stats_case_uncounted", "stats_duration_differs"}
    found = [f for f in review.check_live_state() if f.reason == "stats_counts_differ"]
    assert [(f.params["element"], f.params["have"], f.params["want"]) for f in found] == [("classify", (2, 1), (1, 1))]


def _race(*calls: Any) -> list[BaseException | None]:
    barrier = threading.Barrier(len(calls))
    results: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            calls[i]()
        except BaseException as err:
            results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_completions_racing_in_different_cases_all_count(review: Engine, clock: FixedClock) -> None:
    cids = [review.start("review", "rita", REQUEST) for _ in range(6)]
    clock.advance(hours=2)
    open_tasks = {t.case_id: t.id for t in review.tasks_for("ralf")}
    done = [lambda tid=open_tasks[c]: review.complete(tid, "ralf", {"decision": "approve"}) for c in cids]
    for first in range(0, 6, 3):
        assert _race(*done[first:first + 3]) == [None, None, None]
    row = {r[0]: r for r in _shown(review)}["review_task"]
    assert row == ("review_task", 6, 6, 2 * 3600, 2 * 3600)
    assert _shown(review) == _recounted(review, 1)
    _agree(review)


def test_an_increment_waits_for_a_concurrent_one_and_adds_to_it(review: Engine) -> None:
    """Two transactions counting the same element: the second waits for the first's row, then adds to it (an
    overwrite with a value read before the first committed would lose one)."""
    cid = review.start("review", "rita", REQUEST)
    with review.db.connect() as conn:
        vid = conn.execute(select(cases.c.version_id).where(cases.c.id == cid)).scalar_one()
    runs_before = {r[0]: r[2] for r in _shown(review)}.get("decided", 0)

    def gateway(case_id: str) -> dict[str, Any]:
        return {"case_id": case_id, "version_id": vid, "element_id": "decided", "kind": "gateway_taken",
                "task_id": None}

    second_done = threading.Event()

    def second() -> None:
        with review.db.connect().execution_options(turnus_write=True) as conn, conn.begin():
            stats.record(conn, [gateway("another-case")])
        second_done.set()

    with review.db.connect().execution_options(turnus_write=True) as conn:
        with conn.begin():
            stats.record(conn, [gateway(cid), gateway(cid)])
            rival = threading.Thread(target=second)
            rival.start()
            assert not second_done.wait(0.5), "the second transaction must wait for the first's counter row"
        rival.join(30)
    assert second_done.is_set()
    row = {r[0]: r for r in _shown(review)}["decided"]
    assert row[1:3] == (2, runs_before + 3), "both transactions' increments are there: 3 runs in 2 cases"
