"""On SQLite a worker hears other processes' commits through ``PRAGMA data_version`` (checked every second),
not only after TURNUS_WORKER_MAX_SLEEP. SQLite only: PostgreSQL has LISTEN/NOTIFY (test_workers_multiprocess)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.clock import FixedClock
from engine.service import Engine
from engine.worker import SqliteWaiter, waiter_for
from tests.conftest import ROOT
from tests.helpers.support import PROCESSES


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'turnus.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    # the worker runs on the real clock; cases started at this clock have timers long due for it
    eng = Engine.create(sqlite_url, clock=FixedClock(datetime(2020, 1, 6, 8, 0, tzinfo=UTC)))
    eng.deploy_paths([PROCESSES / "timers.bpmn"], actor="system")
    eng.add_user("rita")
    yield eng
    eng.close()


def _turnus(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "web.cli", "--db", db_url, *args]


def test_the_waiter_wakes_on_another_process_commit_only(engine: Engine, sqlite_url: str) -> None:
    waiter = waiter_for(engine)
    try:
        assert isinstance(waiter, SqliteWaiter)
        assert waiter.wait(0) is False
        result = subprocess.run(_turnus(sqlite_url, "deploy", str(PROCESSES / "review.bpmn")), cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert waiter.wait(0) is True
        assert waiter.wait(0) is False  # seen once
    finally:
        waiter.close()


def test_a_sleeping_worker_fires_a_timer_another_process_created(engine: Engine, sqlite_url: str) -> None:
    proc = subprocess.Popen(_turnus(sqlite_url, "worker", "--max-sleep", "600"), cwd=ROOT, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TURNUS_SMTP_HOST": ""})
    try:
        assert "worker running" in (proc.stderr.readline() if proc.stderr else "")
        first = engine.start("timers", "rita", {})
        _wait_for(lambda: len(engine.outbox_rows()) == 1 and engine.outbox_rows()[0]["status"] == "sent")
        second = engine.start("timers", "rita", {})  # the worker is asleep for up to 600 s now
        _wait_for(lambda: len(engine.tasks_for("rita")) == 2)
        assert sorted(t.case_id for t in engine.tasks_for("rita")) == sorted([first, second])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def _wait_for(done, limit: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll for what a real worker process does (a bound far below its 600 s sleep, not a timing claim)."""
    deadline = time.monotonic() + limit
    while not done():
        assert time.monotonic() < deadline, "the worker did not act"
        time.sleep(0.1)
