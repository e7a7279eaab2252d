"""Deployments: every definition and version, who deployed it and when, running cases per version; suspend and
resume a definition with a reason (the engine refuses new cases of a suspended one everywhere)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Busy, TurnusError
from web.admin.blueprint import admin_required, bp
from web.deps import display_name, engine, user
from web.refusals import refusal_text

MAX_REASON = 1000


@bp.route("/deployments")
@admin_required
def deployments() -> Any:
    return render_template("admin/deployments.html", definitions=engine().deployments(user().name),
                           who=display_name, max_reason=MAX_REASON)


@bp.route("/deployments/<key>/<any(suspend, resume):action>", methods=["POST"])
@admin_required
def suspend_or_resume(key: str, action: str) -> Any:
    reason = request.form.get("reason", "")[:MAX_REASON + 1]
    run = engine().suspend_definition if action == "suspend" else engine().resume_definition
    try:
        run(key[:200], user().name, reason)
    except Busy:
        raise
    except TurnusError as err:
        flash(refusal_text(err) or _("This could not be done. Nothing was changed."), "error")
        return render_template("admin/deployments.html", definitions=engine().deployments(user().name),
                               who=display_name, max_reason=MAX_REASON), 409 if err.code == "conflict" else 400
    flash(_("The process is suspended: no new cases until it is resumed. Running cases go on.")
          if action == "suspend" else _("The process is resumed: new cases can be started."), "success")
    return redirect(url_for("admin.deployments"))
