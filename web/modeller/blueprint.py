"""The modeller blueprint and the role check of its views (its own module, so the views import it and not
the package that imports them)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, g

from web.deps import login_required
from web.errors import forbidden
from web.security import log_refusal

bp = Blueprint("modeller", __name__, url_prefix="/modeller")
F = TypeVar("F", bound=Callable[..., Any])
OWNER_ROLES = ("process-owner", "admin")


def is_owner(user: Any) -> bool:
    return user is not None and any(user.has_role(r) for r in OWNER_ROLES)


def owner_required(view: F) -> F:
    @login_required
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_owner(g.user):
            log_refusal(403, "not a process owner")
            return forbidden()
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]
