"""Webhooks against a real local HTTP receiver: case events become signed deliveries written in the event's
transaction; a failing or slow receiver gets retries with back-off and then the delivery is "failed" and listed
to administrators; resend and discard; two senders never deliver one twice; a rolled-back command sends nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from engine.cases.incidents import IncidentRaised
from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.scheduler import TimerThread
from engine.service import Engine
from engine.webhooks import kinds
from engine.worker import TimerLoop
from tests.helpers.support import PROCESSES
from tests.helpers.webhook_receiver import Receiver, receiver


@pytest.fixture
def eng(engine: Engine) -> Engine:
    engine.settings = replace(engine.settings, webhook_max_attempts=3, webhook_retry_seconds=30,
                              webhook_retry_max_seconds=45, webhook_timeout_seconds=0.5)
    engine.deploy_paths([PROCESSES / "incident.bpmn"], actor="system")
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"])
    return engine


@pytest.fixture
def hook(eng: Engine) -> Iterator[Receiver]:
    with receiver() as rec:
        info, rec.secret = eng.add_webhook(rec.url, kinds.KINDS, "admin")
        rec.hook_id = info.id  # type: ignore[attr-defined]
        yield rec


def _task(eng: Engine) -> str:
    [task] = eng.tasks_for("rita")
    return task.id


def test_case_events_arrive_signed_in_order(eng: Engine, hook: Receiver, clock: FixedClock) -> None:
    with receiver() as finished_only:
        _, finished_only.secret = eng.add_webhook(finished_only.url, ["case.finished"], "admin")
        case_id = eng.start("incident", "rita", {})
        with pytest.raises(IncidentRaised):  # the completion is rolled back; the incident is recorded
            eng.complete(_task(eng), "rita", {"divisor": 0})
        eng.complete(_task(eng), "rita", {"divisor": 4})
        done = TimerLoop(eng, 1.0).tick()  # the timer loop posts them
        assert done["webhooks"] == 6
        assert finished_only.events() == ["case.finished"]
    assert hook.events() == ["case.started", "task.created", "incident.raised", "task.completed", "case.finished"]
    assert all(r.signed for r in hook.got)
    assert all(r.id.startswith("msg_") for r in hook.got) and len({r.id for r in hook.got}) == 5
    assert {r.timestamp for r in hook.got} == {int(clock.now().timestamp())}
    started, created, incident, completed, finished = (r.body["data"] for r in hook.got)
    assert {d["case_id"] for d in (started, created, incident, completed, finished)} == {case_id}
    assert started["process"] == "incident" and started["actor"] == "rita"
    assert created["name"] == "Enter numbers" and created["task_id"] == completed["task_id"]
    assert incident["element_id"] == "compute" and "ZeroDivisionError" in incident["message"]
    assert finished["outcome"] == "completed"
    assert "data" not in completed  # form values stay in Turnus: the receiver reads them through the API
    assert [d.status for d in eng.webhook_deliveries("admin")] == ["delivered"] * 6
    assert eng.webhook_deliveries("admin", waiting_only=True) == []
    assert TimerLoop(eng, 1.0).tick()["webhooks"] == 0  # nothing goes twice
    assert len(hook.got) == 5


def test_a_rolled_back_command_leaves_no_delivery(eng: Engine, hook: Receiver) -> None:
    eng.start("incident", "rita", {})
    task = _task(eng)
    before = len(eng.webhook_deliveries("admin"))
    with pytest.raises(IncidentRaised):
        eng.complete(task, "rita", {"divisor": 0})
    after = eng.webhook_deliveries("admin")
    # only the incident, recorded in a transaction of its own; no task.completed from the rolled-back command
    assert [d.event for d in after[: len(after) - before]] == ["incident.raised"]
    eng.deliver_webhooks()
    assert "task.completed" not in hook.events()


def test_failing_receiver_backs_off_then_fails_and_is_listed(eng: Engine, hook: Receiver,
                                                              clock: FixedClock) -> None:
    hook.status = 500
    eng.start("incident", "rita", {})
    report = eng.deliver_webhooks()
    assert (report.delivered, report.retrying) == (0, 2)
    [first, _] = eng.webhook_deliveries("admin")
    assert first.attempts == 1 and first.status == "pending" and "HTTP 500" in (first.last_error or "")
    assert first.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert eng.deliver_webhooks().retrying == 0 and hook.attempts == 2  # not due yet: nothing sent
    clock.advance(seconds=30)
    assert eng.deliver_webhooks().retrying == 2 and hook.attempts == 4
    assert eng.webhook_deliveries("admin")[0].next_attempt_at == clock.now() + timedelta(seconds=45)  # capped
    clock.advance(seconds=44)
    assert eng.deliver_webhooks().retrying == 0
    clock.advance(seconds=1)
    assert eng.deliver_webhooks().given_up == 2 and hook.attempts == 6
    failed = eng.webhook_deliveries("admin", failed_only=True)
    assert [(d.status, d.attempts) for d in failed] == [("failed", 3), ("failed", 3)]
    assert failed[0].url == hook.url and "HTTP 500" in (failed[0].last_error or "")
    clock.advance(days=1)
    assert eng.deliver_webhooks().delivered == 0 and hook.attempts == 6  # given up: no more tries
    with pytest.raises(Forbidden):
        eng.webhook_deliveries("audrey")
    # the receiver is fixed: one is resent, the other discarded, both with a reason in the administrators' log
    hook.status = 204
    with pytest.raises(InvalidInput):
        eng.resend_webhook(failed[0].id, "admin", " ")
    eng.resend_webhook(failed[0].id, "admin", "Receiver fixed")
    eng.discard_webhook(failed[1].id, "admin", "Not needed")
    assert eng.deliver_webhooks().delivered == 1
    assert [r.id for r in hook.got] == [failed[0].id] and hook.got[0].signed
    with pytest.raises(Conflict) as err:
        eng.resend_webhook(failed[1].id, "admin", "changed my mind")
    assert err.value.reason == "delivery_moved"
    with pytest.raises(NotFound):
        eng.discard_webhook("msg_nope", "admin", "typo")
    assert [(e.action, e.reason) for e in eng.admin_log("audrey", "webhook_delivery:")] == [
        ("webhook_discarded", "Not needed"), ("webhook_resent", "Receiver fixed")]


def test_a_receiver_that_does_not_answer_in_time_is_retried(eng: Engine, hook: Receiver,
                                                             clock: FixedClock) -> None:
    hook.delay = 1.5  # longer than the 0.5 s timeout
    eng.start("incident", "rita", {})
    assert eng.deliver_webhooks(limit=1).retrying == 1
    tried = [d for d in eng.webhook_deliveries("admin") if d.attempts == 1]
    assert len(tried) == 1 and tried[0].status == "pending" and "timed out" in (tried[0].last_error or "")
    assert tried[0].next_attempt_at == clock.now() + timedelta(seconds=30)
    assert hook.got == []


def test_two_senders_deliver_each_once(eng: Engine, hook: Receiver, db_url: str, clock: FixedClock) -> None:
    hook.delay = 0.005
    for _ in range(12):
        eng.start("incident", "rita", {})
    other = Engine.create(db_url, clock=clock, settings=eng.settings)  # a second process's engine
    try:
        errors: list[BaseException] = []

        def run(e: Engine) -> None:
            try:
                e.deliver_webhooks()
            except BaseException as err:  # reported below
                errors.append(err)
        threads = [threading.Thread(target=run, args=(e,)) for e in (eng, other, eng)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    finally:
        other.close()
    assert not errors
    ids = [r.id for r in hook.got]
    assert len(ids) == 24 and len(set(ids)) == 24
    assert {d.status for d in eng.webhook_deliveries("admin")} == {"delivered"}


def test_subscriptions_refused_listed_and_removed(eng: Engine, hook: Receiver) -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "http://", "example.org/hook",
                "http://user:pw@example.org/hook", "http://example.org:port/"):
        with pytest.raises(InvalidInput) as err:
            eng.add_webhook(url, ["case.started"], "admin")
        assert err.value.reason in ("webhook_url", "webhook_url_credentials"), url
    with pytest.raises(InvalidInput) as err:
        eng.add_webhook(hook.url, ["case.paused"], "admin")
    assert err.value.reason == "webhook_unknown_event"
    with pytest.raises(InvalidInput) as err:
        eng.add_webhook(hook.url, [], "admin")
    assert err.value.reason == "webhook_no_events"
    with pytest.raises(Forbidden):
        eng.add_webhook(hook.url, ["case.started"], "rita")
    [listed] = eng.webhooks("admin")
    assert listed.url == hook.url and listed.events == kinds.KINDS and listed.created_by == "admin"
    assert not hasattr(listed, "secret")
    eng.start("incident", "rita", {})
    eng.remove_webhook(listed.id, "admin")  # its waiting deliveries go with it
    assert eng.webhooks("admin") == [] and eng.deliver_webhooks().delivered == 0 and hook.got == []
    assert {d.status for d in eng.webhook_deliveries("admin")} == {"discarded"}
    eng.start("incident", "rita", {})
    assert len(eng.webhook_deliveries("admin")) == 2  # none for the removed webhook
    with pytest.raises(NotFound):
        eng.remove_webhook(listed.id, "admin")
    assert [e.action for e in eng.admin_log("audrey", "webhook:")] == ["webhook_removed", "webhook_added"]


def test_the_timer_thread_of_serve_posts_soon_after_commit(eng: Engine, hook: Receiver) -> None:
    thread = TimerThread(eng, interval=30.0)  # asleep for 30 s unless a commit wakes it
    thread.start()
    try:
        time.sleep(0.2)  # its first round has run and it sleeps
        eng.start("incident", "rita", {})
        deadline = time.monotonic() + 5
        while len(hook.got) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        thread.stop()
        thread.join(5)
    assert sorted(hook.events()) == ["case.started", "task.created"]
