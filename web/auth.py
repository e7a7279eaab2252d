"""Sign in with a local account, sign out, and pick the language."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine.errors import NotFound
from engine.passwords import hash_password, verify_password
from web.deps import engine, safe_next
from web.i18n import LANGUAGES
from web.security import LoginThrottle

bp = Blueprint("auth", __name__)
log = logging.getLogger("turnus.web.auth")
_dummy_hash: list[str] = []  # verified against when the user is unknown, so timing does not tell


def init_auth(app: Flask) -> None:
    web = app.extensions["turnus.settings"]
    app.extensions["turnus.throttle"] = LoginThrottle(web.login_max_failures, web.login_window_seconds)
    app.before_request(_load_user)
    app.register_blueprint(bp)


def _load_user() -> None:
    g.user = None
    name = session.get("user")
    if not isinstance(name, str):
        return
    try:
        g.user = engine().user(name)
    except NotFound:  # the account was removed or deactivated since sign-in
        session.clear()


def _throttle() -> LoginThrottle:
    return current_app.extensions["turnus.throttle"]


def _check_password(name: str, password: str) -> bool:
    stored = engine().password_hash(name) if name else None
    if stored is None:
        if not _dummy_hash:
            _dummy_hash.append(hash_password("not-a-password-of-anyone"))
        verify_password(_dummy_hash[0], password)
        return False
    return verify_password(stored, password)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    target = safe_next(request.values.get("next"), url_for("inbox.index"))
    if request.method != "POST":
        if g.user is not None:
            return redirect(target)
        return render_template("login.html", next=target, name="")
    name = request.form.get("username", "").strip().lower()[:100]
    password = request.form.get("password", "")[:1000]
    keys = (f"user:{name}", f"addr:{request.remote_addr}")
    wait = _throttle().retry_after(*keys)
    if wait:
        log.warning("sign-in refused (throttled) for %r from %s", name, request.remote_addr)
        minutes = max(1, (wait + 59) // 60)
        flash(_("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=minutes), "error")
        return render_template("login.html", next=target, name=name), 429
    if not name or not password or not _check_password(name, password):
        _throttle().failed(*keys)
        log.warning("failed sign-in for %r from %s", name, request.remote_addr)
        flash(_("The user name or password is wrong."), "error")
        return render_template("login.html", next=target, name=name), 401
    _throttle().succeeded(keys[0])
    lang = session.get("lang")
    session.clear()  # a fresh session: nothing from before sign-in carries over
    if lang in LANGUAGES:
        session["lang"] = lang
    session["user"] = name
    session.permanent = True
    log.info("signed in: %s from %s", name, request.remote_addr)
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    lang = session.get("lang")
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> Any:
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))

