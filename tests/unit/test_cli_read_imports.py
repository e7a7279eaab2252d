"""`turnus users list`, `turnus tasks` and `turnus case show` read the database only: they must not import the
workflow library, the script sandbox, the XML parser or the web framework (issue: CLI start-up).

Each command runs in a subprocess of its own on a temporary SQLite database set up by `turnus demo` and one
started case, so `tasks` has a task to show. Asserts on the modules imported, never on timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ["SpiffWorkflow", "flask", "RestrictedPython", "lxml"]

PROBE = """
import json, sys
sys.argv = ["turnus", *json.loads(sys.argv[1])]
from web.cli import main
try:
    main()
except SystemExit as done:
    if done.code:
        raise
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""

START_DATA = {"theme_title": "T", "problem_description": "P", "local_relevance": "L", "expected_product": "E",
              "network_type": "laering", "scope": "small", "urgency": "low", "manager": "lars"}


def _turnus(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """The environment of a demo database, and the id of the case started in it."""
    db = Path(tmp_path_factory.mktemp("cli-read")) / "turnus.db"
    env = {**os.environ, "TURNUS_DATABASE_URL": f"sqlite:///{db}"}
    _turnus(env, "demo")
    case_id = _turnus(env, "start", "netvaerksturnus", "--as", "emma", "--data", json.dumps(START_DATA)).split()[0]
    return env, case_id


def _run(env: dict[str, str], *args: str) -> tuple[str, list[str]]:
    """(what the command printed, the top-level packages imported once it finished)."""
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    return "\n".join(out[:-1]), json.loads(out[-1])


# Each command with a line of what it must print, so the probe is known to have read something real.
@pytest.mark.parametrize(("args", "shows"), [(("users", "list"), "sara\tgroups=netvaerkssekretariat"),
                                             (("tasks", "--as", "sara"), "qualify_theme"),
                                             (("case", "show", "{case}", "--as", "sara"), '"theme_title": "T"')],
                         ids=["users list", "tasks --as sara", "case show"])
def test_read_command_imports_no_workflow_or_web_library(demo: tuple[dict[str, str], str], args: tuple[str, ...],
                                                         shows: str) -> None:
    env, case_id = demo
    printed, imported = _run(env, *(a.format(case=case_id) for a in args))
    assert shows in printed
    assert [m for m in HEAVY if m in imported] == []
