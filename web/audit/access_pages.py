"""The access log for auditors, and every person's own report of their data and who looked (when, why)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from web.audit.blueprint import auditor_required, bp
from web.audit.search_pages import _day, _int, _midnight
from web.deps import engine, login_required, user

PAGE_SIZE = 50


def _action_words() -> dict[str, str]:
    return {
        "read_case": _("Read the case"),
        "read_history": _("Read the case's history"),
        "read_attachment": _("Opened a file"),
        "search_cases": _("Searched cases"),
        "search_access_log": _("Searched the access log"),
        "export_case_json": _("Exported the case (JSON)"),
        "export_case_csv": _("Exported the case (CSV)"),
        "export_xes": _("Exported event logs (XES)"),
        "import_case": _("Imported a case"),
        "purge_access_log": _("Deleted old access-log entries"),
    }


@bp.app_template_filter("action_words")
def action_words(action: str) -> str:
    """An access-log action as a person reads it; an action this page does not know keeps its code."""
    return _action_words().get(action, action)


@bp.route("/access-log")
@auditor_required
def access_log() -> Any:
    errors: list[str] = []
    since = _midnight(_day("from", errors))
    page = _int("page", errors, 1) or 1
    actor = request.args.get("actor", "").strip()[:100] or None
    subject = request.args.get("subject", "").strip()[:100] or None
    entries, total = engine().access_log(user().name, actor=actor, subject=subject, since=since, page=page,
                                         page_size=PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/access_log.html", entries=entries, total=total, page=page, pages=pages,
                           args=args, errors=errors), 400 if errors else 200


@bp.route("/my-data", endpoint="my_data")
@login_required
def my_data() -> Any:
    report = engine().my_data(user().name)
    return render_template("audit/my_data.html", report=report)
