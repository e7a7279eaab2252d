"""A small registry of the API's operations: each records its method, path, body model, query model, responses and
required scope, and the same record both validates the request and builds the OpenAPI 3.1 document.

Pydantic v2 models are the single source: ``model_validate`` checks a body, ``model_json_schema`` describes it,
so the document cannot drift from what is enforced.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g, request
from pydantic import BaseModel, ValidationError

from web.api.blueprint import bp
from web.api.problems import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # Flask rule below /api/v1, e.g. "/cases/<id:case_id>"
    summary: str
    scope: str | None  # None: any valid token
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, str] = field(default_factory=dict)  # status -> description (errors added by build)
    response_model: type[BaseModel] | None = None
    content_type: str = "application/json"
    headers: tuple[str, ...] = ()  # request headers honoured: Idempotency-Key, If-Match

    @property
    def openapi_path(self) -> str:
        return _PARAM.sub(r"{\1}", self.path)


OPERATIONS: list[Operation] = []


def _errors(err: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]} for e in err.errors()]


def body_of(model: type[BaseModel]) -> Any:
    """The JSON body, validated by ``model``; 400 for what is not JSON, 422 for what does not fit."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "malformed_json") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ApiProblem(422, "body_invalid", errors=_errors(err)) from None


def query_of(model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as err:
        raise ApiProblem(400, "query_invalid", errors=_errors(err)) from None


def operation(method: str, path: str, summary: str, *, scope: str | None, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, responses: dict[int, str] | None = None,
              response_model: type[BaseModel] | None = None, content_type: str = "application/json",
              headers: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Register a view as an API operation: authenticated, scope-checked, its body/query parsed into the view's
    ``body``/``query`` keyword arguments."""
    op = Operation(method, path, summary, scope, body, query, responses or {200: "OK"}, response_model,
                   content_type, headers)
    OPERATIONS.append(op)

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def run(**kwargs: Any) -> Any:
            from web.api.auth import require

            require(op.scope)
            if op.body is not None:
                kwargs["body"] = body_of(op.body)
            if op.query is not None:
                kwargs["query"] = query_of(op.query)
            g.api_operation = op
            return view(**kwargs)
        bp.add_url_rule(path, endpoint=view.__name__, view_func=run, methods=[method])
        return view
    return wrap


ID_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$"}  # web.security.IdConverter
PROBLEM = {"$ref": "#/components/schemas/Problem"}
_ERRORS = {400: "Malformed request", 401: "No valid token", 403: "Not allowed, or the token lacks a scope",
           404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
           412: "The task changed (If-Match)", 413: "Too large", 415: "Unsupported media type",
           422: "The request does not fit", 429: "Too many failed attempts", 500: "Error in Turnus",
           503: "Busy; try again"}
_PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "reason": {"type": ["string", "null"]},
                   "scope": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                                         "properties": {"field": {"type": "string"},
                                                                        "message": {"type": "string"}}}}},
}
_HEADER_DOC = {
    "Idempotency-Key": "The same key and body within 24 hours returns the first response with no second effect.",
    "If-Match": "The task's ETag; 412 if the task changed since.",
}


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "schema": {k: v for k, v in prop.items() if k != "title"}}
            for name, prop in schema.get("properties", {}).items()]


def document(server: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    components: dict[str, Any] = {"Problem": _PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        params = [{"name": n, "in": "path", "required": True, "schema": ID_SCHEMA} for n in _PARAM.findall(op.path)]
        if op.query is not None:
            params += _query_params(op.query)
        params += [{"name": h, "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
                    "description": _HEADER_DOC[h]} for h in op.headers]
        params.append({"name": "Accept-Language", "in": "header", "required": False,
                       "schema": {"type": "string"}, "description": "da (default) or en: the language of errors"})
        responses: dict[str, Any] = {}
        for status, text in op.responses.items():
            content: dict[str, Any] = {op.content_type: {"schema": _schema(op.response_model, components)
                                                         if op.response_model else {}}}
            responses[str(status)] = {"description": text, "content": content} if status != 204 else \
                {"description": text}
        errors = [400, 401, 403, 404, 405, 406, 413, 415, 429, 500, 503]
        if op.body is not None or op.query is not None or op.headers:
            errors.append(422)
        if op.method == "POST":
            errors.append(409)
        if "If-Match" in op.headers:
            errors.append(412)
        for status in errors:
            responses.setdefault(str(status), {"description": _ERRORS[status],
                                               "content": {"application/problem+json": {"schema": PROBLEM}}})
        entry: dict[str, Any] = {"summary": op.summary, "operationId": op.path.strip("/").replace("/", "_")
                                 .replace("<", "").replace(">", "").replace(":", "_") + "_" + op.method.lower(),
                                 "parameters": params, "responses": responses,
                                 "security": [{"bearer": [op.scope] if op.scope else []}]}
        if op.scope:
            entry["description"] = f"Needs the scope `{op.scope}`."
        if op.body is not None:
            entry["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _schema(op.body, components)}}}
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Turnus API", "version": "1",
                 "description": "Cases, tasks, messages and signals of Turnus. Errors are RFC 9457 problem details."},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "turnus tokens add USER"}}},
    }
