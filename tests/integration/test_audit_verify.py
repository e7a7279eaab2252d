"""`audit verify` catches every kind of tampering with the history and names the event."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import delete, select, update

from engine.service import Engine
from engine.store.tables import case_events
from tests.helpers.support import REQUEST


@pytest.fixture
def case_id(review: Engine) -> str:
    cid = review.start("review", "rita", REQUEST)
    [task] = review.tasks_for("ralf")
    review.complete(task.id, "ralf", {"decision": "approve", "reason": "ok"})
    review.comment(cid, "rita", "thanks")
    assert len(review.history(cid, None)) >= 6
    return cid


def _sql(engine: Engine, stmt) -> None:
    with engine.db.begin() as conn:
        conn.execute(stmt)


def _events(engine: Engine, case_id: str) -> list:
    with engine.db.connect() as conn:
        return list(conn.execute(select(case_events).where(case_events.c.case_id == case_id)
                                 .order_by(case_events.c.seq)))


def _first(engine: Engine, case_id: str):
    failures = engine.verify(case_id)
    assert failures, "tampering went unnoticed"
    return failures[0]


def test_intact_history_verifies(review: Engine, case_id: str) -> None:
    assert review.verify(case_id) == [] and review.verify() == []


def test_edited_payload_is_named(review: Engine, case_id: str) -> None:
    ev = _events(review, case_id)[3]
    payload = json.loads(ev.payload_json) | {"forged": True}
    _sql(review, update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == ev.seq)
         .values(payload_json=json.dumps(payload)))
    failure = _first(review, case_id)
    assert failure.seq == ev.seq and "changed" in failure.problem


def test_edited_actor_is_named(review: Engine, case_id: str) -> None:
    ev = next(e for e in _events(review, case_id) if e.kind == "task_completed")
    _sql(review, update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == ev.seq)
         .values(actor="rosa"))
    assert _first(review, case_id).seq == ev.seq


def test_deleted_event_is_named(review: Engine, case_id: str) -> None:
    _sql(review, delete(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == 2))
    failure = _first(review, case_id)
    assert failure.seq == 2 and "missing" in failure.problem


def test_deleted_tail_is_caught(review: Engine, case_id: str) -> None:
    last = _events(review, case_id)[-1].seq
    _sql(review, delete(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == last))
    assert "removed from the end" in _first(review, case_id).problem


def test_inserted_event_is_named(review: Engine, case_id: str) -> None:
    events = _events(review, case_id)
    # Shift the later events up by one and insert a forged event in the gap, copying a real hash.
    with review.db.begin() as conn:
        for ev in reversed(events[2:]):
            conn.execute(update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == ev.seq)
                         .values(seq=ev.seq + 1))
        forged = {c: getattr(events[1], c) for c in events[1]._fields} | {"seq": 3, "actor": "mallory"}
        conn.execute(case_events.insert().values(**forged))
    assert _first(review, case_id).seq == 3


def test_reordered_events_are_named(review: Engine, case_id: str) -> None:
    events = _events(review, case_id)
    a, b = events[2], events[3]
    with review.db.begin() as conn:
        conn.execute(update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == a.seq)
                     .values(seq=-1))
        conn.execute(update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == b.seq)
                     .values(seq=a.seq))
        conn.execute(update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == -1)
                     .values(seq=b.seq))
    assert _first(review, case_id).seq == a.seq


def test_cli_verify_exit_codes(review: Engine, case_id: str, db_url: str) -> None:
    cmd = [sys.executable, "-m", "engine.cli", "--db", db_url, "audit", "verify", case_id]
    ok = subprocess.run(cmd, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.strip() == "intact"
    _sql(review, update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == 4)
         .values(kind="comment_added"))
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert bad.returncode == 1 and f"case {case_id}, event 4" in bad.stderr
