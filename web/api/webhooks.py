"""/api/v1/webhooks: an administrator's monitoring or integration set-up subscribes receivers to case events
(issue 23 item 7), with the same engine calls and policy as `turnus webhooks`: the token needs the scope
``admin`` and its user the role ``admin``. The secret is in the answer to POST only."""

from __future__ import annotations

from typing import Annotated, Any

from flask import g, jsonify
from pydantic import BaseModel, Field, StringConstraints

from engine.webhooks.kinds import KINDS
from engine.webhooks.subscriptions import Webhook
from web.api import models
from web.api.present import iso
from web.api.registry import operation
from web.deps import engine

EventKind = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[^\x00]*$")]


class NewWebhook(models.Strict):
    # http:// or https:// only; checked by the engine (engine/webhooks/subscriptions.py), refused with 422
    url: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")
    events: list[EventKind] = Field(min_length=1, max_length=len(KINDS),
                              description="case.started, case.finished, task.created, task.completed, "
                                          "incident.raised")


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    created_by: str
    created_at: str
    active: bool


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_…: the signing key, shown in this answer only")


class WebhookList(BaseModel):
    items: list[WebhookOut]


def _json(h: Webhook) -> dict[str, Any]:
    return {"id": h.id, "url": h.url, "events": list(h.events), "created_by": h.created_by,
            "created_at": iso(h.created_at), "active": h.active}


@operation("GET", "/webhooks", "Webhook subscriptions, oldest first (administrators; never their secrets)",
           scope="admin", response_model=WebhookList)
def list_webhooks() -> Any:
    return jsonify(items=[_json(h) for h in engine().webhooks(g.user.name)])


@operation("POST", "/webhooks", "Subscribe a URL to case events; the answer holds the signing secret, once",
           scope="admin", body=NewWebhook, response_model=WebhookCreated, responses={201: "Created"})
def add_webhook(body: NewWebhook) -> Any:
    hook, secret = engine().add_webhook(body.url, body.events, g.user.name)
    return jsonify(**_json(hook), secret=secret), 201


@operation("DELETE", "/webhooks/<id:webhook_id>", "Remove a subscription; its waiting deliveries are discarded",
           scope="admin", response_model=models.Ok)
def remove_webhook(webhook_id: str) -> Any:
    engine().remove_webhook(webhook_id, g.user.name)
    return jsonify(ok=True)
