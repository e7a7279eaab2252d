"""Issue 24: what operators and their tools ask of every web process — /healthz, /readyz, /metrics, request ids
and JSON log lines."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import shutil
import socket
from pathlib import Path

from flask import Flask

from engine import logs
from engine.clock import FixedClock
from engine.config import Settings
from engine.service import Engine
from engine.store.db import make_engine
from tests.web.conftest import Client, start_review
from web import create_app
from web.settings import WebSettings


def _sample(text: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+-]+)$", text, re.M)
    assert found, f"{name}{labels} not in /metrics"
    return float(found.group(1))


def test_healthz_answers_without_the_database_and_readyz_names_what_failed(
        engine: Engine, web_settings: WebSettings, clock: FixedClock, tmp_path: Path) -> None:
    ok = create_app(engine, {"TESTING": True}, settings=web_settings).test_client()
    assert ok.get("/healthz").json == {"status": "ok"}
    ready = ok.get("/readyz")
    assert (ready.status_code, ready.json) == (200, {"status": "ok"})
    # A database that does not answer: a port nothing listens on (as PostgreSQL stopped), or a SQLite file whose
    # folder is gone.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "gone"
    folder.mkdir()
    for url in (f"postgresql+psycopg://turnus@127.0.0.1:{port}/turnus?connect_timeout=2",
                f"sqlite:///{folder / 'turnus.db'}"):
        down = Engine(make_engine(url, 1.0), clock, Settings())
        shutil.rmtree(folder, ignore_errors=True)
        app = create_app(down, {"TESTING": True}, settings=web_settings)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["status"] == "unavailable"
        assert list(answer.json["failed"]) == ["database"] and "does not answer" in answer.json["failed"]["database"]
        assert "turnus@" not in answer.text and "sqlite" not in answer.text  # no detail that helps an attacker


def test_readyz_with_workers_wants_a_recent_heartbeat(engine: Engine, web_settings: WebSettings,
                                                      clock: FixedClock) -> None:
    engine.settings = dataclasses.replace(engine.settings, timers="workers")
    client = create_app(engine, {"TESTING": True}, settings=web_settings).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["failed"] == {"workers": "no worker has run"}
    worker = engine.register_worker("worker")
    assert client.get("/readyz").status_code == 200
    clock.advance(seconds=61)
    assert client.get("/readyz").json["failed"]["workers"] == "the newest worker heartbeat is 61 s old"
    engine.heartbeat(worker, 3)
    assert client.get("/readyz").status_code == 200


def test_metrics_count_what_the_database_holds_and_are_only_for_allowed_addresses(
        app: Flask, engine: Engine, clock: FixedClock) -> None:
    client = app.test_client()
    before = client.get("/metrics")
    assert before.status_code == 200 and before.headers["Content-Type"].startswith("text/plain")
    running = _sample(before.text, "turnus_cases", '{status="running"}')
    start_review(engine)
    clock.advance(seconds=10)  # past the figures' few seconds of cache
    after = client.get("/metrics").text
    assert _sample(after, "turnus_cases", '{status="running"}') == running + 1
    assert _sample(after, "turnus_tasks_open") >= 1 and _sample(after, "turnus_incidents_open") == 0
    for name in ("turnus_tasks_overdue", "turnus_outbox_pending", "turnus_outbox_failed", "turnus_timers_due"):
        assert _sample(after, name) >= 0
    assert 'turnus_command_duration_seconds_count{command="start"}' in after
    assert re.search(r'turnus_http_request_duration_seconds_count\{route="/metrics",status="200"\} \d', after)
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert outside.status_code == 403 and "turnus_cases" not in outside.text
    engine.add_user("prometheus", roles=["integration"])
    scraper = engine.add_token("prometheus", name="scraper", scopes=["metrics"])[1]
    reader = engine.add_token("prometheus", name="reader", scopes=["cases:read"])[1]
    for token, status in ((scraper, 200), (reader, 403), ("not-a-token", 403)):
        answer = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"},
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == status, token


def test_every_response_carries_a_request_id_and_json_log_lines_carry_it_with_the_user(app: Flask) -> None:
    client = Client(app)
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["X-Request-ID"] == "lb-1234.abc"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    odd = client.get("/healthz", headers={"X-Request-ID": "x\u00e6 <script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", odd), "an id with other characters is replaced, never echoed"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    refused = logging.getLogger("turnus.web.refused")
    refused.addHandler(handler)
    try:
        assert client.login("olga").status_code == 302
        answer = client.get("/modeller", headers={"X-Request-ID": "req-42"})
        assert answer.status_code == 403
    finally:
        refused.removeHandler(handler)
    line = json.loads(out.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "req-42" and line["user"] == "olga" and line["level"] == "warning"
    assert line["logger"] == "turnus.web.refused" and "403" in line["message"] and line["time"].endswith("+00:00")


def test_the_dashboard_and_the_alert_rules_name_only_metrics_turnus_exports(app: Flask, engine: Engine) -> None:
    engine.register_worker("worker")  # so the heartbeat gauge has a sample
    start_review(engine)
    client = app.test_client()
    client.get("/healthz")  # one request observed
    exported = set(re.findall(r"^(turnus_\w+?)(?:_bucket|_count|_sum|_created)?[{ ]", client.get("/metrics").text,
                              re.M))
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    dashboard = json.loads((deploy / "grafana" / "turnus-dashboard.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    rules = (deploy / "prometheus" / "turnus-alerts.yml").read_text(encoding="utf-8")
    named = {re.sub(r"_(bucket|count|sum)$", "", n) for n in re.findall(r"turnus_\w+", " ".join(exprs) + rules)}
    named -= {"turnus_readyz"}  # the probe's job name, not a metric
    assert named and named <= exported, f"not exported: {sorted(named - exported)}"
