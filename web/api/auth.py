"""Bearer tokens on the API: who calls, with which scopes. Failed attempts are counted per client address in the
database store the sign-in throttle uses (engine/store/ratelimit.py), with the same limits; over the limit the
caller gets 429 with Retry-After. The API ignores the session cookie: a page's cookie never authorises a call,
which is also why the blueprint needs no CSRF token."""

from __future__ import annotations

import math

from flask import current_app, g, request
from limits import RateLimitItemPerSecond
from limits.strategies import FixedWindowRateLimiter

from engine import identity
from web.api.problems import ApiProblem
from web.deps import engine, settings


def _limit() -> tuple[FixedWindowRateLimiter, RateLimitItemPerSecond]:
    found = current_app.extensions.get("turnus.api_throttle")
    if found is None:
        web = settings()
        found = (FixedWindowRateLimiter(engine().rate_limit_storage()),
                 RateLimitItemPerSecond(web.login_max_failures_per_address, web.login_window_seconds,
                                        namespace="api-bearer"))
        current_app.extensions["turnus.api_throttle"] = found
    return found


def _retry_after(limiter: FixedWindowRateLimiter, item: RateLimitItemPerSecond, address: str) -> int:
    if limiter.test(item, address):
        return 0
    wait = limiter.get_window_stats(item, address).reset_time - engine().rate_limit_storage().now()
    return max(1, math.ceil(wait))


def authenticate() -> None:
    """Set g.user and g.api_scopes from the Authorization header, once per request."""
    if getattr(g, "api_authenticated", False):
        return
    g.user = None  # never the session's user
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "no_token", headers={"WWW-Authenticate": 'Bearer realm="turnus"'})
    limiter, item = _limit()
    address = request.remote_addr or "-"
    wait = _retry_after(limiter, item, address)
    if wait:
        raise ApiProblem(429, "throttled", headers={"Retry-After": str(wait)}, seconds=wait)
    found = engine().token_user(secret.strip())
    if found is None:
        limiter.hit(item, address)
        raise ApiProblem(401, "bad_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.user, g.api_scopes = found
    g.api_authenticated = True


def require(scope: str | None) -> None:
    authenticate()
    if scope is not None and not identity.scope_granted(g.api_scopes, scope):
        raise ApiProblem(403, "missing_scope", scope=scope)
