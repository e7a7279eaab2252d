"""Workers and timers: each timer loop (worker process or the thread inside `turnus serve`) with its heartbeat,
and the timers due within the hour, overdue ones marked."""

from __future__ import annotations

from typing import Any

from flask import render_template

from web.admin.blueprint import admin_required, bp
from web.deps import engine, user

STALE_SECONDS = 60  # the same bound /readyz uses for a worker's heartbeat


@bp.route("/workers")
@admin_required
def workers() -> Any:
    me = user().name
    now = engine().clock.now()
    return render_template("admin/workers.html", workers=engine().worker_overview(me), timers=engine().timers_due(me),
                           now=now, stale=STALE_SECONDS)
