"""The audit blueprint and the role check of its views (its own module, so the views import it and not
the package that imports them)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort

from engine import identity
from web.deps import login_required, user

bp = Blueprint("audit", __name__, url_prefix="/audit")
F = TypeVar("F", bound=Callable[..., Any])


def auditor_required(view: F) -> F:
    """Pages for auditors and administrators (the engine checks again for every read)."""
    @login_required
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not identity.may_audit(user()):
            abort(403)
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]
