"""A request id for every request: taken from `X-Request-ID` (a proxy's or a client's) or made here, returned in
the response's `X-Request-ID`, and carried by every log line of the request (engine/logs.py)."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from engine import logs

_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,100}")  # anything else is not echoed into headers and logs


def request_id() -> str:
    return getattr(g, "request_id", "") or ""


def init_tracing(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
    logs.clear()
    logs.bind(request_id=g.request_id)


def _finish(response: Response) -> Response:
    if getattr(g, "request_id", None):
        response.headers["X-Request-ID"] = g.request_id
    return response
