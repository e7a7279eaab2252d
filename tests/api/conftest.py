"""A live `turnus serve` in a subprocess on a free port, on SQLite and (when TURNUS_TEST_POSTGRES_URL is set)
PostgreSQL, with the review process deployed and API tokens made by the command line as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _backends, _pg_schema

ROOT = Path(__file__).resolve().parents[2]
TURNUS = str(Path(sys.executable).parent / "turnus")
REVIEW = ROOT / "tests" / "integration" / "processes" / "review.bpmn"


@dataclass
class Live:
    url: str  # http://127.0.0.1:PORT
    db: str
    tokens: dict[str, str]  # user -> a token with every scope


def turnus(db: str, *args: str) -> str:
    done = subprocess.run([TURNUS, "--db", db, *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def _serve(db: str, tmp: Path) -> Iterator[Live]:
    turnus(db, "init")
    turnus(db, "deploy", str(REVIEW))
    turnus(db, "users", "add", "admin", "--role", "admin")
    turnus(db, "users", "add", "rita")
    turnus(db, "users", "add", "ralf", "--group", "reviewers")
    tokens = {u: turnus(db, "tokens", "add", u, "--scope", "admin").strip().splitlines()[-1]
              for u in ("admin", "rita", "ralf")}
    env = {**os.environ, "TURNUS_SECRET_KEY": "api-test-secret", "TURNUS_INSTANCE_DIR": str(tmp),
           "TURNUS_TIMER_INTERVAL": "0"}
    proc = subprocess.Popen([TURNUS, "--db", db, "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "running at" in line, line
        url = line.split("running at ")[1].split("/ ")[0]
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield Live(url, db, tokens)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module", params=_backends())
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("api-live")
    if request.param == "sqlite":
        yield from _serve(f"sqlite:///{tmp / 'api.db'}", tmp)
    else:
        for url in _pg_schema():
            yield from _serve(url, tmp)
