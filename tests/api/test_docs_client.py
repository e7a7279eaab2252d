"""docs/API.md's Python client, run exactly as written against a live `turnus serve`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.api.conftest import ROOT, Live


def test_the_documented_client_runs_as_written(live: Live) -> None:
    text = (ROOT / "docs" / "API.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    env = {**os.environ, "TURNUS_URL": live.url, "TURNUS_TOKEN": live.tokens["rita"],
           "REVIEWER_TOKEN": live.tokens["ralf"]}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert lines[0].startswith("started ") and "/api/v1/cases/" in lines[0]
    assert lines[1] == "form fields: ['decision', 'reason']"
    assert lines[2] == "case is now running"  # approved: the requester acknowledges next
