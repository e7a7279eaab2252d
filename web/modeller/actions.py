"""Commands from the modeller: validate and deploy (JSON, for the editor's fetch), migrate (a form)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from engine.errors import DefinitionInvalid, Problem, TurnusError
from web.deps import engine, user
from web.modeller.blueprint import bp, owner_required
from web.modeller.change_words import change_words
from web.modeller.findings import finding_parts
from web.modeller.migration_words import refused_text
from web.refusals import refusal_text

MAX_FILES = 20


def _files() -> dict[str, bytes] | str:
    """The editor's files from the JSON body {"files": {name: xml}}, or a message saying what is wrong."""
    body = request.get_json(silent=True)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files:
        return _("Send the diagram as JSON: {\"files\": {\"name.bpmn\": \"<xml>\"}}.")
    if len(files) > MAX_FILES:
        return _("At most %(n)d files can be deployed together.", n=MAX_FILES)
    out: dict[str, bytes] = {}
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str) or not name.lower().endswith((".bpmn", ".dmn")):
            return _("Only .bpmn and .dmn files can be sent (got %(name)s).", name=str(name)[:100])
        if "/" in name or "\\" in name or name.startswith("."):
            return _("A file name may not contain a folder: %(name)s.", name=name[:100])
        out[name] = text.encode("utf-8")
    return out


def _finding(p: Problem) -> dict[str, Any]:
    message, detail = finding_parts(p)
    return {"severity": p.severity, "file": p.file, "element_id": p.element_id, "line": p.line,
            "message": message, "detail": detail}


def _bad(message: str, status: int = 400) -> Any:
    return jsonify(ok=False, message=message, findings=[]), status


@bp.route("/validate", methods=["POST"])
@owner_required
def validate() -> Any:
    files = _files()
    if isinstance(files, str):
        return _bad(files)
    keys, problems = engine().validate_files(files, user().name)
    ok = not any(p.severity == "error" for p in problems)
    return jsonify(ok=ok, keys=keys, findings=[_finding(p) for p in problems],
                   message=_("No errors: this can be deployed.") if ok else _("Errors must be fixed before deploying."))


@bp.route("/deploy", methods=["POST"])
@owner_required
def deploy() -> Any:
    files = _files()
    if isinstance(files, str):
        return _bad(files)
    eng = engine()
    try:
        results = eng.deploy_files(files, user().name)
    except DefinitionInvalid as err:
        return jsonify(ok=False, findings=[_finding(p) for p in err.problems],
                       message=_("Not deployed: errors must be fixed first.")), 422
    except TurnusError as err:
        return _bad(refusal_text(err) or str(err), 409)
    lines = [(_("%(key)s version %(version)d is now the latest.", key=r.key, version=r.version) if r.status == "new"
              else _("No changes — version %(version)d is still the latest.", version=r.version))
             for r in results]
    # the editor's heading names the process and its newest version (the key alone says little)
    names = {r.key: eng.versions_of(r.key)[0].name for r in results}
    return jsonify(ok=True, message=" ".join(lines), findings=[],
                   deployed=[{"key": r.key, "version": r.version, "status": r.status, "name": names[r.key],
                              "heading": heading(names[r.key], r.version)} for r in results])


def heading(name: str, version: int) -> str:
    return _("%(name)s, version %(version)d", name=name, version=version)


@bp.route("/<id:key>/migrate", methods=["GET", "POST"])
@owner_required
def migrate(key: str) -> Any:
    eng = engine()
    found = eng.versions_of(key)
    latest = found[0].version
    results, error, dry_run = None, None, True
    form = {"to": str(latest), "from": "", "cases": ""}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("to", "from", "cases")}
        dry_run = request.form.get("action") != "apply"
        try:
            to = int(form["to"])
            src = int(form["from"]) if form["from"] else None
        except ValueError:
            error = _("Choose the versions from the lists.")
        else:
            ids = [c for c in form["cases"].replace(",", " ").split() if c][:1000]
            try:
                results = eng.migrate(key, to, user().name, from_version=src, case_ids=ids, dry_run=dry_run)
            except TurnusError as err:
                error = refusal_text(err) or str(err)
    status = 400 if error else 200
    # the diagram shows the version the cases would move to, marking what changed since the one before it
    shown = next((v.version for v in found if str(v.version) == form["to"]), latest)
    changes = eng.version_diff(key, shown - 1, shown) if shown > 1 else None
    return render_template("modeller/migrate.html", key=key, name=found[0].name, versions=found, form=form,
                           results=results, error=error, dry_run=dry_run, shown=shown, changes=changes,
                           marks=_marks(changes), change_words=change_words,
                           refused=refused_text), status


def _marks(changes: Any) -> dict[str, str]:
    """Element id → "added" or "changed", for the diagram's markers (what the list beside it says)."""
    if changes is None:
        return {}
    marks = {c.element_id: "changed" for c in changes.changed}
    marks.update({f.element_id: "changed" for f in [*changes.fields, *changes.assignment]})
    marks.update({c.element_id: "added" for c in changes.added})
    return marks
