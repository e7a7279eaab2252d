"""The HTTP API as an integrator meets it: tokens, problem+json, cases and tasks end to end, idempotency, ETags."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from engine.service import Engine
from engine.store.tables import access_log, users
from tests.web.conftest import open_task, password_hash, start_review

START = {"key": "review", "data": {"title": "New chairs", "amount": 300, "needed_by": "2027-05-01"}}


class Api:
    def __init__(self, http: FlaskClient, token: str | None):
        self.http, self.token = http, token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**out, **(extra or {})}

    def get(self, path: str, **headers: str) -> Any:
        return self.http.get("/api/v1" + path, headers=self.headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body if body is not None else {})
        return self.http.post("/api/v1" + path, data=data, content_type="application/json",
                              headers=self.headers({k.replace("_", "-"): v for k, v in headers.items()}))


@pytest.fixture
def api(app: Flask, engine: Engine) -> Any:
    """api("rita", "cases:write") -> a client with a fresh token of rita's."""
    def make(user: str, *scopes: str) -> Api:
        return Api(app.test_client(), engine.add_token(user, scopes=list(scopes))[1])
    return make


def test_document_is_valid_openapi_3_1(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").json
    validate(doc)
    assert doc["openapi"] == "3.1.0" and "/cases/{case_id}" in doc["paths"]
    assert doc["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_start_read_and_complete_a_case_end_to_end(engine: Engine, api: Any) -> None:
    rita, ralf = api("rita"), api("ralf")
    res = rita.post("/cases", START)
    assert res.status_code == 201, res.json
    case_id = res.json["id"]
    assert res.headers["Location"] == f"/api/v1/cases/{case_id}"
    case = rita.get(f"/cases/{case_id}").json
    assert case["status"] == "running" and case["data"]["title"] == "New chairs"
    task_id = case["waiting_on"][0]["task_id"]
    listed = ralf.get("/tasks").json["items"]
    assert [t["id"] for t in listed] == [task_id] and {"case_id", "name", "due", "assignee"} <= set(listed[0])
    task = ralf.get(f"/tasks/{task_id}")
    assert task.json["form"]["properties"]["decision"]["type"] == "string"
    assert ralf.post(f"/tasks/{task_id}/claim", If_Match=task.headers["ETag"]).status_code == 200
    stale = ralf.post(f"/tasks/{task_id}/complete", {"data": {"decision": "approve"}}, If_Match=task.headers["ETag"])
    assert stale.status_code == 412 and stale.json["reason"] == "etag_mismatch"
    done = ralf.post(f"/tasks/{task_id}/complete", {"data": {"decision": "approve"}})
    assert done.status_code == 200, done.json
    history = rita.get(f"/cases/{case_id}/history").json["items"]
    assert history[0]["kind"] == "case_started" and history[1]["prev_hash"] == history[0]["hash"]
    with engine.db.connect() as conn:  # personal data read through the API is logged as the web's reads are
        logged = {(r.actor, r.action) for r in conn.execute(access_log.select().where(access_log.c.object == case_id))}
    assert {("rita", "read_case"), ("rita", "read_history")} <= logged


def test_no_token_bad_token_and_missing_scope_are_problems(app: Flask, api: Any) -> None:
    anon = Api(app.test_client(), None)
    res = anon.get("/cases")
    assert res.status_code == 401 and res.mimetype == "application/problem+json"
    assert res.json["reason"] == "no_token" and res.json["title"] == "Ikke logget ind"
    bad = Api(app.test_client(), "tnu_nonsense").get("/cases", Accept_Language="en")
    assert bad.status_code == 401 and bad.json["reason"] == "bad_token"
    reader = api("rita", "cases:read")
    res = reader.post("/cases", START, Accept_Language="en")
    assert res.status_code == 403 and res.json["scope"] == "cases:write"
    assert "cases:write" in res.json["detail"]


def test_failed_bearer_attempts_are_throttled_with_retry_after(app: Flask, web_settings: Any) -> None:
    bad = Api(app.test_client(), "tnu_wrong")
    codes = [bad.get("/cases").status_code for _ in range(web_settings.login_max_failures_per_address + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {401}
    assert int(bad.get("/cases").headers["Retry-After"]) > 0


def test_revoked_expired_and_disabled_users_tokens_stop_working(engine: Engine, app: Flask, clock: Any) -> None:
    info, secret = engine.add_token("rita")
    client = Api(app.test_client(), secret)
    assert client.get("/cases").status_code == 200
    assert engine.tokens("rita")[0].last_used_at is not None
    engine.revoke_token(info.id)
    assert client.get("/cases").status_code == 401
    _, secret2 = engine.add_token("rosa")
    with engine.db.begin() as conn:
        conn.execute(users.update().where(users.c.name == "rosa").values(active=False))
    assert Api(app.test_client(), secret2).get("/cases").status_code == 401


def test_errors_under_api_are_never_html(app: Flask, api: Any) -> None:
    rita = api("rita")
    for res, status in [(rita.get("/nowhere"), 404), (rita.http.delete("/api/v1/cases", headers=rita.headers()), 405),
                        (rita.post("/cases", b"{not json"), 400), (rita.post("/cases", {"key": 5}), 422),
                        (rita.post("/cases", b'{"key": "' + b"x" * 2_000_000 + b'"}'), 413),
                        (rita.get("/cases/nope"), 404), (rita.get("/cases?limit=0"), 400),
                        (rita.get("/cases?cursor=zzz"), 400)]:
        assert res.status_code == status and res.mimetype == "application/problem+json", (status, res.data[:200])
        assert {"type", "title", "status", "detail"} <= set(res.json)


def test_form_errors_name_their_fields(api: Any) -> None:
    res = api("rita").post("/cases", {"key": "review", "data": {"amount": "lots"}}, Accept_Language="en")
    assert res.status_code == 422 and res.json["reason"] == "form_invalid"
    assert {e["field"] for e in res.json["errors"]} >= {"title", "amount"}


def test_policy_applies_as_on_the_web(engine: Engine, api: Any) -> None:
    case_id = start_review(engine)
    olga = api("olga")
    assert olga.get(f"/cases/{case_id}").json["reason"] == "not_participant"
    res = api("rita").post(f"/cases/{case_id}/cancel", {"reason": "mine"})
    assert res.status_code == 403 and res.json["reason"] == "admin_only"
    assert api("admin").post(f"/cases/{case_id}/cancel", {"reason": "duplicate"}).status_code == 200
    assert engine.case(case_id, None).status == "cancelled"


def test_idempotency_key_replays_the_first_response_and_refuses_another_body(engine: Engine, api: Any) -> None:
    rita = api("rita")
    first = rita.post("/cases", START, Idempotency_Key="k1")
    again = rita.post("/cases", START, Idempotency_Key="k1")
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert again.headers["Location"] == first.headers["Location"]
    assert len(engine.case_list("rita")) == 1
    other = rita.post("/cases", {**START, "business_key": "B-1"}, Idempotency_Key="k1")
    assert other.status_code == 422 and other.json["reason"] == "idempotency_reused"
    assert api("rosa").post("/cases", START, Idempotency_Key="k1").status_code == 201  # keys are per user


def test_cases_are_filtered_and_paged_by_cursor(engine: Engine, api: Any) -> None:
    ids = {start_review(engine) for _ in range(3)}
    engine.start("review", "rita", dict(START["data"]), "B-7")
    rita = api("rita")
    page = rita.get("/cases?limit=2").json
    second = rita.get(page["next"].removeprefix("/api/v1")).json
    seen = [c["id"] for c in page["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 4 and ids < set(seen) and second["next"] is None
    assert [c["business_key"] for c in rita.get("/cases?business_key=B-7").json["items"]] == ["B-7"]
    assert api("olga").get("/cases").json["items"] == []


def test_messages_and_signals_need_an_integration_account(engine: Engine, api: Any) -> None:
    engine.add_user("hr", roles=["integration"], password_hash=password_hash())
    res = api("rita").post("/signals", {"name": "nobody_listens"})
    assert res.status_code == 403
    assert api("hr").post("/signals", {"name": "nobody_listens"}).json == {"deliveries": []}
    res = api("hr").post("/messages", {"name": "nobody_listens", "business_key": "X"})
    assert res.status_code in (404, 409, 422) and res.mimetype == "application/problem+json"


def test_definitions_and_their_start_form(api: Any) -> None:
    rita = api("rita")
    keys = [d["key"] for d in rita.get("/definitions").json["items"]]
    assert "review" in keys
    review = rita.get("/definitions/review").json
    assert review["versions"][0]["version"] == 1 and "title" in review["start_form"]["required"]
    assert rita.get("/definitions/review/xml").data.startswith(b"<?xml")
    assert rita.get("/definitions/nope").status_code == 404


def test_assign_and_release(engine: Engine, api: Any) -> None:
    task_id = open_task(engine, start_review(engine))
    ralf = api("ralf")
    assert ralf.post(f"/tasks/{task_id}/assign", {"to": "rosa"}).status_code == 200
    assert api("rosa").post(f"/tasks/{task_id}/release").status_code == 200
    assert engine.task(task_id, "ralf").assignee is None


def test_reference_page_is_served_from_our_own_static_files(app: Flask) -> None:
    http = app.test_client()
    page = http.get("/api/v1/docs")
    assert page.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text
    assert http.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_people_make_and_revoke_their_own_tokens_on_their_settings_page(engine: Engine, as_user: Any,
                                                                         app: Flask) -> None:
    rita = as_user("rita")
    assert rita.post("/settings/tokens", {"name": "laptop", "scope": "cases:read"}, csrf=False).status_code == 400
    page = rita.post("/settings/tokens", {"name": "laptop", "scope": "cases:read"})
    assert page.status_code == 200
    secret = re.search(r'<code id="new-token">(tnu_[^<]+)</code>', page.text).group(1)  # type: ignore[union-attr]
    assert Api(app.test_client(), secret).get("/cases").status_code == 200
    assert secret not in rita.get("/settings/tokens").text  # shown once
    bad = rita.post("/settings/tokens", {"scope": "everything"})
    assert bad.status_code == 400 and "everything" in bad.text
    (token,) = engine.tokens("rita")
    assert as_user("rosa").post(f"/settings/tokens/{token.id}/revoke").status_code == 404  # not hers
    assert rita.post(f"/settings/tokens/{token.id}/revoke").status_code == 302
    assert Api(app.test_client(), secret).get("/cases").status_code == 401
