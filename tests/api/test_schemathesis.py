"""Schemathesis against a live `turnus serve`: every operation of the OpenAPI document, with a valid token,
generated requests (bounded: a few examples each); every response must be documented — no 5xx, no status or
content type the document does not list, bodies that fit their schemas."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Live


def test_every_operation_answers_as_documented(live: Live) -> None:
    """Driven operation by operation with Hypothesis directly (schemathesis's pytest plugin does not load
    under this pytest); a failure names the operation and the request."""
    schema = schemathesis.openapi.from_url(live.url + "/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {live.tokens['admin']}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    seen, calls = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case: Any) -> None:
            calls.append(case.call_and_validate(headers=headers, checks=checks).status_code)
        run()
        seen += 1
    assert len(calls) >= seen and any(200 <= c < 300 for c in calls) and any(c >= 400 for c in calls), calls
    assert seen == len([m for p in schema.raw_schema["paths"].values() for m in p])
