"""The auditors' pages: search across cases, one case's timeline and diagram, verify, exports, element
statistics, the access log; and every person's own "my data" report. Reading only: nothing here mutates."""

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


from web.audit import access_pages, case_pages, search_pages  # noqa: E402,F401  (routes on bp)
