"""`turnus webhooks` as an operator uses it: the secret is printed once as the last line, a case's events reach a
real receiver through `turnus worker --once`, failed deliveries are listed and resent; refusals are one line.
The set-up runs in-process (each command line costs most of a second here)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from engine.service import Engine
from tests.helpers.support import PROCESSES
from tests.helpers.webhook_receiver import receiver

TURNUS = str(Path(sys.executable).parent / "turnus")


def _run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TURNUS, "--db", db, *args], capture_output=True, text=True, timeout=60, check=False)


def _ok(db: str, *args: str) -> str:
    done = _run(db, *args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture
def eng(db_url: str) -> Iterator[Engine]:
    engine = Engine.create(db_url)
    engine.deploy_paths([PROCESSES / "incident.bpmn"], actor="system")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("rita")
    yield engine
    engine.close()


def test_add_prints_the_secret_last_and_the_worker_delivers(eng: Engine, db_url: str) -> None:
    with receiver() as rec:
        out = _ok(db_url, "webhooks", "add", rec.url, "--event", "case.started", "--as", "admin")
        first, rec.secret = out.strip().splitlines()
        hook_id = first.split("\t")[0]
        assert rec.secret.startswith("whsec_") and f"\t{rec.url}\tevents=case.started" in first
        eng.start("incident", "rita", {})
        assert "webhooks 1" in _ok(db_url, "worker", "--once")
        assert rec.events() == ["case.started"] and rec.got[0].signed
    assert _ok(db_url, "webhooks", "remove", hook_id, "--as", "admin").strip() == f"{hook_id} removed"
    listed = _ok(db_url, "webhooks", "list", "--all", "--as", "admin")
    assert hook_id in listed and rec.secret not in listed and listed.rstrip().endswith("removed")


def test_failed_deliveries_listed_and_resent_refusals_one_line(eng: Engine, db_url: str) -> None:
    eng.settings = replace(eng.settings, webhook_max_attempts=1)
    with receiver() as rec:
        _, rec.secret = eng.add_webhook(rec.url, ["case.started"], "admin")
        rec.status = 503
        eng.start("incident", "rita", {})
        assert eng.deliver_webhooks().given_up == 1
        [failed] = _ok(db_url, "webhooks", "deliveries", "--failed", "--as", "admin").strip().splitlines()
        delivery_id, event, _case, status = failed.split("\t")[:4]
        assert (event, status) == ("case.started", "failed") and "HTTP 503" in failed
        assert _ok(db_url, "webhooks", "resend", delivery_id, "--reason", "Receiver is up", "--as", "admin") \
            .strip() == f"{delivery_id} will be sent again"
        rec.status = 200
        assert eng.deliver_webhooks().delivered == 1 and [r.id for r in rec.got] == [delivery_id]
    done = _run(db_url, "webhooks", "add", "file:///etc/passwd", "--event", "case.started", "--as", "admin")
    assert done.returncode == 1 and "must start with http:// or https://" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
