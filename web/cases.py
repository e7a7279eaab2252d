"""My cases, one case (phase, recorded steps, comments, files), commenting, downloading a file."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import attachments, identity
from engine.cases.commands import MAX_COMMENT
from web.context import case_context
from web.deps import display_name, engine, login_required, settings, user
from web.present import ended_text, holders_text, status_label, task_holders, timer_wait

bp = Blueprint("cases", __name__)
STATUSES = ("running", "completed", "cancelled")
MAX_PAGE = 1_000  # of TURNUS_PAGE_SIZE cases each; older ones are found by status


@bp.route("/cases")
@login_required
def index() -> Any:
    status = request.args.get("status", "")
    status = status if status in STATUSES else None
    try:  # a page far back reads that many index entries per name: bounded, like the inbox's pages
        page = max(1, min(int(request.args.get("page", "1")), MAX_PAGE))
    except ValueError:
        page = 1
    size = settings().page_size
    found = engine().cases_for(user(), status=status, offset=(page - 1) * size, limit=size + 1)
    names = {d.key: d.name for d in engine().definitions()}
    return render_template("cases.html", cases=found[:size], status=status or "", statuses=STATUSES,
                           page=page, older=len(found) > size, process_names=names, status_label=status_label,
                           who=holders_text, timer_wait=timer_wait, ended_text=ended_text)


def _render_case(case_id: str, comment_text: str = "", comment_error: str = "", status: int = 200) -> Any:
    ctx = case_context(case_id, user())
    removable = {f.id for f in ctx.files.values()
                 if identity.may_remove_attachment(user(), f.uploaded_by, ctx.case.status)}
    return render_template("case.html", ctx=ctx, status_label=status_label, who=display_name,
                           holders=task_holders, timer_wait=timer_wait,
                           comment_text=comment_text, comment_error=comment_error,
                           max_comment=MAX_COMMENT, removable=removable,
                           max_reason=attachments.MAX_REASON), status


@bp.route("/cases/<id:case_id>")
@login_required
def show(case_id: str) -> Any:
    return _render_case(case_id)


@bp.route("/cases/<id:case_id>/comments", methods=["POST"])
@login_required
def comment(case_id: str) -> Any:
    text = request.form.get("text", "")
    if not text.strip():
        return _render_case(case_id, text, _("Write a comment before you send it."), 400)
    if len(text.strip()) > MAX_COMMENT:
        return _render_case(case_id, text, _("A comment can have at most %(count)s characters.",
                                             count=MAX_COMMENT), 400)
    engine().comment(case_id, user().name, text)
    flash(_("Your comment is added."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#comments")


@bp.route("/attachments/<id:attachment_id>")
@login_required
def download(attachment_id: str) -> Any:
    item = attachments.get(engine(), user().name, attachment_id[:64])
    ascii_name = item.file_name.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    response = Response(item.content or b"", mimetype=item.content_type.split(";")[0])
    if ";" in item.content_type:
        response.headers["Content-Type"] = item.content_type
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(item.file_name)}")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/attachments/<id:attachment_id>/remove", methods=["POST"])
@login_required
def remove_file(attachment_id: str) -> Any:
    """The engine decides who may remove a file (the uploader or an administrator, case running)."""
    item = attachments.remove(engine(), user().name, attachment_id[:64],
                              request.form.get("reason", "")[:attachments.MAX_REASON])
    flash(_("The file “%(name)s” is removed. The case history records that it was.", name=item.file_name),
          "success")
    if item.case_id is None:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("cases.show", case_id=item.case_id) + "#files-title")
