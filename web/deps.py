"""What every view needs: the engine, the web settings, the signed-in user, safe redirects."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, url_for

from engine.identity import User
from engine.service import Engine
from web.settings import WebSettings

F = TypeVar("F", bound=Callable[..., Any])
USERS_TTL = 60.0  # seconds the user directory (display names, the user picker) is reused per process


def engine() -> Engine:
    return current_app.extensions["turnus.engine"]


def settings() -> WebSettings:
    return current_app.extensions["turnus.settings"]


def user() -> User:
    return g.user


def sessionless(view: F) -> F:
    """A view that must answer without the database's session lookup (health checks, metrics)."""
    view.turnus_sessionless = True  # type: ignore[attr-defined]
    return view


def is_sessionless() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "turnus_sessionless", False))


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if getattr(g, "user", None) is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site (never another host, never "//host") may be a redirect target."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def directory() -> dict[str, User]:
    """Every active user by name, cached for a few seconds per process (display names, pickers)."""
    cache = current_app.extensions.setdefault("turnus.users", {"at": 0.0, "users": {}})
    now = time.monotonic()
    if now - cache["at"] > USERS_TTL:
        cache["users"] = {u.name: u for u in engine().users()}
        cache["at"] = now
    return cache["users"]


def display_name(name: str | None) -> str:
    if not name:
        return ""
    found = directory().get(name)
    return found.display_name if found else name


def group_names() -> dict[str, str]:
    """Every group's display name by id, cached like the user directory."""
    cache = current_app.extensions.setdefault("turnus.groups", {"at": 0.0, "groups": {}})
    now = time.monotonic()
    if now - cache["at"] > USERS_TTL:
        cache["groups"] = engine().group_names()
        cache["at"] = now
    return cache["groups"]


def person_or_group(name: str) -> str:
    """A user's display name, else a group's, else the name as given."""
    found = directory().get(name)
    if found:
        return found.display_name
    return group_names().get(name, name)
