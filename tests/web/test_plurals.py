"""Counts through ngettext: "1 afsluttet", "2 afsluttede", "1 tegn", "1 second" — never "1 seconds"."""

from __future__ import annotations

from typing import Any

from flask import Flask, session

from engine.errors import FieldError, TurnusError
from engine.forms import FormField
from engine.service import Engine
from tests.web.conftest import password_hash, start_review


def _english(client: Any) -> None:
    client.post("/language", {"lang": "en", "next": "/modeller"})


def test_the_versions_and_the_modeller_list_count_cases_in_the_right_form(engine: Engine, as_user: Any) -> None:
    engine.add_user("paula", display_name="Paula Owner", roles=["process-owner"], password_hash=password_hash())
    start_review(engine)
    c = as_user("paula")
    assert "1 igangværende, 0 afsluttede" in c.get("/modeller/review/versions").text
    assert "v1: 1 igangværende, 0 afsluttede" in c.get("/modeller").text
    assert "1 (1 igangværende)" in c.get("/modeller/review/migrate").text
    _english(c)
    assert "1 running, 0 finished" in c.get("/modeller/review/versions").text


def _throttled(seconds: int) -> str:
    from web.refusals import refusal_text

    return refusal_text(TurnusError("throttled", reason="throttled", seconds=seconds))


def test_field_hints_and_refusals_say_one_character_and_one_second(app: Flask) -> None:
    from web.present import field_error, field_hint

    one = FormField(id="code", label="Kode", type="string", minlength=1, maxlength=2)
    short = FieldError("code", "minlength", "too short", {"minlength": 1})
    with app.test_request_context("/"):
        assert field_hint(one, 10) == "Mindst 1 tegn. Højst 2 tegn."
        assert _throttled(1) == "For mange mislykkede forsøg; prøv igen om 1 sekund."
        assert _throttled(30) == "For mange mislykkede forsøg; prøv igen om 30 sekunder."
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert field_hint(one, 10) == "At least 1 character. At most 2 characters."
        assert field_error(one, short) == "Kode must have at least 1 character."
        assert _throttled(1) == "Too many failed attempts; try again in 1 second."
        assert _throttled(30) == "Too many failed attempts; try again in 30 seconds."


def test_durations_in_days_use_the_plural_and_the_language_s_decimal_sign(app: Flask) -> None:
    from web.audit.search_pages import _duration

    with app.test_request_context("/"):
        assert _duration(86400 * 2.5) == "2,5 dage"
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert _duration(86400 * 3) == "3 days"
