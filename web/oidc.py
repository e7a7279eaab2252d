"""Sign in with the municipality's directory by OpenID Connect (issue 25): /auth/oidc/login sends the browser to
the provider, /auth/oidc/callback comes back with a code, /auth/oidc/backchannel-logout is the provider telling
Turnus someone signed out there. Who the person is and what they may do is decided by the engine."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine.errors import TurnusError
from web import oidc_client
from web.deps import engine, safe_next, settings
from web.oidc_client import SignInRefused
from web.security import csrf
from web.signin_session import begin_session

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")
log = logging.getLogger("turnus.web.oidc")
ID_TOKEN_COOKIE_MAX = 1800  # characters of the ID token kept for the logout hint (the cookie holds 4 KB)


def _texts() -> dict[str, tuple[str, str]]:
    """What happened and what to do, per refusal (Danish by default through the catalogue)."""
    again = _("Go back to the sign-in page and try once more.")
    return {
        "state": (_("The sign-in could not be matched to this browser (the check value was missing or wrong). "
                    "That happens when the sign-in was started in another window or took too long."), again),
        "code": (_("The directory refused the sign-in code: it had been used already or was too old."), again),
        "id_token": (_("The directory's answer could not be verified (its signature, audience or contents were "
                       "wrong), so nobody was signed in."),
                     _("Try again. If it happens again, tell the IT department: the directory or Turnus's "
                       "registration there is set up wrong.")),
        "id_token_expired": (_("The directory's answer had expired before it reached Turnus."),
                             _("Check that this computer's clock is right, then try again.")),
        "wrong_issuer": (_("The directory that answered is not the one Turnus is set up to trust."),
                         _("Tell the IT department: TURNUS_OIDC_ISSUER does not match the directory.")),
        "provider_down": (_("The directory could not be reached."),
                          _("Try again in a few minutes. If it lasts, tell the IT department.")),
        "provider_slow": (_("The directory did not answer in time."),
                          _("Try again in a few minutes. If it lasts, tell the IT department.")),
        "provider_error": (_("The directory did not sign you in."),
                           _("Try again. If you were asked to allow access, choose to allow it.")),
        "directory_no_id": (_("The directory did not say which user you are."),
                            _("Tell the IT department: the user id claim is missing from Turnus's registration.")),
        "directory_user_disabled": (_("Your Turnus account is disabled."),
                                    _("Ask a Turnus administrator to enable it.")),
    }


def refusal_reasons() -> frozenset[str]:
    """The reasons the sign-in refusal page explains (the directory's own, beside web.refusals' catalogue)."""
    return frozenset(_texts())


def _refused(reason: str, detail: str = "") -> Any:
    """The refusal page: nothing was created, the reason is logged, and the person reads what to do."""
    log.warning("directory sign-in refused (%s) from %s: %s", reason, request.remote_addr, detail)
    what, todo = _texts().get(reason, _texts()["provider_error"])
    status = 503 if reason in ("provider_down", "provider_slow") else 400
    return render_template("signin_refused.html", what=what, todo=todo, reason=reason), status


@bp.get("/login")
def login() -> Any:
    if oidc_client.client() is None:
        abort(404)
    session["oidc_next"] = safe_next(request.args.get("next"), url_for("inbox.index"))
    try:
        return oidc_client.authorize_redirect(url_for("oidc.callback", _external=True))
    except SignInRefused as err:
        return _refused(err.reason, err.detail)


@bp.get("/callback")
def callback() -> Any:
    if oidc_client.client() is None:
        abort(404)
    target = safe_next(session.pop("oidc_next", None), url_for("inbox.index"))
    try:
        claims, id_token = oidc_client.finish_sign_in()
        user, token = engine().directory_sign_in("oidc", claims, timedelta(hours=settings().session_max_hours),
                                                 directory_sid=claims.get("sid"))
    except SignInRefused as err:
        return _refused(err.reason, err.detail)
    except TurnusError as err:
        return _refused(err.reason or "provider_error", str(err))
    # The ID token is the end-session hint; one too big for the cookie is left out (sign-out still works).
    begin_session(user.name, token, directory="oidc",
                  **({"oidc_id_token": id_token} if id_token and len(id_token) <= ID_TOKEN_COOKIE_MAX else {}))
    g.user = user
    log.info("signed in with the directory: %s (groups %s, roles %s) from %s", user.name,
             ",".join(sorted(user.groups)), ",".join(sorted(user.roles)), request.remote_addr)
    return redirect(target)


@bp.post("/backchannel-logout")
@csrf.exempt
def backchannel_logout() -> Any:
    """The provider's server calls this (no browser, no cookie): a verified logout token ends the sessions."""
    if oidc_client.client() is None:
        abort(404)
    token = request.form.get("logout_token", "")
    try:
        claims = oidc_client.verify_logout_token(token)
    except SignInRefused as err:
        log.warning("back-channel logout refused from %s: %s", request.remote_addr, err.detail)
        reply = jsonify(error="invalid_request", error_description=err.detail)
        reply.status_code = 400
    else:
        ended = engine().end_directory_sessions("oidc", subject=claims.get("sub"), sid=claims.get("sid"))
        log.info("back-channel logout for sub=%s sid=%s: %d session(s) ended", claims.get("sub"),
                 claims.get("sid"), ended)
        reply = jsonify(ended=ended)
    reply.headers["Cache-Control"] = "no-store"
    return reply
