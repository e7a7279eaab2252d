"""Issue 13: `turnus serve` runs the timer thread in the embedded default and leaves it to workers when told."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _serve_says(tmp_path: Path, timers: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "TURNUS_TIMERS"}
    if timers:
        env["TURNUS_TIMERS"] = timers
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "--db", f"sqlite:///{tmp_path / 't.db'}", "serve",
                             "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("Timers and mail:"):
                break
    finally:
        proc.terminate()
        proc.wait(30)
    return lines


@pytest.mark.parametrize("timers,said", [
    (None, "Timers and mail: run by this process"),
    ("workers", "Timers and mail: left to `turnus worker` processes (TURNUS_TIMERS=workers)"),
])
def test_serve_says_who_runs_the_timers(tmp_path: Path, timers: str | None, said: str) -> None:
    lines = _serve_says(tmp_path, timers)
    assert any(line.startswith("Turnus is running at http://127.0.0.1:") for line in lines), lines
    assert lines[-1] == said, lines
