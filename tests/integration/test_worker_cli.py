"""`turnus worker`: one round with --once, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

from engine.clock import FixedClock
from engine.service import Engine
from tests.conftest import ROOT
from tests.helpers.support import PROCESSES


def _turnus(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "web.cli", "--db", db_url, *args]


def test_worker_once_fires_due_timers_and_sends_the_outbox(engine: Engine, clock: FixedClock, db_url: str) -> None:
    engine.deploy_paths([PROCESSES / "timers.bpmn"], actor="system")
    engine.add_user("rita")
    clock.set(datetime(2020, 1, 6, 8, 0, tzinfo=UTC))  # the worker's real clock is far past the case's timer
    engine.start("timers", "rita", {})
    env = {**os.environ, "TURNUS_SMTP_HOST": ""}
    result = subprocess.run(_turnus(db_url, "worker", "--once"), cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("fired 1, overdue 0, digests 0, sent 1")
    assert [r["status"] for r in engine.outbox_rows()] == ["sent"]


def test_worker_stops_cleanly_on_sigterm(db_url: str, engine: Engine) -> None:
    proc = subprocess.Popen(_turnus(db_url, "worker", "--max-sleep", "60"), cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert "worker running" in (proc.stderr.readline() if proc.stderr else "")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert "worker stopped" in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
