"""Wires the API into the app: its blueprint (no CSRF: it takes no cookies), its document and reference page,
and problem+json for every error under /api, including the ones Flask raises before a view is found."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import TurnusError
from web.api import cases, external_tasks, incidents, tasks, webhooks  # noqa: F401 — importing registers their operations
from web.api.blueprint import bp
from web.api.problems import HTTP_REASONS, ApiProblem, from_api_problem, from_turnus_error, log, problem
from web.api.registry import document
from web.api.tokens_page import bp as tokens_page_bp
from web.security import csrf


@bp.route("/openapi.json")
def openapi() -> Any:
    return jsonify(document())


@bp.route("/docs")
def docs() -> Any:
    response = Response(render_template("api_docs.html"), mimetype="text/html")
    # Swagger UI sets style attributes on its elements; only this page allows inline styles.
    response.headers["Content-Security-Policy"] = ("default-src 'self'; script-src 'self'; style-src 'self' "
                                                   "'unsafe-inline'; img-src 'self' data:; "
                                                   "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
    return response


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _http_problem(err: HTTPException) -> Response:
    status = err.code or 500
    headers = {"Allow": ", ".join(err.valid_methods)} if getattr(err, "valid_methods", None) else None
    return problem(status, HTTP_REASONS.get(status, "bad_request"), headers=headers)


def _bug(err: Exception) -> Response:
    log.exception("unexpected error in the API")
    return problem(500, "internal")


def init_api(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(tokens_page_bp)
    app.register_error_handler(ApiProblem, from_api_problem)
    # The web's handlers answer with pages; under /api the same errors answer with problem+json.
    for kind, ours in ((TurnusError, from_turnus_error), (HTTPException, _http_problem), (Exception, _bug)):
        theirs = app.error_handler_spec[None][None].get(kind)

        def handle(err: Any, ours: Any = ours, theirs: Any = theirs) -> Any:
            if _is_api() or theirs is None:
                return ours(err)
            return theirs(err)
        app.register_error_handler(kind, handle)
