"""/api/v1/webhooks: administrators add (the secret once, in the answer), list (never the secret) and remove
subscriptions; everyone else and every bad body is refused with problem+json in Danish by default."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from engine.service import Engine


def _call(app: Flask, method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
    client = app.test_client()
    return client.open("/api/v1" + path, method=method, data=json.dumps(body) if body is not None else None,
                       content_type="application/json", headers={"Authorization": f"Bearer {token}", **headers})


def test_add_list_remove(engine: Engine, app: Flask) -> None:
    token = engine.add_token("admin", scopes=["admin"])[1]
    res = _call(app, "POST", "/webhooks", token, {"url": "https://hr.example.dk/turnus",
                                                 "events": ["case.started", "task.created"]})
    assert res.status_code == 201, res.json
    made = res.json
    assert made["secret"].startswith("whsec_") and made["events"] == ["case.started", "task.created"]
    assert made["created_by"] == "admin" and made["active"] is True
    listed = _call(app, "GET", "/webhooks", token)
    assert listed.status_code == 200 and [h["id"] for h in listed.json["items"]] == [made["id"]]
    assert "secret" not in listed.json["items"][0] and made["secret"] not in listed.get_data(as_text=True)
    assert _call(app, "DELETE", f"/webhooks/{made['id']}", token).json == {"ok": True}
    assert _call(app, "GET", "/webhooks", token).json == {"items": []}
    gone = _call(app, "DELETE", f"/webhooks/{made['id']}", token)
    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"
    assert gone.json["reason"] == "no_webhook" and gone.json["detail"] == "Der findes ingen sådan webhook."


def test_refusals_are_problems(engine: Engine, app: Flask) -> None:
    token = engine.add_token("admin", scopes=["admin"])[1]
    for body, status, reason in [
        ({"url": "file:///etc/passwd", "events": ["case.started"]}, 422, "webhook_url"),
        ({"url": "gopher://example.org/", "events": ["case.started"]}, 422, "webhook_url"),
        ({"url": "https://example.org/", "events": ["case.paused"]}, 422, "webhook_unknown_event"),
        ({"url": "https://example.org/", "events": []}, 422, "body_invalid"),
        ({"url": "https://example.org/", "events": ["case.started"], "secret": "mine"}, 422, "body_invalid"),
    ]:
        res = _call(app, "POST", "/webhooks", token, body)
        assert (res.status_code, res.json["reason"]) == (status, reason), (body, res.json)
        assert res.mimetype == "application/problem+json" and res.json["detail"]
    english = _call(app, "POST", "/webhooks", token, {"url": "ftp://x", "events": ["case.started"]},
                    **{"Accept-Language": "en"})
    assert english.json["detail"] == "A webhook address must start with http:// or https:// and name a host."
    # the role admin is needed besides the scope, and the scope besides the role
    rita = engine.add_token("rita", scopes=["admin"])[1]
    refused = _call(app, "GET", "/webhooks", rita)
    assert refused.status_code == 403 and refused.json["reason"] == "admin_only"
    no_scope = engine.add_token("admin", scopes=["cases:read"])[1]
    refused = _call(app, "POST", "/webhooks", no_scope, {"url": "https://example.org/", "events": ["case.started"]})
    assert refused.status_code == 403 and refused.json["reason"] == "missing_scope"
    assert engine.webhooks("admin") == []


def test_documented_in_openapi(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").json
    assert set(doc["paths"]["/webhooks"]) == {"get", "post"}
    assert set(doc["paths"]["/webhooks/{webhook_id}"]) == {"delete"}
    post = doc["paths"]["/webhooks"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert "secret" in doc["components"]["schemas"]["WebhookCreated"]["properties"]
