"""RFC 9457 problem details for every error under /api: type, title, status, detail in the caller's
Accept-Language (Danish by default), the engine's reason code, and errors[] for fields. The detail comes from
the one catalogue of refusals (web/refusals.py), so the API and the pages say the same thing."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Response, request
from flask_babel import force_locale
from flask_babel import gettext as _

from engine.errors import Busy, Conflict, Forbidden, FormInvalid, InvalidInput, NotFound, TurnusError
from web.present import field_error
from web.refusals import refusal_text

log = logging.getLogger("turnus.api")
PROBLEM_TYPE = "https://turnus.invalid/problems/"  # + reason; a stable identifier, not a page to fetch


class ApiProblem(Exception):
    """A refusal decided in the web layer of the API (no token, bad JSON, a missing scope...)."""

    def __init__(self, status: int, reason: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, **params: Any):
        super().__init__(reason)
        self.status, self.reason, self.params = status, reason, params
        self.errors, self.headers = errors, headers or {}


def language() -> str:
    return request.accept_languages.best_match(["da", "en"]) or "da" if request else "da"


def _titles() -> dict[int, str]:
    return {400: _("The request was not accepted"), 401: _("Not signed in"), 403: _("Not allowed"),
            404: _("Not found"), 405: _("Not possible here"), 406: _("Not acceptable"),
            409: _("This could not be done"), 412: _("The task has changed"), 413: _("Too large"),
            415: _("Unsupported media type"), 422: _("The request was not accepted"),
            429: _("Too many attempts"), 500: _("Something went wrong"), 503: _("Busy right now")}


def problem(status: int, reason: str | None, *, params: dict[str, Any] | None = None,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> Response:
    with force_locale(language()):
        detail = refusal_text(TurnusError("", reason=reason, **(params or {}))) if reason else ""
        body: dict[str, Any] = {"type": PROBLEM_TYPE + (reason or "error"),
                                "title": _titles().get(status, _("The request was not accepted")),
                                "status": status, "detail": detail, "reason": reason}
    if errors is not None:
        body["errors"] = errors
    if reason == "missing_scope" and params:
        body["scope"] = params["scope"]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    response.headers["Content-Language"] = language()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_api_problem(err: ApiProblem) -> Response:
    return problem(err.status, err.reason, params=err.params, errors=err.errors, headers=err.headers)


def from_turnus_error(err: TurnusError) -> Response:
    """The engine's refusals with the status the HTTP world expects; the engine's reason is kept."""
    if isinstance(err, Busy):
        return problem(503, "busy", headers={"Retry-After": str(err.retry_after)})
    if isinstance(err, FormInvalid):
        with force_locale(language()):
            errors = [{"field": e.field, "message": field_error(None, e)} for e in err.errors]
        return problem(422, "form_invalid", errors=errors)
    status = 404 if isinstance(err, NotFound) else 403 if isinstance(err, Forbidden) else \
        409 if isinstance(err, Conflict) or err.code == "incident" else 422 if isinstance(err, InvalidInput) else 400
    if status in (403, 404):
        log.warning("%s %s %s: %s", status, request.method, request.path, err)
    reason = err.reason or ("incident" if err.code == "incident" else None)
    return problem(status, reason, params=dict(err.params))


HTTP_REASONS = {400: "bad_request", 404: "no_route", 405: "wrong_method", 413: "too_large", 406: "not_acceptable",
                415: "unsupported_media_type"}
