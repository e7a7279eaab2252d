"""/api/v1 tasks, messages and signals. Tasks carry an ETag; a change honours If-Match (412 when the task
changed since the caller read it)."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import g, jsonify, request, url_for

from engine.errors import TurnusError
from web.api import models
from web.api.idempotency import idempotent
from web.api.present import etag, task_json
from web.api.problems import ApiProblem
from web.api.registry import operation
from web.deps import engine


@operation("GET", "/tasks", "The caller's and their groups' open tasks (the inbox's filters and orders)",
           scope="cases:read", query=models.TaskQuery)
def list_tasks(query: models.TaskQuery) -> Any:
    page = engine().inbox(g.user, view=query.view or "", q=query.q, overdue_only=query.overdue, sort=query.sort,
                          page=query.page, size=query.size)
    nxt = None
    if page.page < page.pages:
        nxt = url_for("api.list_tasks", **{**request.args.to_dict(), "page": page.page + 1})
    return jsonify(items=[task_json(t) for t in page.tasks], view=page.view, total=page.total, page=page.page,
                   pages=page.pages, counts=page.counts, next=nxt)


def _task(task_id: str) -> Any:
    return engine().task(task_id, g.user.name)


@operation("GET", "/tasks/<id:task_id>", "A task with its form as JSON Schema", scope="cases:read")
def get_task(task_id: str) -> Any:
    view = _task(task_id)
    response = jsonify(task_json(view, form=True))
    response.headers["ETag"] = etag(view)
    return response


def _if_match(task_id: str) -> None:
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    current = etag(_task(task_id))
    if wanted.strip() != "*" and current not in [w.strip() for w in wanted.split(",")]:
        raise ApiProblem(412, "etag_mismatch", headers={"ETag": current})


def _done(task_id: str) -> Any:
    response = jsonify(ok=True)
    with contextlib.suppress(TurnusError):  # e.g. handed to someone else: no longer the caller's to see
        response.headers["ETag"] = etag(_task(task_id))
    return response


_CHANGE = {"scope": "tasks:write", "response_model": models.Ok, "headers": ("Idempotency-Key", "If-Match")}


@operation("POST", "/tasks/<id:task_id>/claim", "Take a task", **_CHANGE)  # type: ignore[arg-type]
@idempotent
def claim_task(task_id: str) -> Any:
    _if_match(task_id)
    engine().claim(task_id, g.user.name)
    return _done(task_id)


@operation("POST", "/tasks/<id:task_id>/release", "Give a task back to its group", **_CHANGE)  # type: ignore[arg-type]
@idempotent
def release_task(task_id: str) -> Any:
    _if_match(task_id)
    engine().release(task_id, g.user.name)
    return _done(task_id)


@operation("POST", "/tasks/<id:task_id>/assign", "Hand a task to someone", body=models.Assign,
           **_CHANGE)  # type: ignore[arg-type]
@idempotent
def assign_task(task_id: str, body: models.Assign) -> Any:
    _if_match(task_id)
    engine().assign(task_id, g.user.name, body.to)
    return _done(task_id)


@operation("POST", "/tasks/<id:task_id>/complete", "Complete a task with its form's data", body=models.Complete,
           **_CHANGE)  # type: ignore[arg-type]
@idempotent
def complete_task(task_id: str, body: models.Complete) -> Any:
    _if_match(task_id)
    engine().complete(task_id, g.user.name, body.data)
    return jsonify(ok=True)


@operation("POST", "/messages", "Send a message to the case waiting for it, or start the case it starts",
           scope="messages:write", body=models.Message, response_model=models.Delivered,
           headers=("Idempotency-Key",))
@idempotent
def send_message(body: models.Message) -> Any:
    found = engine().send_message(body.name, g.user.name, case_id=body.case_id, business_key=body.business_key,
                                  data=body.data)
    return jsonify(case_id=found.case_id, started=found.started, elements=list(found.elements))


@operation("POST", "/signals", "Broadcast a signal to every case waiting for it", scope="messages:write",
           body=models.Signal, response_model=models.SignalDelivered, headers=("Idempotency-Key",))
@idempotent
def send_signal(body: models.Signal) -> Any:
    results = engine().send_signal(body.name, g.user.name, body.data)
    return jsonify(deliveries=[{"case_id": r.case_id, "started": r.started, "elements": list(r.elements),
                                "incident": r.incident} for r in results])
