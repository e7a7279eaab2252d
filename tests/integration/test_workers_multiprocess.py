"""Issue 13's proof: three `turnus worker` processes on PostgreSQL, one killed with SIGKILL midway; every timer
fires exactly once (from the audit events), every mail reaches the SMTP server once, the audit chains hold."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.clock import SystemClock
from engine.notify.sender import RECLAIMED
from engine.service import Engine
from engine.store.tables import case_events, outbox
from tests.conftest import PG_URL, ROOT, _pg_schema
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.support import PROCESSES

CASES = 200
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TURNUS_TEST_POSTGRES_URL): row locks with "
                                                    "SKIP LOCKED and LISTEN/NOTIFY between processes")]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_schema()


def _count(engine: Engine, query: object) -> int:
    with engine.db.connect() as conn:
        return int(conn.execute(query).scalar() or 0)  # type: ignore[call-overload]


def _wait(until: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.2)


def test_three_workers_one_killed_fire_every_timer_and_send_every_mail_once(pg_url: str) -> None:
    smtp = SmtpServer().start()
    engine = Engine.create(pg_url, clock=SystemClock())
    env = {**os.environ, "TURNUS_DATABASE_URL": pg_url, "TURNUS_SMTP_HOST": "127.0.0.1",
           "TURNUS_SMTP_PORT": str(smtp.port), "TURNUS_SMTP_SECURITY": "none", "TURNUS_MAIL_CLAIM_SECONDS": "3",
           "TURNUS_WORKER_MAX_SLEEP": "5"}
    workers: list[subprocess.Popen[bytes]] = []
    try:
        engine.deploy_paths([PROCESSES / "short_timer.bpmn"], actor="system")
        engine.add_user("rita", email="rita@example.org")
        # Due within an 8-second window on the real clock, from 8 s on: wide enough that the kill below comes
        # midway also on a loaded machine (the workers start after the cases, so starting them eats no window).
        first = datetime.now(UTC) + timedelta(seconds=8)
        for i in range(CASES):
            engine.start("short_timer", "rita", {"due": (first + timedelta(milliseconds=40 * i)).isoformat()})
        workers = [subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT, env=env,
                                    stderr=subprocess.DEVNULL) for _ in range(3)]
        fired = select(func.count()).select_from(case_events).where(case_events.c.kind == "timer_fired")
        _wait(lambda: _count(engine, fired) >= CASES // 3, 40)
        assert _count(engine, fired) < CASES, "the kill has to come midway to prove anything"
        workers[0].send_signal(signal.SIGKILL)
        unsent = select(func.count()).select_from(outbox).where(outbox.c.status != "sent")
        _wait(lambda: _count(engine, fired) >= CASES and _count(engine, unsent) == 0, 45)

        with engine.db.connect() as conn:
            per_case = Counter(conn.execute(select(case_events.c.case_id)
                                            .where(case_events.c.kind == "timer_fired")).scalars())
            rows = conn.execute(select(outbox.c.id, outbox.c.status, outbox.c.last_error)).all()
        assert len(per_case) == CASES and set(per_case.values()) == {1}
        assert len(rows) == CASES and {r.status for r in rows} == {"sent"}
        received = Counter(m.message_id for m in smtp.received)
        assert set(received) == {f"<{r.id}@turnus.outbox>" for r in rows}
        # Sent twice only where the killed worker died between the server's acceptance and its "sent" mark,
        # which the row records; no such row may be received more than twice.
        twice = {m for m, n in received.items() if n > 1}
        assert twice <= {f"<{r.id}@turnus.outbox>" for r in rows if r.last_error == RECLAIMED}
        assert max(received.values()) <= 2
        assert engine.verify() == []
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        engine.close()
        smtp.stop()
