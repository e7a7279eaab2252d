"""The notification settings page and, without an SMTP server (the embedded default), the page where each
user reads the mails kept for them (issue 13). Who may read which mail is decided in the engine."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.notify import kinds
from web.deps import engine, login_required, user
from web.i18n import LANGUAGES

bp = Blueprint("notifications", __name__)

KIND_LABELS = {
    kinds.TASK_ASSIGNED: _l("A task is given to me"),
    kinds.TASK_OFFERED: _l("A new task is offered to me or my group"),
    kinds.REMINDER: _l("A reminder of a task that is still waiting"),
    kinds.OVERDUE: _l("A task of mine is past its due date"),
    kinds.CASE_FINISHED: _l("A case I started has finished"),
}
MODE_LABELS = {"now": _l("Right away"), "digest": _l("In a daily summary"), "off": _l("Never")}


@bp.route("/mail")
@login_required
def mailbox() -> Any:
    me = user()
    failed = engine().undeliverable(me.name) if me.has_role("admin") else []
    return render_template("mailbox.html", mails=engine().mailbox(me.name), failed=failed,
                           smtp=bool(engine().settings.smtp_host))


@bp.route("/mail/<id:mail_id>")
@login_required
def mail(mail_id: str) -> Any:
    return render_template("mail.html", mail=engine().mail(mail_id, user().name))


def _render_settings(current: Any, error: str = "", status: int = 200) -> Any:
    return render_template("notification_settings.html", current=current, kinds=kinds.KINDS,
                           kind_labels=KIND_LABELS, mode_labels=MODE_LABELS, languages=LANGUAGES,
                           error=error), status


@bp.route("/settings/notifications")
@login_required
def settings_form() -> Any:
    return _render_settings(engine().notification_settings(user().name))


@bp.route("/settings/notifications", methods=["POST"])
@login_required
def settings_save() -> Any:
    language = request.form.get("language", "")
    modes = {k: request.form.get(f"mode_{k}", "") for k in kinds.KINDS}
    if language not in kinds.LANGUAGES or any(m not in kinds.MODES for m in modes.values()):
        current = engine().notification_settings(user().name)
        return _render_settings(current, _("Choose a language and, for each kind, one of the options."), 400)
    engine().set_notification_settings(user().name, language, modes)
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("notifications.settings_form"))
