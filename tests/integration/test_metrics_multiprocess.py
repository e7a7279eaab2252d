"""Issue 24: /metrics under gunicorn with two processes (prometheus-client's multiprocess mode, as
deploy/gunicorn.conf.py and the systemd unit run it): the request histograms add up what both processes served,
and the database figures are the same whichever process answers."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine.service import Engine

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _pids(folder: Path) -> set[str]:
    return {m.group(1) for m in (re.search(r"_(\d+)\.db$", p.name) for p in folder.iterdir()) if m}


def test_two_gunicorn_processes_report_together(review: Engine, db_url: str, tmp_path: Path) -> None:
    review.start("review", "rita", {"title": "New chairs", "amount": 300, "needed_by": "2027-02-01"})
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TURNUS_")},
           "TURNUS_DATABASE_URL": db_url, "TURNUS_SECRET_KEY": "test", "TURNUS_TIMERS": "workers",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "TURNUS_BIND": f"127.0.0.1:{port}",
           "TURNUS_WEB_PROCESSES": "2", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], env=env,
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        served = 0
        while True:
            try:
                _get(base + "/healthz")
                served += 1
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # Sync workers take one request at a time, so concurrent requests reach both once both have booted.
        while len(_pids(metrics_dir)) < 2:
            assert time.monotonic() < deadline, f"one process served everything: {_pids(metrics_dir)}"
            with ThreadPoolExecutor(4) as pool:
                served += len(list(pool.map(lambda _: _get(base + "/healthz"), range(20))))
        text = _get(base + "/metrics")
        found = re.search(r'^turnus_http_request_duration_seconds_count\{route="/healthz",status="200"\} (\S+)$',
                          text, re.M)
        assert found and float(found.group(1)) == served  # every request, whichever process served it
        for _ in range(4):  # the database figures agree whichever process answers
            assert re.search(r'^turnus_cases\{status="running"\} 1\.0$', _get(base + "/metrics"), re.M)
    finally:
        server.terminate()
        server.wait(timeout=20)
