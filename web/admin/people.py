"""Users: search (disabled ones too), add a user, one user with groups, roles, last sign-in and open personal tasks
to hand over; edit name, e-mail, groups and roles, and disable/enable, each with a reason (the engine checks and
audits every change, ends a disabled user's sessions and refuses their sign-in)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.cases.people_admin import PersonEdit
from engine.errors import Busy, NotFound, TurnusError
from engine.identity import ROLES
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


def _user_page(name: str, status: int = 200, form: dict[str, Any] | None = None) -> Any:
    me = user().name
    try:
        person = engine().person(me, name)
    except NotFound:
        abort(404)
    return render_template("admin/user.html", person=person, tasks=engine().open_personal_tasks(me, name),
                           group_names=group_names(), roles=ROLES, max_reason=MAX_REASON,
                           form=form or {"display_name": person.display_name, "email": person.email or "",
                                         "groups": person.groups, "roles": person.roles}), status


def _posted() -> tuple[PersonEdit, dict[str, Any]]:
    """The person form as the engine takes it, and as the page shows it again after a refusal."""
    groups = [g for g in request.form.getlist("groups") if g] + request.form.get("new_groups", "").split(",")
    form = {"name": request.form.get("name", "").strip()[:101], "display_name": request.form.get("display_name", ""),
            "email": request.form.get("email", ""), "groups": [g.strip()[:101] for g in groups if g.strip()][:50],
            "roles": request.form.getlist("roles")[:10]}
    return PersonEdit(form["display_name"][:201], form["email"][:321] or None, tuple(form["groups"]),
                      tuple(form["roles"])), form


def _directory_changed() -> None:
    """Names and groups shown on every page are cached a little while; an administrator's change shows at once."""
    current_app.extensions.pop("turnus.users", None)
    current_app.extensions.pop("turnus.groups", None)


def _refused(err: TurnusError) -> None:
    flash(refusal_text(err) or _("This could not be done. Nothing was changed."), "error")


@bp.route("/add-user", methods=["GET", "POST"])  # not under /users/: a user may be named "new"
@admin_required
def add_user() -> Any:
    form: dict[str, Any] = {"name": "", "display_name": "", "email": "", "groups": (), "roles": ()}
    status = 200
    if request.method == "POST":
        change, form = _posted()
        try:
            engine().admin_add_user(form["name"], change, user().name, request.form.get("reason", "")[:MAX_REASON + 1],
                                    password=request.form.get("password", "")[:1000] or None)
        except Busy:
            raise
        except TurnusError as err:
            _refused(err)
            status = 409 if err.code == "conflict" else 400
        else:
            _directory_changed()
            flash(_("%(name)s is added.", name=form["name"]), "success")
            return redirect(url_for("admin.person", name=form["name"]))
    return render_template("admin/user_new.html", form=form, group_names=group_names(), roles=ROLES,
                           max_reason=MAX_REASON), status


@bp.route("/users/<name>/edit", methods=["POST"])
@admin_required
def edit_user(name: str) -> Any:
    name = name[:100]
    change, form = _posted()
    try:
        engine().admin_edit_user(name, change, user().name, request.form.get("reason", "")[:MAX_REASON + 1])
    except Busy:
        raise
    except NotFound:
        abort(404)
    except TurnusError as err:
        _refused(err)
        return _user_page(name, 409 if err.code == "conflict" else 400, form=form)
    _directory_changed()
    flash(_("The changes to %(name)s are saved.", name=name), "success")
    return redirect(url_for("admin.person", name=name))


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
        _refused(err)
        return _user_page(name, 409 if err.code == "conflict" else 400)
    flash(_("%(name)s is disabled: they cannot sign in, and their sessions have ended. Hand over their open "
            "tasks below.", name=name) if action == "disable" else _("%(name)s can sign in again.", name=name),
          "success")
    return redirect(url_for("admin.person", name=name))
