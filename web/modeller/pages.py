"""Pages: the list of definitions, the editor, a version's files, the versions with what changed."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, render_template, url_for

from web.deps import engine, user
from web.modeller.actions import heading
from web.modeller.blueprint import bp, owner_required
from web.modeller.change_words import change_words
from web.security import CSP

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_new" targetNamespace="http://turnus/bpmn">
  <bpmn:process id="ny_proces" name="Ny proces" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="ny_proces">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@bp.route("")
@owner_required
def index() -> Any:
    return render_template("modeller/index.html", definitions=engine().definition_overview(user().name))


def _editor(key: str | None, title: str | None, files: dict[str, str]) -> Any:
    nonce = secrets.token_urlsafe(18)
    page = render_template("modeller/editor.html", key=key, title=title, files=files,
                           draft_key=f"turnus-draft:{key or 'new'}", style_nonce=nonce)
    # bpmn-js and its properties panel build markup with style="" attributes (sizes, positions of
    # the canvas and popups), so style *attributes* are allowed on this page. CodeMirror (the cell editor
    # of dmn-js) adds its theme as a <style> element: only elements carrying this response's nonce are
    # applied (modeller-dmn.js gives it to them), so injected markup still cannot style the page. Inline
    # scripts and everything else stay as strict as elsewhere (web/security.py).
    csp = f"{CSP}; style-src-attr 'unsafe-inline'; style-src-elem 'self' 'nonce-{nonce}'"
    return Response(page, headers={"Content-Security-Policy": csp})


@bp.route("/new")
@owner_required
def new() -> Any:
    return _editor(None, None, {"ny_proces.bpmn": url_for("modeller.blank")})


@bp.route("/new/blank.bpmn")
@owner_required
def blank() -> Any:
    return Response(BLANK, mimetype="application/xml")


@bp.route("/<id:key>/edit", defaults={"version": None})
@bp.route("/<id:key>/<int:version>/edit")
@owner_required
def edit(key: str, version: int | None) -> Any:
    names = engine().version_files(key, version, user().name)
    found = engine().versions_of(key)
    shown = version or max(v.version for v in found)
    title = heading(next(v.name for v in found if v.version == shown), shown)
    return _editor(key, title, {n: url_for("modeller.download", key=key, version=shown, name=n) for n in names})


@bp.route("/<id:key>/<int:version>/files/<path:name>")
@owner_required
def download(key: str, version: int, name: str) -> Any:
    files = engine().version_files(key, version, user().name)
    if name not in files:
        abort(404)
    return Response(files[name], mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"'})


@bp.route("/<id:key>/<int:version>/diagram.bpmn")
@owner_required
def diagram(key: str, version: int) -> Any:
    """The BPMN file that holds the process `key` (a deploy may carry several files), for the read-only viewer."""
    files = engine().version_files(key, version, user().name)
    bpmn = [c for n, c in files.items() if n.lower().endswith(".bpmn")]
    own = next((c for c in bpmn if f'id="{key}"'.encode() in c), bpmn[0] if bpmn else None)
    if own is None:
        abort(404)
    return Response(own, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.route("/<id:key>/versions")
@owner_required
def versions(key: str) -> Any:
    eng = engine()
    found = eng.versions_of(key)
    diffs = {v.version: eng.version_diff(key, v.version - 1, v.version) for v in found if v.version > 1}
    return render_template("modeller/versions.html", key=key, name=found[0].name, versions=found, diffs=diffs,
                           change_words=change_words)
