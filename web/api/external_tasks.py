"""/api/v1/external-tasks (issue 23): the pattern of Camunda 7's external task client. A worker fetches and locks
tasks of its topics, does the work outside Turnus, then completes them (the case runs on) or reports a failure.
The token needs the scope ``external-tasks`` and its user the role ``integration`` (or ``admin``)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from pydantic import BaseModel, Field

from engine.cases.external_locks import Locked
from engine.service.external_tasks import MAX_LOCK_MS, MAX_RETRIES, MAX_TASKS
from web.api import models
from web.api.idempotency import idempotent
from web.api.present import iso
from web.api.registry import operation
from web.deps import engine

SCOPE = "external-tasks"
_TEXT = r"^[^\x00]*\S[^\x00]*$"  # not empty, not only spaces, no NUL


def _worker() -> Any:
    return Field(min_length=1, max_length=200, pattern=_TEXT, description="The worker's own id; it holds the lock")


class Topic(models.Strict):
    name: str = Field(min_length=1, max_length=200, pattern=_TEXT)
    lock_duration_ms: int = Field(ge=1, le=MAX_LOCK_MS)


class FetchAndLock(models.Strict):
    worker_id: str = _worker()
    topics: list[Topic] = Field(min_length=1, max_length=50)
    max_tasks: int = Field(default=1, ge=1, le=MAX_TASKS)


class CompleteExternal(models.Strict):
    worker_id: str = _worker()
    data: dict[str, Any] = Field(default_factory=dict)


class Failure(models.Strict):
    worker_id: str = _worker()
    error_message: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")
    error_details: str | None = Field(default=None, max_length=20000, pattern=r"^[^\x00]*$")
    retries: int = Field(ge=0, le=MAX_RETRIES, description="Retries left; 0 raises an incident on the case")
    retry_timeout_ms: int = Field(default=0, ge=0, le=MAX_LOCK_MS)


class ExtendLock(models.Strict):
    worker_id: str = _worker()
    new_duration_ms: int = Field(ge=1, le=MAX_LOCK_MS, description="The lock then expires this long from now")


class LockedTask(BaseModel):
    id: str
    topic: str
    case_id: str
    business_key: str | None
    process: str
    element_id: str
    element_name: str
    worker_id: str
    lock_expires_at: str
    retries: int | None
    error_message: str | None
    variables: dict[str, Any]


class Fetched(BaseModel):
    items: list[LockedTask]


class Failed(BaseModel):
    ok: bool = True
    incident: bool


class Extended(BaseModel):
    lock_expires_at: str


def _json(t: Locked) -> dict[str, Any]:
    return {"id": t.id, "topic": t.topic, "case_id": t.case_id, "business_key": t.business_key,
            "process": t.process, "element_id": t.element_id, "element_name": t.element_name,
            "worker_id": t.worker_id, "lock_expires_at": iso(t.lock_expires_at), "retries": t.retries,
            "error_message": t.error_message, "variables": t.variables}


@operation("POST", "/external-tasks/fetch-and-lock", "Lock waiting external tasks of some topics for a worker",
           scope=SCOPE, body=FetchAndLock, response_model=Fetched)
def fetch_and_lock(body: FetchAndLock) -> Any:
    found = engine().fetch_and_lock(g.user.name, body.worker_id, {t.name: t.lock_duration_ms for t in body.topics},
                                    body.max_tasks)
    return jsonify(items=[_json(t) for t in found])


@operation("POST", "/external-tasks/<id:task_id>/complete", "Complete an external task the worker holds",
           scope=SCOPE, body=CompleteExternal, response_model=models.Ok, headers=("Idempotency-Key",))
@idempotent
def complete_external(task_id: str, body: CompleteExternal) -> Any:
    engine().complete_external(task_id, g.user.name, body.worker_id, body.data)
    return jsonify(ok=True)


@operation("POST", "/external-tasks/<id:task_id>/failure", "Report that the worker failed an external task",
           scope=SCOPE, body=Failure, response_model=Failed, headers=("Idempotency-Key",))
@idempotent
def fail_external(task_id: str, body: Failure) -> Any:
    incident = engine().fail_external(task_id, g.user.name, body.worker_id, body.error_message,
                                      details=body.error_details, retries=body.retries,
                                      retry_timeout_ms=body.retry_timeout_ms)
    return jsonify(ok=True, incident=incident)


@operation("POST", "/external-tasks/<id:task_id>/extend-lock", "Extend the lock the worker holds on a task",
           scope=SCOPE, body=ExtendLock, response_model=Extended)
def extend_external_lock(task_id: str, body: ExtendLock) -> Any:
    until = engine().extend_external_lock(task_id, g.user.name, body.worker_id, body.new_duration_ms)
    return jsonify(lock_expires_at=iso(until))
