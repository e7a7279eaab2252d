"""Running `turnus` as a real process, as an operator would: the output of a command that worked, and the one
clear line of one that was refused."""

from __future__ import annotations

import os
import subprocess
import sys


def turnus(db_url: str, *args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", "--db", db_url, *args], capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})}, timeout=120)


def ok(db_url: str, *args: str, **kw) -> str:
    result = turnus(db_url, *args, **kw)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(db_url: str, *args: str, code: int = 1) -> str:
    result = turnus(db_url, *args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr.strip()


def web_turnus(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`turnus` through web.cli, the entry point that also knows `serve`."""
    return subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "--db", db_url, *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)
