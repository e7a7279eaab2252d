"""Issue 14: the README's CLI walk-through works when pasted, exactly as printed.

The block is read out of README.md and run by bash in the repository folder, so a change to either the
README or the CLI that breaks the walk-through breaks this test. Only the database is redirected (to a
fresh SQLite file), as a reader's second terminal would share `make run`'s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

MARKER = "A rotation driven by the CLI alone"


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index(MARKER):]
    match = re.search(r"```sh\n(.*?)```", after, re.S)
    assert match, "the README's walk-through block is missing"
    return match.group(1)


def test_the_walkthrough_block_puts_turnus_on_path_first() -> None:
    first = walkthrough().strip().splitlines()[0]
    assert first.startswith('export PATH="$PWD/.venv/bin:$PATH"'), first


def test_readme_walkthrough_runs_as_printed(tmp_path: Path) -> None:
    if not (ROOT / ".venv" / "bin" / "turnus").exists():
        pytest.skip("the README's set-up has not run here: `make test` creates .venv/bin/turnus")
    if shutil.which("jq") is None:
        pytest.fail("jq is missing: tests/setup-test-deps.sh installs it (the walk-through uses it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TURNUS_")}
    env["TURNUS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'walkthrough.db'}"
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # no venv on PATH: the block must put it there itself
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", walkthrough()], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "deployed netvaerksturnus" in out
    assert "theme_title" in out  # start-form listed the proposal's fields
    assert " claimed" in out and " completed" in out
    assert "status: running" in out
    assert "ledelsesteam" in out  # the case now waits on the leadership team
    assert "completed" in out.split("  data: ")[-1]  # history lists the completed qualification
