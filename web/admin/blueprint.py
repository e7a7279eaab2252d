"""The operator's console blueprint, the administrator check of its views, and the open-incident count the menu
shows (its own module, so the views import it and not the package that imports them)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, g

from engine import identity
from web.deps import engine, login_required, user

bp = Blueprint("admin", __name__, url_prefix="/admin")
F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    """Pages for administrators (the engine checks again in every command and read)."""
    @login_required
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not identity.may_administer(user()):
            abort(403)
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def _open_incidents() -> int:
    """For the menu: counted once per request, and only for administrators."""
    if "admin_open_incidents" not in g:
        me = getattr(g, "user", None)
        g.admin_open_incidents = (engine().incident_count(me.name)
                                  if me is not None and identity.may_administer(me) else 0)
    return int(g.admin_open_incidents)


@bp.app_context_processor
def _menu() -> dict[str, Any]:
    return {"admin_open_incidents": _open_incidents,
            "may_administer": lambda: getattr(g, "user", None) is not None and identity.may_administer(g.user)}
