"""Users: search (disabled ones too), one user with groups, roles and open personal tasks to hand over, and
disable/enable with a reason (the engine ends a disabled user's sessions and refuses their sign-in)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Busy, TurnusError
from web.admin.blueprint import admin_required, bp
from web.deps import engine, group_names, user
from web.refusals import refusal_text

MAX_REASON = 1000


@bp.route("/users")
@admin_required
def users() -> Any:
    text = request.args.get("q", "").strip()[:100]
    return render_template("admin/users.html", people=engine().user_search(user().name, text), q=text,
                           group_names=group_names())


def _user_page(name: str, status: int = 200) -> Any:
    me = user().name
    found = [u for u in engine().user_search(me, name) if u.name == name]
    if not found:
        abort(404)
    return render_template("admin/user.html", person=found[0], tasks=engine().open_personal_tasks(me, name),
                           group_names=group_names(), max_reason=MAX_REASON), status


@bp.route("/users/<name>")
@admin_required
def person(name: str) -> Any:
    return _user_page(name[:100])


@bp.route("/users/<name>/<any(disable, enable):action>", methods=["POST"])
@admin_required
def set_active(name: str, action: str) -> Any:
    name = name[:100]
    try:
        engine().set_user_active(name, action == "enable", user().name,
                                 request.form.get("reason", "")[:MAX_REASON + 1])
    except Busy:
        raise
    except TurnusError as err:
        flash(refusal_text(err) or _("This could not be done. Nothing was changed."), "error")
        return _user_page(name, 409 if err.code == "conflict" else 400)
    flash(_("%(name)s is disabled: they cannot sign in, and their sessions have ended. Hand over their open "
            "tasks below.", name=name) if action == "disable" else _("%(name)s can sign in again.", name=name),
          "success")
    return redirect(url_for("admin.person", name=name))
