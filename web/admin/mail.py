"""Mail and webhooks: the outbox's pending and failed mails, and the webhook deliveries still waiting or failed,
with their last error; resend or discard one with a reason (in the administrators' log)."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Busy, TurnusError
from web.admin.blueprint import admin_required, bp
from web.deps import display_name, engine, user
from web.refusals import refusal_text

MAX_REASON = 1000
DELIVERY_ID = re.compile(r"msg_[0-9a-f]{32}")  # engine/webhooks/outbox.py new_id


def _page(status: int = 200) -> Any:
    return render_template("admin/mail.html", mails=engine().mail_queue(user().name),
                           deliveries=engine().webhook_deliveries(user().name, waiting_only=True), who=display_name,
                           max_reason=MAX_REASON), status


@bp.route("/mail")
@admin_required
def mail() -> Any:
    return _page()


@bp.route("/mail/<id:mail_id>/<any(resend, discard):action>", methods=["POST"])
@admin_required
def mail_action(mail_id: str, action: str) -> Any:
    run = engine().resend_mail if action == "resend" else engine().discard_mail
    try:
        run(mail_id, user().name, request.form.get("reason", "")[:MAX_REASON + 1])
    except Busy:
        raise
    except TurnusError as err:
        flash(refusal_text(err) or _("This could not be done. Nothing was changed."), "error")
        return _page(409 if err.code == "conflict" else 400)
    flash(_("The mail will be sent again shortly.") if action == "resend" else _("The mail is discarded."),
          "success")
    return redirect(url_for("admin.mail"))


@bp.route("/mail/webhook/<delivery_id>/<any(resend, discard):action>", methods=["POST"])
@admin_required
def webhook_action(delivery_id: str, action: str) -> Any:
    if not DELIVERY_ID.fullmatch(delivery_id):
        abort(404)
    run = engine().resend_webhook if action == "resend" else engine().discard_webhook
    try:
        run(delivery_id, user().name, request.form.get("reason", "")[:MAX_REASON + 1])
    except Busy:
        raise
    except TurnusError as err:
        flash(refusal_text(err) or _("This could not be done. Nothing was changed."), "error")
        return _page(409 if err.code == "conflict" else 400)
    flash(_("The delivery will be sent again shortly.") if action == "resend" else _("The delivery is discarded."),
          "success")
    return redirect(url_for("admin.mail"))
