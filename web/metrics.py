"""`/metrics` in the Prometheus text format (prometheus-client).

Two kinds of figures. Counts of what is in the database (open incidents, cases by status, open and overdue
tasks, the outbox, timers due, the newest worker heartbeat's age) are read at scrape time through
``Engine.figures`` and kept for CACHE_SECONDS, so every process tells the same truth and a scrape costs a few
indexed counts. Durations (commands, HTTP requests) are histograms of the process that did the work; under
gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty folder per start; README, production) and prometheus-client's
multiprocess mode adds up every process's files.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from engine import identity
from engine.service import Engine
from web.deps import engine, sessionless, settings

CACHE_SECONDS = 5.0
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
COMMANDS = Histogram("turnus_command_duration_seconds", "Wall time of one engine command (one transaction, its "
                     "retries included), by the Engine method that ran it", ["command"], buckets=BUCKETS)
REQUESTS = Histogram("turnus_http_request_duration_seconds", "Wall time of one HTTP request, by route and status",
                     ["route", "status"], buckets=BUCKETS)
bp = Blueprint("metrics", __name__)


class DatabaseFigures(Collector):
    """Gauges read from the database at scrape time (cached briefly: several scrapers, one count)."""

    def __init__(self, eng: Engine):
        self.engine = eng
        self._lock = threading.Lock()
        self._at: datetime | None = None  # the engine's clock: tests move it, production is the system clock
        self._families: list[GaugeMetricFamily] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            now = self.engine.clock.now()
            if self._at is None or (now - self._at).total_seconds() > CACHE_SECONDS:
                self._families = self._read()
                self._at = now
            yield from self._families

    def _read(self) -> list[GaugeMetricFamily]:
        f = self.engine.figures()

        def gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, doc, value=value)

        by_status = GaugeMetricFamily("turnus_cases", "Cases by status", labels=["status"])
        for status in sorted({"running", "completed", "cancelled", *f.cases}):
            by_status.add_metric([status], f.cases.get(status, 0))
        families = [
            gauge("turnus_incidents_open", "Running cases stopped by an incident", f.incidents_open),
            by_status,
            gauge("turnus_tasks_open", "Open tasks", f.tasks_open),
            gauge("turnus_tasks_overdue", "Open tasks past their due date", f.tasks_overdue),
            gauge("turnus_outbox_pending", "Mails waiting to be sent", f.outbox_pending),
            gauge("turnus_outbox_failed", "Mails given up after the last attempt", f.outbox_failed),
            gauge("turnus_timers_due", "Cases whose next timer is due now (not yet fired)", f.timers_due),
        ]
        # No heartbeat ever (no loop has run): no sample, so an alert on absence fires instead of a false "0 s".
        if f.heartbeat_age_seconds is not None:
            families.append(gauge("turnus_worker_heartbeat_age_seconds",
                                  "Seconds since the newest heartbeat of any timer loop", f.heartbeat_age_seconds))
        return families


def init_metrics(app: Flask) -> None:
    eng = engine_of(app)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry  # this process's own histograms
    app.extensions["turnus.metrics"] = (registry, _Only(DatabaseFigures(eng)))
    eng.on_command = lambda name, seconds: COMMANDS.labels(name).observe(seconds)
    app.before_request(_started)
    app.after_request(_observed)


def engine_of(app: Flask) -> Engine:
    return app.extensions["turnus.engine"]


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observed(response: Response) -> Response:
    started = getattr(g, "metrics_started", None)
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(rule, str(response.status_code)).observe(time.perf_counter() - started)
    return response


def _allowed() -> bool:
    address = request.remote_addr or ""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in settings().metrics_allow.split(","):
        try:
            if item.strip() and client in ipaddress.ip_network(item.strip(), strict=False):
                return True
        except ValueError:  # a mistyped network never opens the door
            continue
    return False


def _token_allows() -> bool:
    """A bearer token with the scope ``metrics`` (or ``admin``), for a scraper outside the allowed networks."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    found = engine().token_user(secret.strip())
    return found is not None and identity.scope_granted(found[1], "metrics")


@bp.get("/metrics")
@sessionless
def metrics() -> Response:
    if not (_allowed() or _token_allows()):
        abort(403)
    registry, figures = current_app.extensions["turnus.metrics"]
    body = generate_latest(registry) + generate_latest(figures)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Content-Type": CONTENT_TYPE_LATEST})


class _Only(CollectorRegistry):
    """A registry of one collector: the database figures, asked at scrape time in whichever process answers."""

    def __init__(self, collector: Any):
        super().__init__(auto_describe=False)
        self.register(collector)
