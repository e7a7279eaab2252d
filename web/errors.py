"""Every failure becomes a page a person can act on; a traceback never reaches the browser."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, has_request_context, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Busy, Conflict, Forbidden, InvalidInput, NotFound, TurnusError
from web.refusals import refusal_text
from web.security import log_refusal

log = logging.getLogger("turnus.web")


def page(status: int, title: str, message: str = "", detail: str = "") -> tuple[Any, int]:
    if has_request_context() and request.is_json:  # the modeller's fetch shows the message in its status line
        return jsonify(ok=False, message=" ".join(p for p in (title + ":", message, detail) if p), findings=[]), status
    return render_template("error.html", status=status, title=title, message=message, detail=detail), status


def not_found() -> tuple[Any, int]:
    return page(404, _("Not found"), _("There is nothing here, or it is not yours to see."))


def forbidden(detail: str = "") -> tuple[Any, int]:
    return page(403, _("Not allowed"), _("You may not do this."), detail)


def turnus_error(err: TurnusError) -> tuple[Any, int]:
    """The engine's refusals: 404, 403 (both logged), 409 with the reason, 400 for bad input. The detail is
    the refusal in the reader's language (web/refusals.py), never the engine's English text."""
    detail = refusal_text(err)
    if isinstance(err, NotFound):
        log_refusal(404, str(err))
        return not_found()
    if isinstance(err, Forbidden):
        log_refusal(403, str(err))
        return forbidden(detail)
    if isinstance(err, Conflict):
        return page(409, _("This could not be done"), _("The case or task has changed."), detail)
    if err.code == "incident":  # a script in the process failed; the command was undone
        log.warning("incident: %s", err)
        return page(409, _("The step could not be completed"),
                    _("A rule in the process failed, so nothing was changed. An administrator has been told."))
    if isinstance(err, InvalidInput):
        log.info("refused input: %s", err)
        return page(400, _("The request was not accepted"), _("Something in what was sent is not valid."), detail)
    log.info("refused: %s", err)
    return page(400, _("The request was not accepted"), detail or _("Something in what was sent is not valid."))


def init_errors(app: Flask) -> None:
    @app.errorhandler(TurnusError)
    def _turnus(err: TurnusError) -> Any:
        if isinstance(err, Busy):  # the database stayed locked: a moment later the same request works
            body, status = page(503, _("Busy right now"), _("Nothing was changed. Please try again in a few seconds."))
            return body, status, {"Retry-After": str(err.retry_after)}
        return turnus_error(err)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> Any:
        log_refusal(400, f"CSRF: {err.description}")
        return page(400, _("The form has expired"),
                    _("For your security the form could not be sent. Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Any:
        status = err.code or 500
        if status == 404:
            return not_found()
        if status == 403:
            return forbidden()
        if status == 413:
            return page(413, _("Too large"), _("What was sent is too large."))
        if status == 405:
            return page(405, _("Not possible here"), _("This page cannot be used that way."))
        return page(status, _("The request was not accepted"), _("Something in what was sent is not valid."))

    @app.errorhandler(Exception)
    def _bug(err: Exception) -> Any:
        log.exception("unexpected error")
        return page(500, _("Something went wrong"),
                    _("This is an error in Turnus, not something you did. Try again; if it persists, tell support."))
