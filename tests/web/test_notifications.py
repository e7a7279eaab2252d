"""Issue 13: the notification settings page and the page of kept mails (no SMTP server configured)."""

from __future__ import annotations

from typing import Any

from engine.service import Engine
from tests.web.conftest import start_review


def test_settings_page_is_danish_by_default_and_saves_with_csrf(as_user: Any, engine: Engine) -> None:
    ralf = as_user("ralf")
    page = ralf.get("/settings/notifications")
    assert page.status_code == 200 and "Beskeder" in page.text and "Med det samme" in page.text
    form = {f"mode_{k}": "now" for k in ("task_assigned", "task_offered", "reminder", "overdue", "case_finished")}
    refused = ralf.post("/settings/notifications", {**form, "language": "en"}, csrf=False)
    assert refused.status_code == 400 and engine.notification_settings("ralf").language == "da"
    saved = ralf.post("/settings/notifications", {**form, "language": "en", "mode_overdue": "digest",
                                                  "mode_reminder": "off"})
    assert saved.status_code == 302
    got = engine.notification_settings("ralf")
    assert (got.language, got.modes["overdue"], got.modes["reminder"]) == ("en", "digest", "off")


def test_settings_page_refuses_an_unknown_choice_with_a_message(as_user: Any, engine: Engine) -> None:
    ralf = as_user("ralf")
    bad = ralf.post("/settings/notifications", {"language": "de"})
    assert bad.status_code == 400 and "Vælg et sprog" in bad.text
    assert engine.notification_settings("ralf").language == "da"


def test_each_user_reads_only_their_own_kept_mail(as_user: Any, engine: Engine) -> None:
    start_review(engine)
    engine.send_outbox()
    [mail] = engine.mailbox("ralf")
    ralf, rita = as_user("ralf"), as_user("rita")
    listing = ralf.get("/mail")
    assert listing.status_code == 200 and "Ny opgave til din gruppe: Review request" in listing.text
    one = ralf.get(f"/mail/{mail.id}")
    assert one.status_code == 200 and "/tasks/" in one.text
    assert "Ingen post til dig endnu." in rita.get("/mail").text
    assert rita.get(f"/mail/{mail.id}").status_code == 403
    assert rita.get("/mail/00000000-0000-0000-0000-000000000000").status_code == 404
