"""/api/v1 definitions and cases: through the same engine calls and policy as the web pages and the CLI."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from flask import Response, g, jsonify, request, url_for

from engine.errors import NotFound
from engine.forms import FormSchema
from web.api import models
from web.api.idempotency import idempotent
from web.api.present import case_json, form_schema, iso
from web.api.problems import ApiProblem
from web.api.registry import operation
from web.deps import engine


def _cursor(at: datetime, case_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), case_id]).encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        at, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(case_id)
    except (ValueError, TypeError):
        raise ApiProblem(400, "bad_cursor") from None


@operation("GET", "/definitions", "The processes that can be started (latest versions)", scope="cases:read")
def definitions() -> Any:
    return jsonify(items=[{"key": d.key, "name": d.name, "version": d.version, "deployed_by": d.deployed_by,
                           "deployed_at": iso(d.deployed_at)} for d in engine().definitions()])


@operation("GET", "/definitions/<id:key>", "A process: its versions and its start form as JSON Schema",
           scope="cases:read")
def definition(key: str) -> Any:
    versions = engine().versions_of(key)
    if not versions:
        raise NotFound(f"No process {key!r}")
    name, start = engine().start_form(key)
    # The start variables (declared, or inferred from what the process uses) are taken beside the form's fields.
    start = FormSchema(start.fields + engine().start_variables(key).fields)
    return jsonify(key=key, name=name, start_form=form_schema(start),
                   versions=[{"version": v.version, "deployed_by": v.deployed_by, "deployed_at": iso(v.deployed_at),
                              "content_hash": v.content_hash, "running": v.running, "finished": v.finished}
                             for v in versions])


@operation("GET", "/definitions/<id:key>/xml", "The BPMN file of the latest version", scope="cases:read",
           content_type="application/xml", responses={200: "The BPMN XML"})
def definition_xml(key: str) -> Any:
    _, content = engine().latest_xml(key)
    return Response(content, mimetype="application/xml")


@operation("POST", "/cases", "Start a case", scope="cases:write", body=models.StartCase,
           responses={201: "Started"}, response_model=models.Created, headers=("Idempotency-Key",))
@idempotent
def start_case(body: models.StartCase) -> Any:
    case_id = engine().start(body.key, g.user.name, body.data, body.business_key)
    response = jsonify(id=case_id)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case_id)
    return response


@operation("GET", "/cases", "Cases the caller may read, newest first, a page at a time", scope="cases:read",
           query=models.CaseQuery)
def list_cases(query: models.CaseQuery) -> Any:
    rows = engine().case_list(g.user, status=query.status, key=query.key, started_by=query.started_by,
                              business_key=query.business_key, since=query.since,
                              after=_after(query.cursor) if query.cursor else None, limit=query.limit + 1)
    more, rows = len(rows) > query.limit, rows[:query.limit]
    nxt = None
    if more:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        nxt = url_for("api.list_cases", **args, cursor=_cursor(rows[-1].started_at, rows[-1].id))
    response = jsonify(items=[{"id": r.id, "key": r.key, "title": r.title, "status": r.status,
                               "business_key": r.business_key, "started_by": r.started_by,
                               "started_at": iso(r.started_at), "ended_at": iso(r.ended_at)} for r in rows],
                       next=nxt)
    if nxt:
        response.headers["Link"] = f'<{nxt}>; rel="next"'
    return response


@operation("GET", "/cases/<id:case_id>", "A case: status, what it waits on, its data (logged as a read)",
           scope="cases:read")
def get_case(case_id: str) -> Any:
    return jsonify(case_json(engine().case(case_id, g.user.name, purpose="api")))


@operation("GET", "/cases/<id:case_id>/history", "The case's events with their chain fields", scope="cases:read")
def case_history(case_id: str) -> Any:
    return jsonify(items=engine().chained_history(case_id, g.user.name))


@operation("POST", "/cases/<id:case_id>/cancel", "Cancel a case (administrators; with a reason)",
           scope="cases:write", body=models.Cancel, response_model=models.Ok, headers=("Idempotency-Key",))
@idempotent
def cancel_case(case_id: str, body: models.Cancel) -> Any:
    engine().cancel(case_id, g.user.name, body.reason)
    return jsonify(ok=True)


@operation("POST", "/cases/<id:case_id>/comments", "Comment on a case", scope="cases:write", body=models.Comment,
           responses={201: "Added"}, response_model=models.Ok, headers=("Idempotency-Key",))
@idempotent
def comment_case(case_id: str, body: models.Comment) -> Any:
    engine().comment(case_id, g.user.name, body.text)
    response = jsonify(ok=True)
    response.status_code = 201
    return response
