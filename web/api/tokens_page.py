"""The settings page where people make and revoke their own API tokens, beside /settings/notifications. A normal
signed-in page with CSRF (unlike /api/v1 itself); the new token is shown once, in the answer to the POST."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import identity
from engine.errors import InvalidInput
from web.deps import engine, login_required, user
from web.refusals import refusal_text

bp = Blueprint("api_tokens", __name__)


def _render(secret: str = "", error: str = "", status: int = 200) -> Any:
    eng = engine()
    return render_template("api_tokens.html", tokens=eng.tokens(user().name), now=eng.clock.now(),
                           scopes=identity.SCOPES, secret=secret, error=error), status


@bp.route("/settings/tokens")
@login_required
def tokens_page() -> Any:
    return _render()


@bp.route("/settings/tokens", methods=["POST"])
@login_required
def tokens_add() -> Any:
    days_text = request.form.get("expires_days", "").strip()
    try:
        days = int(days_text) if days_text else None
        _info, secret = engine().add_token(user().name, name=request.form.get("name", ""),
                                           scopes=request.form.getlist("scope"), expires_days=days,
                                           actor=user().name)
    except ValueError:
        return _render(error=_("A token expires after 1 to 3650 days."), status=400)
    except InvalidInput as err:
        return _render(error=refusal_text(err) or _("Something in what was sent is not valid."), status=400)
    return _render(secret=secret)


@bp.route("/settings/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def tokens_revoke(token_id: str) -> Any:
    engine().revoke_token(token_id, actor=user().name)
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("api_tokens.tokens_page"))
