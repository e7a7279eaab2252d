"""The operator's console lists webhook deliveries that are waiting or failed beside the mail, with their last
error; resend and discard each need a reason, go into the administrators' log, and a delivery dealt with
meanwhile is refused. Failures come from a real receiver that answers 500."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.service import Engine
from tests.helpers.webhook_receiver import receiver


def test_failed_delivery_listed_resent_and_discarded(engine: Engine, as_user: Any) -> None:
    engine.settings = replace(engine.settings, webhook_max_attempts=1)
    engine.add_user("audrey", roles=["auditor"])
    with receiver() as rec:
        _, rec.secret = engine.add_webhook(rec.url, ["case.started"], "admin")
        rec.status = 500
        engine.start("review", "rita", {"title": "Chairs", "amount": 300, "needed_by": "2027-05-01"})
        engine.start("review", "rita", {"title": "Desks", "amount": 300, "needed_by": "2027-05-01"})
        assert engine.deliver_webhooks().given_up == 2
        first, second = (d.id for d in engine.webhook_deliveries("admin", failed_only=True))
        admin = as_user("admin")
        page = admin.get("/admin/mail").text  # Danish by default
        assert "Webhook-leveringer" in page and "HTTP 500" in page and rec.url in page
        assert f"/admin/mail/webhook/{first}/resend" in page and f"/admin/mail/webhook/{second}/discard" in page
        refused = admin.post(f"/admin/mail/webhook/{first}/resend", {"reason": ""})
        assert refused.status_code == 400 and "Angiv en begrundelse" in refused.text
        rec.status = 200
        assert admin.post(f"/admin/mail/webhook/{first}/resend", {"reason": "Modtageren virker"}).status_code == 302
        assert "sendes igen om lidt" in admin.get("/admin/mail").text
        assert engine.deliver_webhooks().delivered == 1 and [r.id for r in rec.got] == [first]
    assert admin.post(f"/admin/mail/webhook/{second}/discard", {"reason": "Gammel"}).status_code == 302
    page = admin.get("/admin/mail").text
    assert "HTTP 500" not in page and "Ingen webhook-levering venter eller er fejlet." in page
    late = admin.post(f"/admin/mail/webhook/{second}/resend", {"reason": "igen"})
    assert late.status_code == 409 and "Leveringen er blevet håndteret i mellemtiden" in late.text
    assert admin.post("/admin/mail/webhook/not-an-id/resend", {"reason": "x"}).status_code == 404
    assert [(e.action, e.reason) for e in engine.admin_log("audrey", "webhook_delivery:")] == [
        ("webhook_discarded", "Gammel"), ("webhook_resent", "Modtageren virker")]
    assert as_user("rita").post(f"/admin/mail/webhook/{second}/discard", {"reason": "x"}).status_code == 403
