"""Security headers, CSRF, the sign-in throttle, and the log of refused requests."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from urllib.parse import quote

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.routing import BaseConverter

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")

csrf = CSRFProtect()
refusals = logging.getLogger("turnus.web.refused")


class IdConverter(BaseConverter):
    """Ids in paths (tasks, cases, files, process keys): plain characters only, so nothing odd reaches SQL."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}"


# HTTPS only for a year once a browser has seen Turnus over HTTPS (not includeSubDomains: the municipality's other
# hosts are not ours to decide for).
HSTS = "max-age=31536000"


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over HTTPS — directly or through a trusted proxy
    (ProxyFix has then set the scheme) — even where the setting is off because the same server also answers
    plain HTTP on one machine (`turnus serve`)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_security(app: Flask, sign_out_origin: str | None = None) -> None:
    """``sign_out_origin``: the directory's origin (scheme://host[:port]); signing out submits a form that ends at
    the provider's end-session endpoint, and browsers hold redirects after a form to form-action."""
    app.config["TURNUS_CSP"] = (CSP.replace("form-action 'self'", f"form-action 'self' {sign_out_origin}")
                                if sign_out_origin else CSP)
    app.session_interface = SessionCookies()
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
    headers.setdefault("Content-Security-Policy", current_app.config.get("TURNUS_CSP", CSP))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if response.mimetype == "text/html":
        # Pages carry personal data: never keep them in shared or browser caches.
        headers["Cache-Control"] = "no-store"
    return response


def log_refusal(status: int, reason: str) -> None:
    """A request refused for authorization (403) or a missing object (404): who, what, why."""
    user = getattr(g, "user", None)
    refusals.warning("%s %s %s by %s from %s: %s", status, request.method, request.path,
                     user.name if user else "-", request.remote_addr, reason)


class SignInThrottle:
    """Failed sign-ins, counted by the `limits` library (fixed windows) in the shared database store.

    Keyed per (user name, client address) so that guessing one account's password from one machine locks
    only that pair: the account's owner elsewhere, and everybody else behind the same address, still get
    in. A looser per-address limit stops one machine from trying many accounts. A correct password
    clears the pair's count.
    """

    def __init__(self, storage: Storage, now: Callable[[], float], max_failures: int, max_per_address: int,
                 window_seconds: int):
        self.now = now  # epoch seconds, the same clock the storage expires windows by
        self.limiter = FixedWindowRateLimiter(storage)
        self.pair = RateLimitItemPerSecond(max_failures, window_seconds, namespace="signin-pair")
        self.address = RateLimitItemPerSecond(max_per_address, window_seconds, namespace="signin-address")

    def _limits(self, user: str, address: str) -> tuple[tuple[RateLimitItem, tuple[str, ...]], ...]:
        return ((self.pair, (quote(user, safe=""), address)), (self.address, (address,)))

    def retry_after(self, user: str, address: str) -> int:
        """Seconds until this user may try again from this address; 0 if now."""
        now = self.now()
        wait = 0.0
        for item, ids in self._limits(user, address):
            if not self.limiter.test(item, *ids):
                wait = max(wait, self.limiter.get_window_stats(item, *ids).reset_time - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, user: str, address: str) -> None:
        for item, ids in self._limits(user, address):
            self.limiter.hit(item, *ids)

    def succeeded(self, user: str, address: str) -> None:
        self.limiter.clear(self.pair, quote(user, safe=""), address)
