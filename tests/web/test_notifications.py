"""Issue 13: the notification settings page and the page of kept mails (no SMTP server configured)."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

from engine.clock import FixedClock
from engine.config import load_settings
from engine.service import Engine
from tests.web.conftest import Client, start_review
from web import create_app
from web.settings import WebSettings


def test_settings_page_is_danish_by_default_and_saves_with_csrf(as_user: Any, engine: Engine) -> None:
    ralf = as_user("ralf")
    page = ralf.get("/settings/notifications")
    assert page.status_code == 200 and "Beskeder" in page.text and "Med det samme" in page.text
    assert '<button type="submit" class="button">Gem</button>' in page.text
    assert 'class="error-summary"' not in page.text
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
    assert bad.status_code == 400
    summary = bad.text[bad.text.index('<div class="error-summary" role="alert"'):]
    summary = summary[:summary.index("</div>")]  # the same summary the generated forms show
    assert "Der er 1 problem i formularen" in summary
    assert "<li>Vælg et sprog og en af mulighederne for hver slags besked.</li>" in summary
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


def test_administrators_see_the_mails_that_could_not_be_sent_in_a_table_like_the_others(
        db_url: str, clock: FixedClock, engine: Engine, web_settings: WebSettings) -> None:
    with socket.socket() as probe:  # a port nobody listens on: every delivery is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failing = Engine.create(db_url, clock=clock, settings=dataclasses.replace(
        load_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", mail_max_attempts=1))
    try:
        failing.add_user("rhea", display_name="Rhea Reviewer", groups=["reviewers"], email="rhea@example.org")
        start_review(failing)
        failing.send_outbox()
        admin = Client(create_app(failing, {"TESTING": True}, settings=web_settings))
        assert admin.login("admin").status_code == 302
        page = admin.get("/mail").text
        table = page[page.index("<table"):page.index("</table>")]
        assert table.startswith('<table class="table">')
        assert '<caption class="visually-hidden">Mails, der ikke kunne sendes</caption>' in table
        assert table.count('<th scope="col">') == 4 and "<th>" not in table
        assert "<td>rhea</td>" in table
    finally:
        failing.close()
