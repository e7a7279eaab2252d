"""Health for the load balancer: `/healthz` (the process answers; no database) and `/readyz` (the database
answers, the schema is current and, with TURNUS_TIMERS=workers, a worker is alive). No sign-in, no data."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.deps import engine, sessionless

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@sessionless
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
@sessionless
def readyz() -> tuple[Response, int]:
    failed = engine().readiness()
    if failed:
        return jsonify(status="unavailable", failed=failed), 503
    return jsonify(status="ok"), 200
