"""TURNUS_TIMERS accepts only "thread" and "workers"; anything else stops Turnus at start-up with one line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import Settings
from engine.errors import SettingInvalid

REFUSAL = "TURNUS_TIMERS='worker' is not known: set it to thread or workers (or leave it unset for thread)"


def test_known_values_and_the_default_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TURNUS_TIMERS", raising=False)
    assert Settings().timers == "thread"
    for value in ("thread", "workers"):
        monkeypatch.setenv("TURNUS_TIMERS", value)
        assert Settings().timers == value


def test_an_unknown_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNUS_TIMERS", "worker")
    with pytest.raises(SettingInvalid) as refused:
        Settings()
    assert str(refused.value) == REFUSAL


@pytest.mark.parametrize("module, command", [("engine.cli", ["init"]), ("web.cli", ["serve", "--port", "0"])])
def test_the_cli_and_serve_exit_1_with_one_line(tmp_path: Path, module: str, command: list[str]) -> None:
    db = tmp_path / "turnus.db"
    result = subprocess.run([sys.executable, "-m", module, "--db", f"sqlite:///{db}", *command],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TURNUS_TIMERS": "worker"})
    assert (result.returncode, result.stderr.strip()) == (1, f"error: {REFUSAL}")
    assert not db.exists()  # refused before the database is touched


def test_the_web_factory_logs_the_refusal_and_does_not_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    from web import create_app

    monkeypatch.setenv("TURNUS_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("TURNUS_TIMERS", "worker")
    with caplog.at_level(logging.ERROR, logger="turnus"), pytest.raises(SettingInvalid):
        create_app()
    assert [r.getMessage() for r in caplog.records] == [f"Turnus is not starting: {REFUSAL}"]
