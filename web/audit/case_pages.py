"""One case for an auditor: timeline in words, diagram, verify, exports, a printable view."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from engine.audit import export as export_doc
from web.audit.blueprint import auditor_required, bp
from web.audit.findings import finding_detail, finding_text
from web.audit.timeline import describe, fields_of
from web.deps import display_name, engine, user
from web.present import status_label


def _purpose() -> str:
    return request.args.get("purpose", "").strip()[:200] or "audit"


def _page(case_id: str, template: str, **more: Any) -> Any:
    me = user().name
    # the case page's read (one transaction, the same access-log rows) also gives the forms its steps used,
    # so that the timeline shows field labels and option texts as the task pages do
    page = engine().case_page(case_id, me, purpose=_purpose())
    case, events = page.case, page.events
    lines = describe(events, case.version, fields_of(page.start_form, *page.forms.values()))
    runs = engine().audit_runs(case_id)
    names = {e.element_id: e.element_name for e in events if e.element_id}
    # the diagram opens at the active step, or at the last one the case reached
    active = list(runs.get("active") or [])
    focus = active[0] if active else next((e.element_id for e in reversed(events) if e.element_id), "")
    return render_template(template, case=case, lines=lines, runs=runs, names=names, who=display_name,
                           status_label=status_label, version_id=engine().case_version_id(case_id), focus=focus,
                           **more)


@bp.route("/cases/<id:case_id>")
@auditor_required
def case(case_id: str) -> Any:
    verdict = None
    if request.args.get("verify") == "1":
        failures = engine().verify(case_id)
        verdict = {"ok": not failures, "failure": failures[0] if failures else None,
                   "live": engine().check_live_state(case_id)}
    full, lean = engine().export_sizes(case_id, user().name)
    return _page(case_id, "audit/case.html", verdict=verdict, finding=finding_text, detail=finding_detail,
                 sizes={"full": _kb(full), "lean": _kb(lean)})


def _kb(size: int) -> str:
    """A size as people read it next to a link: "269 kB", "5,8 kB" (the page's language's decimal sign)."""
    kb = size / 1000
    return _("%(size)s kB", size=format_decimal(round(kb, 1) if kb < 10 else round(kb), format="#,##0.#"))


@bp.route("/cases/<id:case_id>/print")
@auditor_required
def printable(case_id: str) -> Any:
    return _page(case_id, "audit/print.html")


@bp.route("/cases/<id:case_id>/export.<fmt>")
@auditor_required
def export(case_id: str, fmt: str) -> Any:
    if fmt not in ("json", "csv"):
        abort(404)  # the page in the reader's language, as every other unknown address
    body = engine().export_case(case_id, user().name, fmt, purpose=_purpose())
    lean = fmt == "json" and request.args.get("definitions") == "0"
    if lean:  # the auditor left the definition out: the chain still verifies (`turnus audit check-export`)
        body = export_doc.to_json(export_doc.without_definitions(json.loads(body)))
    mime = "application/json" if fmt == "json" else "text/csv"
    response = Response(body, mimetype=mime)
    name = f"case-{case_id}-events" if lean else f"case-{case_id}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/versions/<int:version_id>/diagram.bpmn")
@auditor_required
def diagram(version_id: int) -> Any:
    response = Response(engine().definition_xml(user().name, version_id), mimetype="application/xml")
    response.headers["Cache-Control"] = "no-store"
    return response
