"""Issue 23: external tasks. A service task with camunda:type="external" waits for an outside worker, which fetches
and locks it, then completes it (the case runs on) or reports a failure; a lock that expired makes the task
fetchable again, and a worker that no longer holds it is refused and changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.service import Engine
from engine.store.tables import external_tasks
from tests.helpers.external_models import deploy


@pytest.fixture
def eng(engine: Engine) -> Engine:
    deploy(engine, "pay", "pay_divide", "parcels", "pay_or_late", "pay_and_sign")
    engine.add_user("rita")
    engine.add_user("hr", roles=["integration"])
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor", "integration"])
    return engine


def _kinds(engine: Engine, case_id: str) -> list[str]:
    return [e.kind for e in engine.history(case_id, None)]


def test_a_case_waits_for_the_worker_which_completes_it_with_data(eng: Engine) -> None:
    case_id = eng.start("pay", "rita")
    assert eng.case(case_id, None).open_tasks == [], "an external task is nobody's inbox task"
    assert eng.tasks_for("rita") == []
    (task,) = eng.fetch_and_lock("hr", "worker-1", {"payments": 30_000, "other": 1000}, max_tasks=10)
    assert (task.case_id, task.element_id, task.topic, task.worker_id) == (case_id, "charge", "payments", "worker-1")
    assert task.variables["amount"] == 120 and task.retries is None
    assert eng.fetch_and_lock("hr", "worker-2", {"payments": 30_000}, 10) == [], "a locked task is not fetched"
    eng.complete_external(task.id, "hr", "worker-1", {"receipt": "R-17"})
    case = eng.case(case_id, None)
    assert case.data["receipt"] == "R-17" and [t.element_id for t in case.open_tasks] == ["confirm"]
    kinds = _kinds(eng, case_id)
    assert kinds.index("external_task_created") < kinds.index("external_task_completed") < kinds.index(
        "task_created")
    done = next(e for e in eng.history(case_id, None) if e.kind == "external_task_completed")
    assert (done.actor, done.payload["worker"], done.payload["data"]) == ("hr", "worker-1", {"receipt": "R-17"})
    with pytest.raises(Conflict) as again:
        eng.complete_external(task.id, "hr", "worker-1", {})
    assert again.value.reason == "external_task_closed"
    assert eng.verify(case_id) == []


def test_an_expired_lock_makes_the_task_fetchable_and_the_late_worker_is_refused(eng: Engine,
                                                                                 clock: FixedClock) -> None:
    case_id = eng.start("pay", "rita")
    (first,) = eng.fetch_and_lock("hr", "slow", {"payments": 1000})
    clock.advance(seconds=2)
    (second,) = eng.fetch_and_lock("hr", "fast", {"payments": 60_000})
    assert second.id == first.id and second.worker_id == "fast"
    with pytest.raises(Conflict) as late:
        eng.complete_external(first.id, "hr", "slow", {"receipt": "slow"})
    assert late.value.reason == "external_task_not_held" and "another worker holds it" in str(late.value)
    eng.complete_external(second.id, "hr", "fast", {"receipt": "fast"})
    assert eng.case(case_id, None).data["receipt"] == "fast"
    assert _kinds(eng, case_id).count("external_task_completed") == 1


def test_an_expired_lock_nobody_took_is_not_held_either(eng: Engine, clock: FixedClock) -> None:
    eng.start("pay", "rita")
    (task,) = eng.fetch_and_lock("hr", "slow", {"payments": 1000})
    clock.advance(seconds=1)
    with pytest.raises(Conflict, match="nobody holds it"):
        eng.complete_external(task.id, "hr", "slow", {})
    with pytest.raises(Conflict, match="nobody holds it"):
        eng.extend_external_lock(task.id, "hr", "slow", 5000)


def test_extending_the_lock_keeps_other_workers_away(eng: Engine, clock: FixedClock) -> None:
    eng.start("pay", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 1000})
    with pytest.raises(Conflict):
        eng.extend_external_lock(task.id, "hr", "w2", 5000)
    until = eng.extend_external_lock(task.id, "hr", "w1", 10_000)
    assert until == clock.now() + timedelta(seconds=10)
    clock.advance(seconds=5)
    assert eng.fetch_and_lock("hr", "w2", {"payments": 1000}) == []
    clock.advance(seconds=6)
    assert [t.worker_id for t in eng.fetch_and_lock("hr", "w2", {"payments": 1000})] == ["w2"]


def test_a_failure_waits_its_timeout_and_no_retries_left_is_an_incident(eng: Engine, clock: FixedClock) -> None:
    case_id = eng.start("pay", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    assert eng.fail_external(task.id, "hr", "w1", "bank down", retries=2, retry_timeout_ms=5000) is False
    assert eng.fetch_and_lock("hr", "w1", {"payments": 60_000}) == [], "not before the retry timeout"
    clock.advance(seconds=5)
    (again,) = eng.fetch_and_lock("hr", "w2", {"payments": 60_000})
    assert (again.retries, again.error_message) == (2, "bank down")
    assert eng.fail_external(again.id, "hr", "w2", "bank still down", retries=0) is True
    incident = eng.case(case_id, None).incident
    assert incident is not None and incident["message"] == "bank still down" and incident["element_id"] == "charge"
    clock.advance(hours=1)
    assert eng.fetch_and_lock("hr", "w2", {"payments": 60_000}) == [], "an incident waits for an administrator"
    (listed,) = eng.incidents("admin")
    assert (listed.case_id, listed.command, listed.error_kind) == (case_id, "external_task", "external")
    eng.retry_incident(case_id, "admin", listed.token, "the bank is back")
    assert eng.case(case_id, None).incident is None
    (third,) = eng.fetch_and_lock("hr", "w3", {"payments": 60_000})
    assert third.retries == 1
    eng.complete_external(third.id, "hr", "w3", {"receipt": "R-1"})
    kinds = _kinds(eng, case_id)
    assert kinds.count("external_task_failed") == 2 and "incident_retried" in kinds
    assert eng.verify(case_id) == []


def test_a_failure_from_a_worker_that_does_not_hold_the_task_changes_nothing(eng: Engine) -> None:
    case_id = eng.start("pay", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    before = _kinds(eng, case_id)
    with pytest.raises(Conflict):
        eng.fail_external(task.id, "hr", "w2", "not mine", retries=0)
    assert _kinds(eng, case_id) == before and eng.case(case_id, None).incident is None


def test_a_script_failing_after_the_completion_undoes_it_and_the_retry_uses_the_workers_data(eng: Engine) -> None:
    case_id = eng.start("pay_divide", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    with pytest.raises(IncidentRaised):
        eng.complete_external(task.id, "hr", "w1", {"divisor": 0})
    assert "external_task_completed" not in _kinds(eng, case_id), "the failed completion changed nothing"
    (incident,) = eng.incidents("admin")
    assert (incident.command, incident.element_id) == ("external_complete", "share")
    eng.correct_and_retry(case_id, "admin", incident.token, {"divisor": 4}, "the worker reported 0")
    case = eng.case(case_id, None)
    assert case.status == "completed" and case.data["share"] == 25
    assert _kinds(eng, case_id).count("external_task_completed") == 1
    assert eng.verify(case_id) == []


def test_a_boundary_timer_ends_the_wait_and_the_worker_is_told(eng: Engine, clock: FixedClock) -> None:
    case_id = eng.start("pay_or_late", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 3 * 3600_000})
    clock.advance(hours=1, seconds=1)
    eng.fire_timers()
    assert eng.case(case_id, None).status == "completed"
    assert "external_task_cancelled" in _kinds(eng, case_id)
    with pytest.raises(Conflict) as gone:
        eng.complete_external(task.id, "hr", "w1", {})
    assert gone.value.reason == "external_task_closed" and "cancelled" in str(gone.value)


def test_each_instance_of_a_multi_instance_external_task_is_its_own_task(eng: Engine) -> None:
    case_id = eng.start("parcels", "rita")
    found = eng.fetch_and_lock("hr", "w1", {"shipping": 60_000}, max_tasks=10)
    assert sorted(t.variables["item"] for t in found) == ["a", "b", "c"]
    assert len({t.id for t in found}) == 3
    for task in found[:2]:
        eng.complete_external(task.id, "hr", "w1", {"item": task.variables["item"].upper()})
    assert eng.case(case_id, None).open_tasks == [], "the case waits for the third parcel"
    eng.complete_external(found[2].id, "hr", "w1", {})
    case = eng.case(case_id, None)
    assert [t.element_id for t in case.open_tasks] == ["confirm"]
    assert sorted(case.data["items"]) == sorted([found[0].variables["item"].upper(),
                                                 found[1].variables["item"].upper(), found[2].variables["item"]])
    assert eng.verify(case_id) == []


def test_cancelling_the_case_closes_its_external_tasks(eng: Engine) -> None:
    case_id = eng.start("parcels", "rita")
    found = eng.fetch_and_lock("hr", "w1", {"shipping": 60_000}, max_tasks=10)
    eng.cancel(case_id, "admin", "ordered by mistake")
    assert _kinds(eng, case_id).count("external_task_cancelled") == 3
    assert eng.fetch_and_lock("hr", "w2", {"shipping": 60_000}, max_tasks=10) == []
    with pytest.raises(Conflict):
        eng.complete_external(found[0].id, "hr", "w1", {})


def test_only_administrators_and_integration_accounts_work_external_tasks(eng: Engine) -> None:
    eng.start("pay", "rita")
    for who in ("rita", "audrey"):  # audrey's auditor role is read-only, whatever else she holds
        with pytest.raises(Forbidden) as refused:
            eng.fetch_and_lock(who, "w", {"payments": 1000})
        assert refused.value.reason == "external_not_allowed"
    (task,) = eng.fetch_and_lock("admin", "w", {"payments": 60_000})
    with pytest.raises(Forbidden):
        eng.complete_external(task.id, "rita", "w", {})
    with pytest.raises(InvalidInput) as bad:
        eng.complete_external(task.id, "admin", "w", {"_secret": 1})
    assert bad.value.reason == "data_key_invalid"
    with pytest.raises(InvalidInput):
        eng.fetch_and_lock("admin", "w", {"payments": 0})
    eng.complete_external(task.id, "admin", "w", {})


def test_concurrent_fetchers_each_task_done_exactly_once(eng: Engine) -> None:
    """Several workers at once (PostgreSQL: SKIP LOCKED; SQLite: one writer at a time): every task is fetched by
    exactly one worker, and each case goes on exactly once."""
    cases = [eng.start("pay", "rita") for _ in range(12)]
    fetched: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)
    lock = threading.Lock()

    def work(worker: str) -> None:
        barrier.wait()
        try:
            while True:
                found = eng.fetch_and_lock("hr", worker, {"payments": 60_000}, max_tasks=3)
                if not found:
                    return
                for task in found:
                    with lock:
                        fetched.setdefault(task.id, []).append(worker)
                    eng.complete_external(task.id, "hr", worker, {"paid_by": worker})
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(fetched) == 12 and all(len(workers) == 1 for workers in fetched.values()), fetched
    for case_id in cases:
        assert _kinds(eng, case_id).count("external_task_completed") == 1
        view = eng.case(case_id, None)
        assert [t.element_id for t in view.open_tasks] == ["confirm"]
        assert view.data["paid_by"] == fetched[next(iter(
            e.task_id for e in eng.history(case_id, None) if e.kind == "external_task_created"))][0]


def test_a_fetch_passes_over_a_row_another_transaction_holds(eng: Engine) -> None:
    """PostgreSQL: a fetcher never waits for a row another fetcher is locking (FOR UPDATE SKIP LOCKED)."""
    if eng.db.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is no row lock to pass over")
    first, second = eng.start("pay", "rita"), eng.start("pay", "rita")
    with eng.db.connect() as other, other.begin():
        held = other.execute(select(external_tasks.c.id).where(external_tasks.c.case_id == first)
                             .with_for_update()).scalar_one()
        found = eng.fetch_and_lock("hr", "w1", {"payments": 60_000}, max_tasks=5)
        assert [t.case_id for t in found] == [second] and held not in {t.id for t in found}
    assert [t.case_id for t in eng.fetch_and_lock("hr", "w2", {"payments": 60_000}, max_tasks=5)] == [first]


def test_the_incident_of_a_task_without_retries_outlives_work_elsewhere_in_the_case(eng: Engine) -> None:
    """Every commit clears a case's incident; one of an external task with no retries left stays until an
    administrator retries it, even when a person completes a task in another branch meanwhile."""
    case_id = eng.start("pay_and_sign", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    eng.fail_external(task.id, "hr", "w1", "bank down", retries=0)
    (sign,) = eng.case(case_id, None).open_tasks
    eng.complete(sign.id, "rita", {})
    assert eng.case(case_id, None).incident["message"] == "bank down"
    assert eng.fetch_and_lock("hr", "w1", {"payments": 60_000}) == []
    (incident,) = eng.incidents("admin")
    eng.retry_incident(case_id, "admin", incident.token, "bank is back")
    (again,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    eng.complete_external(again.id, "hr", "w1", {})
    assert eng.case(case_id, None).status == "completed"
    assert eng.verify(case_id) == []


def test_case_retry_at_the_command_line_gives_the_task_another_try(eng: Engine) -> None:
    case_id = eng.start("pay", "rita")
    (task,) = eng.fetch_and_lock("hr", "w1", {"payments": 60_000})
    eng.fail_external(task.id, "hr", "w1", "bank down", retries=0)
    eng.retry(case_id, "admin")  # `turnus case retry`
    assert eng.case(case_id, None).incident is None
    assert [t.retries for t in eng.fetch_and_lock("hr", "w1", {"payments": 60_000})] == [1]
