"""Sign in with the municipality's directory by SAML 2.0 (issue 25): /auth/saml/login sends the browser to the
identity provider with a signed AuthnRequest, /auth/saml/acs receives its signed assertion, /auth/saml/sls is
single logout (the IdP's answer to ours, or the IdP asking Turnus to sign someone out), /auth/saml/metadata is
what the IdP registers Turnus from. Who the person is and what they may do is decided by the engine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from engine.errors import TurnusError
from web import saml_client
from web.deps import engine, safe_next, settings
from web.saml_client import SamlRefused
from web.security import csrf
from web.signin_session import begin_session

bp = Blueprint("saml", __name__, url_prefix="/auth/saml")
log = logging.getLogger("turnus.web.saml")
OUTSTANDING_MAX = 5  # sign-ins started in other tabs that may still come back
# The sign-ins this browser started live in a cookie of their own: the IdP's page posts the assertion to the ACS
# from another site, and browsers leave the SameSite=Lax session cookie out of such a POST. This one is
# SameSite=None (over HTTPS; browsers refuse None without Secure), signed, only sent to /auth/saml/, and short-lived.
OUTSTANDING_COOKIE = "turnus_saml"
OUTSTANDING_SECONDS = 600  # a sign-in at the IdP must be finished within this


def _serializer() -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.secret_key, salt="turnus-saml-outstanding")


def _outstanding() -> dict[str, str]:
    """{AuthnRequest id: where to go after} of the sign-ins this browser started, unexpired."""
    from itsdangerous import BadData

    try:
        found = _serializer().loads(request.cookies.get(OUTSTANDING_COOKIE, ""), max_age=OUTSTANDING_SECONDS)
    except BadData:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _keep_outstanding(reply: Response, waiting: dict[str, str]) -> Response:
    secure = request.is_secure or settings().cookie_secure
    if not waiting:
        reply.delete_cookie(OUTSTANDING_COOKIE, path="/auth/saml/", secure=secure, httponly=True,
                            samesite="None" if secure else "Lax")
        return reply
    reply.set_cookie(OUTSTANDING_COOKIE, _serializer().dumps(waiting), max_age=OUTSTANDING_SECONDS,
                     path="/auth/saml/", secure=secure, httponly=True, samesite="None" if secure else "Lax")
    return reply


def refusal_reasons() -> frozenset[str]:
    """The reasons the SAML refusal page explains."""
    return frozenset(_texts())


def _texts() -> dict[str, tuple[str, str]]:
    """What happened and what to do, per refusal (Danish by default through the catalogue)."""
    again = _("Go back to the sign-in page and try once more.")
    broken = _("Try again. If it happens again, tell the IT department: the directory or Turnus's "
               "registration there is set up wrong.")
    slow = _("Try again in a few minutes. If it lasts, tell the IT department.")
    return {
        "saml_unsolicited": (_("The directory's answer does not belong to a sign-in started in this browser, or "
                               "it was used already."), again),
        "replayed": (_("The directory's answer does not belong to a sign-in started in this browser, or it was "
                       "used already."), again),
        "saml_signature": (_("The directory's answer was not signed as Turnus requires, so nobody was signed in."),
                           broken),
        "saml_audience": (_("The directory's answer was meant for another service, not Turnus."), broken),
        "saml_expired": (_("The directory's answer had expired before it reached Turnus."),
                         _("Check that this computer's clock is right, then try again.")),
        "saml_status": (_("The directory did not sign you in."),
                        _("Try again. If you were asked to allow access, choose to allow it.")),
        "saml_invalid": (_("The directory's answer could not be verified (its signature, audience or contents were "
                           "wrong), so nobody was signed in."), broken),
        "idp_down": (_("The directory could not be reached."), slow),
        "idp_slow": (_("The directory did not answer in time."), slow),
        "idp_metadata": (_("The directory's description (its SAML metadata) could not be read."),
                         _("Tell the IT department: TURNUS_SAML_IDP_METADATA does not point to valid metadata.")),
        "saml_logout": (_("The directory's sign-out message could not be verified, so nobody was signed out."),
                        broken),
        "directory_no_id": (_("The directory did not say which user you are."),
                            _("Tell the IT department: the user id attribute is missing from Turnus's "
                              "registration.")),
        "directory_user_disabled": (_("Your Turnus account is disabled."),
                                    _("Ask a Turnus administrator to enable it.")),
    }


def _refused(reason: str, detail: str = "") -> Any:
    """The refusal page: nothing was created, the reason is logged, and the person reads what to do."""
    log.warning("SAML sign-in refused (%s) from %s: %s", reason, request.remote_addr, detail)
    what, todo = _texts().get(reason, _texts()["saml_invalid"])
    status = 503 if reason in ("idp_down", "idp_slow", "idp_metadata") else 400
    return render_template("signin_refused.html", what=what, todo=todo, reason=reason), status


@bp.get("/metadata")
def metadata() -> Any:
    if not saml_client.enabled():
        abort(404)
    return Response(saml_client.sp_metadata(engine().settings), mimetype="application/samlmetadata+xml")


@bp.get("/login")
def login() -> Any:
    if not saml_client.enabled():
        abort(404)
    target = safe_next(request.args.get("next"), url_for("inbox.index"))
    try:
        request_id, location = saml_client.login_url(relay_state="")
    except SamlRefused as err:
        return _refused(err.reason, err.detail)
    waiting = dict(list(_outstanding().items())[-(OUTSTANDING_MAX - 1):])
    return _keep_outstanding(redirect(location), {**waiting, request_id: target})


@bp.post("/acs")
@csrf.exempt  # the IdP's page posts here; the assertion's signature and InResponseTo stand in for the token
def acs() -> Any:
    if not saml_client.enabled():
        abort(404)
    outstanding = _outstanding()
    try:
        found = saml_client.finish_sign_in(request.form.get("SAMLResponse", ""), outstanding)
        user, token = engine().directory_sign_in(
            "saml", found.claims, timedelta(hours=settings().session_max_hours), directory_sid=found.session_index,
            once=(found.assertion_id, datetime.fromtimestamp(found.valid_until, UTC)))
    except SamlRefused as err:
        return _refused(err.reason, err.detail)
    except TurnusError as err:
        return _refused(err.reason or "saml_invalid", str(err))
    target = safe_next(outstanding.get(found.request_id), url_for("inbox.index"))
    begin_session(user.name, token, directory="saml", saml_name_id=found.name_id,
                  saml_session=found.session_index)
    g.user = user
    log.info("signed in with the directory (SAML): %s (groups %s, roles %s) from %s", user.name,
             ",".join(sorted(user.groups)), ",".join(sorted(user.roles)), request.remote_addr)
    # The request is answered: the same response posted again finds nothing outstanding.
    return _keep_outstanding(redirect(target), {k: v for k, v in outstanding.items() if k != found.request_id})


@bp.route("/sls", methods=["GET", "POST"])
@csrf.exempt  # the IdP sends the browser here; the LogoutRequest's signature is checked instead
def sls() -> Any:
    if not saml_client.enabled():
        abort(404)
    args = request.form if request.method == "POST" else request.args
    if "SAMLResponse" in args:  # the IdP's answer to our LogoutRequest: the Turnus session ended before it
        if saml_client.logout_finished(dict(args), post=request.method == "POST"):
            flash(_("You are signed out of the directory too."), "info")
        return redirect(url_for("auth.login"))
    try:
        subject, indexes, back = saml_client.idp_logout(dict(args), post=request.method == "POST")
    except SamlRefused as err:
        log.warning("SAML logout request refused from %s: %s", request.remote_addr, err.detail)
        return _refused("saml_logout", err.detail)
    ended = sum(engine().end_directory_sessions("saml", sid=index) for index in indexes)
    if not indexes:
        ended = engine().end_directory_sessions("saml", subject=subject)
    token = session.get("sid")
    if isinstance(token, str) and session.get("directory") == "saml":
        engine().close_session(token)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    log.info("SAML logout from the IdP for %s: %d session(s) ended", subject, ended)
    return redirect(back)
