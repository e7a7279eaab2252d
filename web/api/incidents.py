"""/api/v1/incidents: the open incidents an administrator's monitoring or runbook acts on (issue 24), with the
same engine calls and policy as the console at /admin (engine/service/admin.py): the token needs the scope
``admin`` and its user the role ``admin``."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from pydantic import Field

from engine.cases.incident_queries import OpenIncident
from web.api import models
from web.api.idempotency import idempotent
from web.api.present import iso
from web.api.problems import ApiProblem
from web.api.registry import operation
from web.deps import engine


class IncidentQuery(models.Strict):
    process: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    element: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")


class Retry(models.Strict):
    reason: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")
    # The incident the caller saw (``token`` of GET /incidents): refused if it was retried meanwhile.
    token: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[^\x00]*$")


def _json(i: OpenIncident) -> dict[str, Any]:
    return {"id": i.case_id, "case_id": i.case_id, "title": i.title, "process": i.key, "version": i.version,
            "element_id": i.element_id, "element_name": i.element_name, "message": i.message, "line": i.line,
            "kind": i.error_kind, "raised_by_command": i.command, "raised_at": iso(i.raised_at),
            "raised_by": i.raised_by, "token": i.token}


@operation("GET", "/incidents", "Open incidents, newest first (administrators)", scope="admin",
           query=IncidentQuery)
def list_incidents(query: IncidentQuery) -> Any:
    found = engine().incidents(g.user.name, process=query.process, element=query.element)
    return jsonify(items=[_json(i) for i in found])


@operation("POST", "/incidents/<id:case_id>/retry", "Run the command that raised the case's incident again",
           scope="admin", body=Retry, response_model=models.Ok, headers=("Idempotency-Key",))
@idempotent
def retry_incident(case_id: str, body: Retry) -> Any:
    token = body.token
    if token is None:
        current = engine().incident(case_id, g.user.name)
        if current is None:
            raise ApiProblem(409, "incident_gone")
        token = current.token
    engine().retry_incident(case_id, g.user.name, token, body.reason)
    return jsonify(ok=True)
