"""Security headers, CSRF, the sign-in throttle, and the log of refused requests."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import Flask, Response, abort, g, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import BaseConverter

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")

csrf = CSRFProtect()
refusals = logging.getLogger("turnus.web.refused")


class IdConverter(BaseConverter):
    """Ids in paths (tasks, cases, files, process keys): plain characters only, so nothing odd reaches SQL."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}"


def init_security(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_nul)
    csrf.init_app(app)
    app.after_request(_headers)


def _refuse_nul() -> None:
    """A NUL character belongs in no text a person types (and PostgreSQL refuses it): 400, not 500."""
    values = [*request.args.values(), *request.form.values(), *(f.filename or "" for f in request.files.values())]
    if any("\x00" in v for v in values):
        abort(400)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype == "text/html":
        # Pages carry personal data: never keep them in shared or browser caches.
        headers["Cache-Control"] = "no-store"
    return response


def log_refusal(status: int, reason: str) -> None:
    """A request refused for authorization (403) or a missing object (404): who, what, why."""
    user = getattr(g, "user", None)
    refusals.warning("%s %s %s by %s from %s: %s", status, request.method, request.path,
                     user.name if user else "-", request.remote_addr, reason)


class LoginThrottle:
    """Failed sign-ins counted per key (a user name, a client address) in a sliding window.

    In memory, per process: good for the embedded default. Several web processes each count their own
    failures, so a deployment that runs many needs a shared store (or the identity provider's limits).
    """

    def __init__(self, max_failures: int, window_seconds: float, now: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self._now = now
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, *keys: str) -> int:
        """Seconds until a sign-in is allowed again for all ``keys``; 0 if allowed now."""
        now = self._now()
        wait = 0.0
        with self._lock:
            for key in keys:
                stamps = self._recent(key, now)
                if len(stamps) >= self.max_failures:
                    wait = max(wait, stamps[-self.max_failures] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self._now()
        with self._lock:
            if len(self._failures) > 10_000:  # drop keys whose window has passed, so memory stays bounded
                for key in list(self._failures):
                    self._recent(key, now)
            for key in keys:
                self._failures.setdefault(key, deque(maxlen=self.max_failures * 4)).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
