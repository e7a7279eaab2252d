"""My tasks and group tasks: lists with counts, filters and sorting; claim, release, hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.cases.inbox import SORTS, VIEWS
from engine.cases.queries import TaskView
from engine.errors import Conflict, TurnusError
from web.deps import directory, display_name, engine, login_required, safe_next, settings, user
from web.errors import page
from web.refusals import refusal_text

bp = Blueprint("inbox", __name__)


@dataclass(frozen=True)
class Listing:
    view: str
    q: str
    overdue_only: bool
    sort: str
    page: int


def _listing() -> Listing:
    args = request.args
    view = args.get("view", "")
    sort = args.get("sort", "due")
    try:
        page = max(1, min(int(args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    return Listing(view if view in VIEWS else "", args.get("q", "").strip()[:200],
                   args.get("overdue") == "1", sort if sort in SORTS else "due", page)


def is_overdue(task: TaskView, now: datetime) -> bool:
    return task.due_at is not None and task.due_at < now


@bp.route("/")
@login_required
def index() -> Any:
    return redirect(url_for("inbox.tasks"))


@bp.route("/tasks")
@login_required
def tasks() -> Any:
    listing = _listing()
    now = engine().clock.now()
    # Counted, filtered, sorted and paginated by the database; the signed-in user is passed, not reloaded.
    found = engine().inbox(user(), view=listing.view, q=listing.q, overdue_only=listing.overdue_only,
                           sort=listing.sort, page=listing.page, size=settings().page_size, now=now)
    return render_template(
        "inbox.html", listing=listing, view=found.view, tasks=found.tasks, total=found.total, page=found.page,
        pages=found.pages, counts=found.counts, now=now, is_overdue=is_overdue,
        overdue_count=found.overdue_count, who=display_name,
    )


def _back(task_id: str) -> str:
    return safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id))


def _conflict(err: Conflict) -> Any:
    """Why claiming/releasing/handing over did not work, in the person's language: the refusal the engine's
    reason code names (web/refusals.py), with what the engine saw when it refused."""
    return page(409, _("This could not be done"), refusal_text(err) or _("The case or task has changed."))


@bp.route("/tasks/<id:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str) -> Any:
    try:
        engine().claim(task_id, user().name)
    except Conflict as err:
        return _conflict(err)
    flash(_("The task is now yours."), "success")
    return redirect(_back(task_id))


@bp.route("/tasks/<id:task_id>/release", methods=["POST"])
@login_required
def release(task_id: str) -> Any:
    try:
        engine().release(task_id, user().name)
    except Conflict as err:
        return _conflict(err)
    flash(_("The task is back with the group."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.tasks")))


@bp.route("/tasks/<id:task_id>/assign", methods=["POST"])
@login_required
def assign(task_id: str) -> Any:
    to_user = request.form.get("to", "").strip()
    if not to_user:
        abort(400)
    if to_user not in directory() and not _known(to_user):
        return page(400, _("The request was not accepted"), _("There is no colleague with that user name."))
    try:
        engine().assign(task_id, user().name, to_user)
    except Conflict as err:
        return _conflict(err)
    flash(_("The task was handed to %(name)s.", name=display_name(to_user)), "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.tasks")))


def _known(name: str) -> bool:
    try:
        engine().user(name[:100])
    except TurnusError:
        return False
    return True
