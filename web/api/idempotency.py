"""Idempotency-Key on the API's POSTs: the first successful response to a key is stored per user in the database
(so it holds across web processes) and replayed for the same request within 24 hours; a key reused for another
request is refused (422). A refused request changed nothing, so it is not stored and may simply be sent again —
except one refused because the command raised an incident: the incident is recorded, so that answer is replayed."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, g, make_response, request

from engine.cases.incidents import IncidentRaised
from engine.service.tokens import Replay
from web.api.problems import ApiProblem, from_turnus_error
from web.deps import engine

F = TypeVar("F", bound=Callable[..., Any])


def idempotent(view: F) -> F:
    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(**kwargs)
        if not 1 <= len(key) <= 200 or "\x00" in key:
            raise ApiProblem(422, "body_invalid", errors=[{"field": "Idempotency-Key",
                                                           "message": "1 to 200 characters"}])
        digest = hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(),
                                            request.get_data(cache=True)])).hexdigest()
        found = engine().idempotent_reply(g.user.name, key, digest)
        if found is not None:
            replay = Response(found.body, status=found.status, mimetype="application/json")
            if found.location:
                replay.headers["Location"] = found.location
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        effect = False
        try:
            response = make_response(view(**kwargs))
        except IncidentRaised as err:  # refused, but the incident was recorded: an effect, so it is replayed too
            response, effect = from_turnus_error(err), True
        if 200 <= response.status_code < 300 or effect:
            engine().remember_reply(g.user.name, key, digest, Replay(response.status_code,
                                                                      response.get_data(as_text=True),
                                                                      response.headers.get("Location")))
        return response
    return run  # type: ignore[return-value]
