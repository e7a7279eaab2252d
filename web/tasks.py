"""One task: instructions, the case context, the generated form; save a draft or complete it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from engine import attachments, identity
from engine.cases.queries import TaskView
from engine.errors import FormInvalid, TurnusError
from web import formview
from web.context import CaseContext, case_context
from web.deps import directory, display_name, engine, login_required, settings, user
from web.errors import page
from web.present import instructions

bp = Blueprint("tasks", __name__)
ACTIONS = ("complete", "draft")


def _access(view: TaskView) -> identity.TaskAccess:
    return identity.TaskAccess(view.state, view.assignee, frozenset(view.candidate_users),
                               frozenset(view.candidate_groups), view.barred)


def _render(view: TaskView, values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
            general: list[str] | None = None, status: int = 200, ctx: CaseContext | None = None) -> Any:
    me = user()
    ctx = ctx or case_context(view.case_id, me.name)
    access = _access(view)
    is_open = view.state == "open"
    may = {
        "work": is_open and identity.may_work(me, access),
        "claim": is_open and identity.may_claim(me, access),
        "release": is_open and identity.may_release(me, access),
        "assign": is_open and identity.may_assign(me, access),
    }
    max_mb = settings().max_upload_bytes // (1024 * 1024)
    widgets = formview.build(view.form, values, errors, files=ctx.files, max_upload_mb=max_mb,
                             initiator=ctx.case.started_by)
    # Only people who may then work the task: candidates, never someone a duty rule bars or a read-only role.
    colleagues = sorted((u for u in directory().values()
                         if u.name not in (me.name, view.assignee) and identity.may_receive(u, access)),
                        key=lambda u: u.display_name.lower())
    barred_note = _duty_note(view.name, access.bar_reason(me.name)) if identity.is_barred(me, access) else ""
    return render_template(
        "task.html", task=view, ctx=ctx, widgets=widgets, may=may, general_errors=general or [],
        error_count=len(errors or {}) + len(general or []), multipart=formview.has_files(view.form),
        doc=instructions(view.documentation), colleagues=colleagues, who=display_name,
        barred_note=barred_note, overdue=view.due_at is not None and view.due_at < engine().clock.now(),
    ), status


def _duty_note(task_name: str, rule: str | None) -> str:
    if rule == identity.DUTY_INITIATOR:
        return _("You started this case, so you may not do '%(step)s': someone independent of the request "
                 "must do it.", step=task_name)
    return _("You did an earlier step of this case that '%(step)s' must be independent of, so someone else "
             "must do it.", step=task_name)


@bp.route("/tasks/<id:task_id>")
@login_required
def show(task_id: str) -> Any:
    # The task, the draft and the case context in one transaction, with the signed-in user as loaded.
    found = engine().task_page(task_id, user())
    view, draft = found.task, found.draft
    ctx = case_context(view.case_id, user(), page=found.case)
    case_data = ctx.case.data if view.state == "open" else {}
    return _render(view, formview.initial_values(view.form, case_data, draft), ctx=ctx)


def _retry(view: TaskView, typed: Mapping[str, Any], by_field: Mapping[str, str], general: list[str]) -> Any:
    """The form again after an error: what was typed, over the case data (so read-only context still shows)."""
    ctx = case_context(view.case_id, user().name)
    return _render(view, formview.initial_values(view.form, ctx.case.data, typed), by_field, general, 400, ctx=ctx)


@bp.route("/tasks/<id:task_id>", methods=["POST"])
@login_required
def submit(task_id: str) -> Any:
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    me = user().name
    eng = engine()
    view = eng.task(task_id, me)
    if view.state != "open":
        by = display_name(view.completed_by)
        return page(409, _("This could not be done"),
                    _("The task is already finished (by %(name)s).", name=by) if by else
                    _("The task is no longer open."))
    max_bytes = settings().max_upload_bytes

    def store(upload: FileStorage) -> str:
        content = upload.stream.read(max_bytes + 1)
        return attachments.store(eng, me, upload.filename or "file", content, task_id=task_id,
                                 max_bytes=max_bytes).id

    def known(attachment_id: str) -> bool:
        try:
            item = attachments.get(eng, me, attachment_id, with_content=False)
        except TurnusError:
            return False
        return item.case_id == view.case_id

    sub = formview.read(view.form, request.form, request.files, store, known, max_bytes)
    if sub.errors:
        by_field, general = formview.error_map(view.form, formview.all_errors(view.form, sub))
        return _retry(view, sub.raw, by_field, general)
    try:
        if action == "draft":
            eng.save_draft(task_id, me, sub.data)
        else:
            eng.complete(task_id, me, sub.data)
    except FormInvalid as err:
        by_field, general = formview.error_map(view.form, err.errors)
        return _retry(view, sub.raw, by_field, general)
    if action == "draft":
        flash(_("Your draft is saved. You can come back to it later."), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    flash(_("'%(step)s' is done. Thank you.", step=view.name), "success")
    return redirect(url_for("inbox.tasks"))
