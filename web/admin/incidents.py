"""Open incidents: the list (filter by process, element, age), one incident with its diagram, error, data and
cause, and its three actions. A refusal (another administrator acted first, no reason given, bad data) comes
back as a message on the page, in the reader's language; nothing is changed then."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Busy, InvalidInput, TurnusError
from web.admin.blueprint import admin_required, bp
from web.deps import display_name, engine, user
from web.refusals import refusal_text

MAX_REASON = 1000
AGES = {"1h": 1.0, "24h": 24.0, "7d": 168.0}


@bp.route("")
@admin_required
def index() -> Any:
    return render_template("admin/index.html", open_incidents=engine().incident_count(user().name))


@bp.route("/incidents")
@admin_required
def incidents() -> Any:
    process = request.args.get("process", "").strip()[:200]
    element = request.args.get("element", "").strip()[:200]
    age = request.args.get("age", "")
    every = engine().incidents(user().name)
    shown = engine().incidents(user().name, process=process or None, element=element or None,
                               older_than_hours=AGES.get(age))
    processes = sorted({(i.key, i.process_name) for i in every})
    elements = sorted({(i.element_id, i.element_name or i.element_id) for i in every if i.element_id})
    return render_template("admin/incidents.html", incidents=shown, processes=processes, elements=elements,
                           process=process, element=element, age=age if age in AGES else "", who=display_name)


def _detail(case_id: str, status: int = 200, **form: Any) -> Any:
    me = user().name
    incident = engine().incident(case_id, me)
    if incident is None:
        return render_template("admin/incident_gone.html", case_id=case_id), (404 if status == 200 else status)
    case = engine().case(case_id, me, purpose="incident")
    return render_template("admin/incident.html", incident=incident, case=case, who=display_name,
                           data_json=json.dumps(case.data, indent=2, ensure_ascii=False, sort_keys=True),
                           max_reason=MAX_REASON, form=form), status


@bp.route("/incidents/<id:case_id>")
@admin_required
def incident(case_id: str) -> Any:
    return _detail(case_id)


def _act(case_id: str, action: str, run: Any, done: str) -> Any:
    token = request.form.get("token", "")[:20]
    reason = request.form.get("reason", "")[:MAX_REASON + 1]
    try:
        run(token, reason)
    except Busy:
        raise  # the app's busy page: a moment later the same request works
    except TurnusError as err:
        if err.code == "incident":
            text = _("The step failed again, so nothing was changed; the incident below is the new one.")
        else:
            text = refusal_text(err) or _("This could not be done. Nothing was changed.")
        flash(text, "error")
        return _detail(case_id, 409 if err.code in ("conflict", "incident") else 400,
                       action=action, reason=reason, data=request.form.get("data", ""))
    flash(done, "success")
    return redirect(url_for("admin.incidents"))


@bp.route("/incidents/<id:case_id>/retry", methods=["POST"])
@admin_required
def retry(case_id: str) -> Any:
    return _act(case_id, "retry", lambda token, reason: engine().retry_incident(case_id, user().name, token, reason),
                _("The step ran again and the case goes on. The case history records why."))


@bp.route("/incidents/<id:case_id>/correct", methods=["POST"])
@admin_required
def correct(case_id: str) -> Any:
    def run(token: str, reason: str) -> None:
        try:
            data = json.loads(request.form.get("data", "") or "null")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise InvalidInput("The corrected data must be a JSON object", reason="admin_data_json")
        engine().correct_and_retry(case_id, user().name, token, data, reason)
    return _act(case_id, "correct", run,
                _("The data was corrected and the step ran again; the case goes on. The case history records why."))


@bp.route("/incidents/<id:case_id>/cancel", methods=["POST"])
@admin_required
def cancel(case_id: str) -> Any:
    return _act(case_id, "cancel",
                lambda token, reason: engine().cancel_incident_case(case_id, user().name, token, reason),
                _("The case is cancelled. The case history records why."))

