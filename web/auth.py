"""Sign in with a local account, sign out (at the directory's provider too), and pick the language."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import logs
from engine.errors import NotFound
from engine.passwords import hash_password, verify_password
from web import oidc_client, saml_client
from web.deps import engine, is_sessionless, safe_next, settings
from web.i18n import LANGUAGES
from web.security import SignInThrottle
from web.signin_session import begin_session, fresh_session

bp = Blueprint("auth", __name__)
log = logging.getLogger("turnus.web.auth")
_dummy_hash: list[str] = []  # verified against when the user is unknown, so timing does not tell


def init_auth(app: Flask) -> None:
    web = app.extensions["turnus.settings"]
    storage = app.extensions["turnus.engine"].rate_limit_storage()
    app.extensions["turnus.throttle"] = SignInThrottle(storage, storage.now, web.login_max_failures,
                                                       web.login_max_failures_per_address,
                                                       web.login_window_seconds)
    app.before_request(_load_user)
    app.register_blueprint(bp)


def _lifetimes() -> tuple[timedelta, timedelta]:
    web = settings()
    return timedelta(minutes=web.session_minutes), timedelta(hours=web.session_max_hours)


def _load_user() -> None:
    """The signed cookie names a server-side session; only a session the database still has signs in."""
    g.user = None
    if is_sessionless():  # /healthz and friends: no database, no cookie
        return
    token = session.get("sid")
    if not isinstance(token, str):
        return
    name = engine().session_user(token, *_lifetimes())
    if name is None:  # signed out, idle too long, or too old: the cookie alone is worth nothing
        fresh_session()
        return
    try:
        g.user = engine().user(name)
        logs.bind(user=name)
    except NotFound:  # the account was removed or deactivated since sign-in
        engine().close_session(token)
        fresh_session()


def _throttle() -> SignInThrottle:
    return current_app.extensions["turnus.throttle"]


def _check_password(name: str, password: str) -> bool:
    stored = engine().password_hash(name) if name else None
    if stored is None:
        if not _dummy_hash:
            _dummy_hash.append(hash_password("not-a-password-of-anyone"))
        verify_password(_dummy_hash[0], password)
        return False
    return verify_password(stored, password)


def _login_page(target: str, name: str, status: int = 200) -> Any:
    options = engine().settings
    return render_template("login.html", next=target, name=name, local_login=options.local_login,
                           directory_name=options.oidc_name if oidc_client.client() is not None else None,
                           saml_name=options.saml_name if saml_client.enabled() else None), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    target = safe_next(request.values.get("next"), url_for("inbox.index"))
    if request.method != "POST":
        if g.user is not None:
            return redirect(target)
        return _login_page(target, "")
    if not engine().settings.local_login:  # TURNUS_LOCAL_LOGIN=0: the directory is the only way in
        flash(_("Sign-in with a password is switched off here: sign in with the directory."), "error")
        return _login_page(target, "", 403)
    name = request.form.get("username", "").strip().lower()[:100]
    password = request.form.get("password", "")[:1000]
    keys = (name, request.remote_addr or "-")
    wait = _throttle().retry_after(*keys)
    if wait:
        log.warning("sign-in refused (throttled) for %r from %s", name, request.remote_addr)
        minutes = max(1, (wait + 59) // 60)
        flash(ngettext("Too many failed sign-ins. Try again in %(num)s minute.",
                       "Too many failed sign-ins. Try again in %(num)s minutes.", minutes), "error")
        return _login_page(target, name, 429)
    if not name or not password or not _check_password(name, password):
        _throttle().failed(*keys)
        log.warning("failed sign-in for %r from %s", name, request.remote_addr)
        flash(_("The user name or password is wrong."), "error")
        return _login_page(target, name, 401)
    _throttle().succeeded(*keys)
    begin_session(name, engine().open_session(name, _lifetimes()[1]))
    log.info("signed in: %s from %s", name, request.remote_addr)
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    token = session.get("sid")
    if isinstance(token, str):
        engine().close_session(token)  # ends it on the server: a copy of the cookie no longer signs in
    directory, id_token = session.get("directory"), session.get("oidc_id_token")
    name_id, saml_session = session.get("saml_name_id"), session.get("saml_session")
    fresh_session()
    flash(_("You are signed out."), "info")
    if directory == "oidc":  # sign out at the provider too, which sends the browser back to the sign-in page
        elsewhere = oidc_client.end_session_url(url_for("auth.login", _external=True), id_token)
        if elsewhere:
            return redirect(elsewhere)
    if directory == "saml" and isinstance(name_id, str) and saml_client.enabled():
        elsewhere = saml_client.logout_url(name_id, saml_session if isinstance(saml_session, str) else None, "")
        if elsewhere:  # the IdP signs them out and sends the browser back to /auth/saml/sls, then /login
            return redirect(elsewhere)
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> Any:
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))

